import * as pulumi from "@pulumi/pulumi";
import { filledProdConfig, scaledProdConfig, stackConfig } from "../../program/stack";
import { installEmulator, type ProviderEmulator, type RegisteredResource } from "..";

/** A way the project's root program is run: its stack and the config overrides a test or a team applies. */
export interface ProgramRun {
    readonly id: "dev" | "dev-secrets-manager" | "prod" | "prod-scaled";
    readonly stack: "dev" | "prod";
    readonly overrides: () => Record<string, string>;
}

export const PROGRAM_RUNS: readonly ProgramRun[] = [
    { id: "dev", stack: "dev", overrides: () => ({}) },
    { id: "dev-secrets-manager", stack: "dev", overrides: () => ({ secretsSink: "aws-secrets-manager", secretsManagerEndpoint: "http://127.0.0.1:4566" }) },
    // The prod keys without defaults filled in as a team would, RDS and the application role included.
    { id: "prod", stack: "prod", overrides: () => filledProdConfig().overrides },
    // Scaled out: a sharded cache with an RBAC user, a Multi-AZ database with two read replicas.
    { id: "prod-scaled", stack: "prod", overrides: () => scaledProdConfig().overrides },
];

/**
 * Runs the root program (index.ts) for `run` under a fresh emulator and returns every resource it
 * registered, once registration has been quiet for a second. The program module is imported once per
 * process (vitest gives each test file its own), so a file runs one program.
 */
export async function runProgram(run: ProgramRun): Promise<{ emulator: ProviderEmulator; resources: readonly RegisteredResource[] }> {
    const emulator = await installEmulator({ stack: run.stack });
    pulumi.runtime.setAllConfig(stackConfig(run.stack, run.overrides()));
    await import("../../../index");
    let count = -1;
    while (count !== emulator.resources.length) {
        count = emulator.resources.length;
        await new Promise((resolve) => setTimeout(resolve, 1_000));
    }
    if (emulator.failures.length > 0) {
        throw new Error(`the ${run.id} program failed under the emulator: ${emulator.failures.map((f) => f.error.message).join("; ")}`);
    }
    return { emulator, resources: emulator.resources };
}
