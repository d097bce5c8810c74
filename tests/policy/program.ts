import * as pulumi from "@pulumi/pulumi";
import { RegisteredResource, installEmulator, type ProviderEmulator } from "../emulator";
import { filledProdConfig, stackConfig } from "../program/stack";
import { TestResource } from "./harness";

/**
 * Runs the root program (index.ts) for `stack` under the provider emulator, with the stack's config
 * from Pulumi.yaml and Pulumi.<stack>.yaml, and returns once every resource is registered
 * (`disconnect` drains the runtime's queue of registrations, as at the end of a real run).
 */
export async function runProgram(stack: "dev" | "prod"): Promise<ProviderEmulator> {
    const emulator = await installEmulator({ stack });
    pulumi.runtime.setAllConfig(stackConfig(stack, stack === "prod" ? filledProdConfig().overrides : {}));
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
