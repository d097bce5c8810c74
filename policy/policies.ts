import type { Policies } from "@pulumi/policy";
import { dockerPolicies } from "./rules/docker";
import { elastiCachePolicies } from "./rules/elasticache";
import { expiryPolicies } from "./rules/expiry";
import { rdsPolicies } from "./rules/rds";
import { rolloverPolicies } from "./rules/rollover";
import { secretsPolicies } from "./rules/secrets";
import { tlsPolicies } from "./rules/tls";

/** Every rule of the pack, in the order `pulumi preview` lists them. */
export const policies: Policies = [...elastiCachePolicies, ...rdsPolicies, ...tlsPolicies, ...dockerPolicies, ...secretsPolicies, ...expiryPolicies, ...rolloverPolicies];
