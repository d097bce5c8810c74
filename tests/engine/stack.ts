import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { SECRET_SIG, SECRET_VALUE } from "../emulator/secrets";
import { findPulumiCli } from "../harness/requirements";
import { installProviderPlugins } from "./providers/index";

// The project itself (index.ts, program/, components/, Pulumi.yaml and a copy of Pulumi.<stack>.yaml)
// in a temp directory of links, run by the real Pulumi CLI with the language host stand-in and the
// emulated plugins: private PULUMI_HOME, file backend, passphrase secrets, no downloads. The stack
// files are copies without `encryptionsalt`, because `stack init` writes one into them.

export const ROOT = path.resolve(__dirname, "../..");
const LANGHOST = path.join(__dirname, "langhost/pulumi-language-nodejs");
const LINKED = ["index.ts", "program", "components", "node_modules", "package.json", "tsconfig.json"];

type Json = any;
export interface StateResource { urn: string; type: string; custom?: boolean; id?: string; inputs?: Record<string, Json>; outputs?: Record<string, Json>; dependencies?: string[] }
export interface PulumiRun { status: number | null; stdout: string; out: string; ms: number }

export interface EngineProject {
    readonly tmp: string;
    readonly project: string;
    readonly env: NodeJS.ProcessEnv;
    /** Runs the CLI in the project (`--non-interactive`), with `extraEnv` on top of the project's env. */
    pulumi(args: string[], options?: { extraEnv?: NodeJS.ProcessEnv; timeout?: number }): PulumiRun;
    /** `stack init <stack>` with the passphrase provider; throws with the CLI's output if it fails. */
    initStack(stack: string): void;
    /** The stack's resources from `pulumi stack export`, every secret revealed when `showSecrets`. */
    resources(stack: string, showSecrets?: boolean): StateResource[];
    remove(): void;
}

/** A value of `pulumi stack export --show-secrets` with every secret replaced by its plaintext. */
export function revealed(value: Json): Json {
    if (typeof value === "object" && value !== null && value[SECRET_SIG] === SECRET_VALUE) {
        if (!("plaintext" in value)) throw new Error(`a secret left encrypted by --show-secrets: ${JSON.stringify(value).slice(0, 120)}`);
        return revealed(JSON.parse(value.plaintext as string));
    }
    if (Array.isArray(value)) return value.map(revealed);
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealed(v)]));
    return value;
}

/**
 * Makes the temp project with copies of `Pulumi.<stack>.yaml` for each of `stacks` (salt removed)
 * and installs the emulated provider plugins into its PULUMI_HOME.
 */
export function engineProject(prefix: string, stacks: readonly string[]): EngineProject {
    const pulumiCli = findPulumiCli();
    if (!pulumiCli) throw new Error("no Pulumi CLI of the pinned version: run scripts/engine/build.sh and set PULUMI_ENGINE_BIN");
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    // The CLI takes the language host beside its own binary first (langhost.test.ts says why): a hard-linked copy.
    const bin = path.join(tmp, "bin");
    fs.mkdirSync(bin);
    const cli = path.join(bin, "pulumi");
    try {
        fs.linkSync(pulumiCli, cli);
    } catch {
        fs.copyFileSync(pulumiCli, cli);
        fs.chmodSync(cli, 0o755);
    }
    fs.symlinkSync(LANGHOST, path.join(bin, "pulumi-language-nodejs"));

    const project = path.join(tmp, "project");
    fs.mkdirSync(project);
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    for (const stack of stacks) {
        const file = `Pulumi.${stack}.yaml`;
        fs.writeFileSync(path.join(project, file), fs.readFileSync(path.join(ROOT, file), "utf8").replace(/^encryptionsalt:.*\n?/m, ""));
    }
    for (const name of LINKED) fs.symlinkSync(path.join(ROOT, name), path.join(project, name));

    fs.mkdirSync(path.join(tmp, "state"));
    const env: NodeJS.ProcessEnv = {
        PATH: process.env.PATH,
        HOME: tmp,
        PULUMI_HOME: path.join(tmp, "pulumi-home"),
        PULUMI_BACKEND_URL: `file://${path.join(tmp, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: "engine-test-only",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
    installProviderPlugins(cli, env);

    const pulumi: EngineProject["pulumi"] = (args, options = {}) => {
        const started = Date.now();
        const run = spawnSync(cli, [...args, "--non-interactive"], {
            cwd: project,
            env: { ...env, ...options.extraEnv },
            encoding: "utf8",
            timeout: options.timeout ?? 90_000,
            maxBuffer: 64 * 1024 * 1024,
        });
        const ms = Date.now() - started;
        console.log(`pulumi ${args.join(" ")}: exit ${run.status} in ${ms} ms`);
        return { status: run.status, stdout: run.stdout, out: `${run.stdout}${run.stderr}${run.error ? `\n${run.error.message}` : ""}`, ms };
    };
    return {
        tmp,
        project,
        env,
        pulumi,
        initStack(stack) {
            const init = pulumi(["stack", "init", stack, "--secrets-provider", "passphrase"]);
            if (init.status !== 0) throw new Error(`stack init ${stack} failed:\n${init.out}`);
        },
        resources(stack, showSecrets = false) {
            const run = pulumi(["stack", "export", "--stack", stack, ...(showSecrets ? ["--show-secrets"] : [])]);
            if (run.status !== 0) throw new Error(`stack export failed:\n${run.out}`);
            const resources = ((JSON.parse(run.stdout) as Json).deployment.resources ?? []) as StateResource[];
            return showSecrets ? (revealed(resources) as StateResource[]) : resources;
        },
        remove() {
            fs.rmSync(tmp, { recursive: true, force: true });
        },
    };
}
