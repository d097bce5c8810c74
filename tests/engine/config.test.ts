import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { parse } from "yaml";
import { describeWithServers, findPulumiCli } from "../harness/requirements";
import { engineEnv } from "./stack";

// The real Pulumi CLI (scripts/engine/build.sh: v3.276.0 built from the Go module proxy) reading this
// project's Pulumi.yaml and stack files, as `pulumi preview` in CI does: its config schema is one the
// CLI accepts, the committed stack files pass it, and each declared type is enforced before anything
// runs. Private PULUMI_HOME and file backend, no update check, no plugin downloads.
//
// The Node.js language host (pulumi-language-nodejs) cannot be built here (the module proxy refuses
// github.com/pulumi/pulumi/sdk/nodejs/cmd/pulumi-language-nodejs/v3), so a preview that passes the
// config checks stops where the engine would start the program; the valid cases assert exactly that.

const ROOT = path.resolve(__dirname, "../..");
const PROJECT = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { name: string; config: Record<string, { type: string; items?: { type: string } }> };
const NO_LANGUAGE_HOST = "error: failed to load language plugin nodejs: no language plugin 'pulumi-language-nodejs' found in the workspace or on your $PATH";

/** A value of the wrong type for each declared type: the CLI coerces scalars to strings, not lists. */
const WRONG: Record<string, string> = { integer: "not-a-number", boolean: "maybe", string: "[a, b]", array: "not-a-list" };

describeWithServers("Pulumi.yaml's config schema, enforced by the real Pulumi CLI", ["pulumi"], () => {
    let tmp: string;
    let project: string;
    let env: NodeJS.ProcessEnv;
    let salt: Record<string, string>;

    const pulumi = (args: string[]) => {
        const run = spawnSync(findPulumiCli()!, [...args, "--non-interactive"], { cwd: project, env, encoding: "utf8", timeout: 60_000 });
        return { status: run.status, out: `${run.stdout}${run.stderr}` };
    };

    /** A stack file: its salt from `stack init`, then `config` (keys without the project prefix). */
    const writeStack = (stack: string, config: Record<string, string>) =>
        fs.writeFileSync(path.join(project, `Pulumi.${stack}.yaml`), [
            `encryptionsalt: ${salt[stack]}`,
            "config:",
            ...Object.entries(config).map(([k, v]) => `  ${k.includes(":") ? k : `${PROJECT.name}:${k}`}: ${v}`),
            "",
        ].join("\n"));

    beforeAll(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "engine-config-"));
        // The project as a clone has it: Pulumi.yaml byte for byte, its program where `main` says.
        project = path.join(tmp, "project");
        fs.mkdirSync(project);
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
        fs.symlinkSync(path.join(ROOT, "index.ts"), path.join(project, "index.ts"));
        env = engineEnv(tmp);
        fs.mkdirSync(path.join(tmp, "state"));
        salt = {};
        for (const stack of ["dev", "prod"]) {
            const init = pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"]);
            expect(init.status, init.out).toBe(0);
            salt[stack] = /^encryptionsalt: (.+)$/m.exec(fs.readFileSync(path.join(project, `Pulumi.${stack}.yaml`), "utf8"))![1]!;
        }
    }, 120_000);

    afterAll(() => {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("declares a type for every key", () => {
        expect(Object.keys(PROJECT.config).length).toBeGreaterThan(10);
        for (const [key, spec] of Object.entries(PROJECT.config)) expect(Object.keys(WRONG), key).toContain(spec.type);
    });

    it.each(["dev", "prod"])("passes the committed Pulumi.%s.yaml: `pulumi preview` gets past the config checks to the program", (stack) => {
        const committed = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
        writeStack(stack, Object.fromEntries(Object.entries(committed.config ?? {}).map(([k, v]) => [k, JSON.stringify(v)])));
        const run = pulumi(["preview", "--stack", stack]);
        expect(run.out).not.toContain("validating stack config");
        expect(run.out).toContain(NO_LANGUAGE_HOST);
    });

    // The CLI names an array's item type as well: `array<string>`.
    const typeName = (spec: { type: string; items?: { type: string } }) => (spec.items ? `${spec.type}<${spec.items.type}>` : spec.type);
    it.each(Object.entries(PROJECT.config).map(([key, spec]) => [key, typeName(spec), spec.type] as const))(
        "refuses a value of the wrong type for `%s` (%s) before anything runs", (key, type, baseType) => {
            writeStack("dev", { [key]: WRONG[baseType]! });
            const run = pulumi(["preview", "--stack", "dev"]);
            expect(run.status).not.toBe(0);
            expect(run.out).toContain(`error: validating stack config: Stack 'dev' with configuration key '${key}' must be of type '${type}'`);
            expect(run.out).not.toContain(NO_LANGUAGE_HOST);
        });
});
