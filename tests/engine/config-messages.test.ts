import * as pulumi from "@pulumi/pulumi";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readSettings } from "../../program/settings";
import { describeWithServers } from "../harness/requirements";
import { stackConfig } from "../program/stack";
import { engineProject, type EngineProject } from "./stack";

// The program's own config validation (program/settings.ts readSettings), pinned under mocks by
// tests/program/config.test.ts and prod-missing.test.ts, as a user meets it: through the real Pulumi
// CLI, the language host stand-in and the emulated plugins. Every bad key is reported in the one
// message readSettings throws, word for word, and nothing is created.

/** A few bad dev keys of different kinds: memory too small for the thread count, a key type, a port. */
const BAD_DEV_KEYS: Record<string, string> = { cacheMaxMemory: "100mb", cacheProactorThreads: "8", keyType: "ECDSA-P224", databaseHostPort: "70000" };

/** The message readSettings throws for `stack` with `overrides`, as index.ts calls it (the expected text). */
function settingsError(stack: string, overrides: Record<string, string> = {}): string {
    pulumi.runtime.setAllConfig(stackConfig(stack, overrides));
    try {
        readSettings(new pulumi.Config("tls-platform"), stack, new pulumi.Config("aws").get("region"));
    } catch (error) {
        return (error as Error).message;
    }
    throw new Error(`readSettings accepted the ${stack} config`);
}

/**
 * The program's error as the CLI prints it under `Diagnostics:`, the whole block: the stack's heading,
 * `error: ` before the message's first line, each line indented four spaces, then a blank line.
 */
const diagnostic = (stack: string, message: string) =>
    `\n  pulumi:pulumi:Stack (tls-platform-${stack}):\n${message.split("\n").map((line, i) => `    ${i === 0 ? "error: " : ""}${line}`).join("\n")}\n\n`;

/** The run failed with exactly that one error and no other. */
function expectOnlyError(run: { status: number | null; out: string }, stack: string, message: string) {
    expect(run.status, run.out).not.toBe(0);
    expect(run.out).toContain(diagnostic(stack, message));
    expect(run.out.match(/^\s+error: /gm), run.out).toHaveLength(1);
}

describeWithServers("config mistakes reported by the real engine: the program's own messages, every key at once, nothing created", ["pulumi"], () => {
    let engine: EngineProject;

    beforeAll(() => {
        engine = engineProject("engine-config-messages", ["dev", "prod"]);
        engine.initStack("dev");
        engine.initStack("prod");
        for (const [key, value] of Object.entries(BAD_DEV_KEYS)) {
            const set = engine.pulumi(["config", "set", "--stack", "dev", key, value]);
            expect(set.status, set.out).toBe(0);
        }
    }, 60_000);

    afterAll(() => engine?.remove());

    const expectNothingCreated = (stack: string) => {
        expect(engine.resources(stack).filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
    };

    it("reports too little cache memory for its threads, a key type not offered and an out-of-range port together in one message, from `preview` and from `up`, and creates nothing", () => {
        const expected = settingsError("dev", BAD_DEV_KEYS);
        // Memory and threads are one problem (the cache's rule: 256mb per thread), naming both keys.
        expect(expected.split("\n")[0]).toBe('stack "dev" config: 3 problems:');
        for (const key of Object.keys(BAD_DEV_KEYS)) expect(expected).toContain(`\`tls-platform:${key}\``);

        expectOnlyError(engine.pulumi(["preview", "--stack", "dev"]), "dev", expected);
        expectOnlyError(engine.pulumi(["up", "--yes", "--skip-preview", "--stack", "dev"]), "dev", expected);
        expectNothingCreated("dev");
    }, 60_000);

    it("stops the committed prod stack, its required keys empty, with the one message listing each key to set, and creates nothing", () => {
        const expected = settingsError("prod");
        expect(expected.split("\n")[0]).toBe('stack "prod" config: 4 problems:');

        expectOnlyError(engine.pulumi(["preview", "--stack", "prod"]), "prod", expected);
        expectOnlyError(engine.pulumi(["up", "--yes", "--skip-preview", "--stack", "prod"]), "prod", expected);
        expectNothingCreated("prod");
    }, 60_000);
});
