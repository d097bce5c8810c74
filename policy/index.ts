import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

// Loaded by the Pulumi CLI (`pulumi preview --policy-pack ./policy`), which serves it over gRPC: this
// module starts that server, so tests import ./policies instead. The pack's description is
// PulumiPolicy.yaml's, its version package.json's.
new PolicyPack("tls-platform", { policies });
