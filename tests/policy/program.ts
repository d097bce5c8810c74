import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { RegisteredResource, installEmulator, type ProviderEmulator } from "../emulator";
import { stackConfig } from "../program/stack";
import { TestResource } from "./harness";

/** The prod keys that have no default, filled in as tests/program/prod.test.ts does, RDS included. */
function prodOverrides(): Record<string, string> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rds-bundle-"));
    const bundle = path.join(dir, "global-bundle.pem");
    // A stand-in for the Amazon RDS CA bundle: the program only ships it in the connection document.
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=stand-in RDS CA", "-days", "1", "-keyout", path.join(dir, "k"), "-out", bundle], { stdio: "ignore" });
    return {
        "aws:region": "eu-west-1",
        vpcId: "vpc-0a1b2c3d4e5f60718",
        subnetIds: JSON.stringify(["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]),
        allowedSecurityGroupIds: JSON.stringify(["sg-0a1b2c3d4e5f60718"]),
        rdsEnabled: "true",
        rdsCaBundleFile: bundle,
        appRoleName: "app-role",
    };
}

/**
 * Runs the root program (index.ts) for `stack` under the provider emulator, with the stack's config
 * from Pulumi.yaml and Pulumi.<stack>.yaml, and returns once every resource is registered
 * (`disconnect` drains the runtime's queue of registrations, as at the end of a real run).
 */
export async function runProgram(stack: "dev" | "prod"): Promise<ProviderEmulator> {
    const emulator = await installEmulator({ stack });
    pulumi.runtime.setAllConfig(stackConfig(stack, stack === "prod" ? prodOverrides() : {}));
    await import("../../index");
    await pulumi.runtime.disconnect();
    return emulator;
}

/** What the engine hands a resource policy (the inputs) and a stack policy (the outputs). */
export function asAnalyzed(resources: readonly RegisteredResource[]): { inputs: TestResource[]; outputs: TestResource[] } {
    return {
        inputs: resources.map((r) => ({ type: r.type, name: r.name, props: r.inputs })),
        outputs: resources.map((r) => ({ type: r.type, name: r.name, props: r.state })),
    };
}
