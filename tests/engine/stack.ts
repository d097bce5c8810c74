import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { expect } from "vitest";
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
    /** Runs the CLI in the project, or `cwd` (`--non-interactive`), with `extraEnv` on top of the project's env. */
    pulumi(args: string[], options?: { extraEnv?: NodeJS.ProcessEnv; timeout?: number; cwd?: string }): PulumiRun;
    /** `stack init <stack>` with the passphrase provider; throws with the CLI's output if it fails. */
    initStack(stack: string): void;
    /** `pulumi stack export` as printed (secrets still in their envelopes) and its resources. */
    exportState(stack: string, showSecrets?: boolean): { text: string; resources: StateResource[] };
    /** The stack's resources from `pulumi stack export`, every secret revealed when `showSecrets`. */
    resources(stack: string, showSecrets?: boolean): StateResource[];
    remove(): void;
}

/**
 * A value of `pulumi stack export --show-secrets` with every secret replaced by its plaintext (a JSON text);
 * every string found inside a secret is pushed onto `secrets` when given.
 */
export function revealed(value: Json, secrets?: string[], inSecret = false): Json {
    if (typeof value === "object" && value !== null && value[SECRET_SIG] === SECRET_VALUE) {
        if (!("plaintext" in value)) throw new Error(`a secret left encrypted by --show-secrets: ${JSON.stringify(value).slice(0, 120)}`);
        return revealed(JSON.parse(value.plaintext as string), secrets, true);
    }
    if (Array.isArray(value)) return value.map((v) => revealed(v, secrets, inSecret));
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealed(v, secrets, inSecret)]));
    if (inSecret && typeof value === "string") secrets?.push(value);
    return value;
}

/** `revealed(showSecretsExport)` and every string that was inside a secret. */
export function secretsIn(showSecretsExport: Json): { revealed: Json; secrets: string[] } {
    const secrets: string[] = [];
    return { revealed: revealed(showSecretsExport, secrets), secrets };
}

/**
 * Every string in a JSON text, decoded, and the strings of any JSON text among them (a secret's
 * `plaintext`, a SecretVersion's `secretString`): Go's encoder writes <, > and & as \u003c, \u003e and
 * \u0026, so a token holding them is only found in the state once decoded as often as it was encoded.
 */
export function decodedStrings(text: string): string[] {
    let value: Json;
    try {
        value = JSON.parse(text);
    } catch {
        return [];
    }
    const strings = (v: Json): string[] => (typeof v === "string" ? [v] : typeof v === "object" && v !== null ? Object.values(v).flatMap(strings) : []);
    return strings(value).flatMap((s) => [s, ...(/^\s*[[{"]/.test(s) ? decodedStrings(s) : [])]);
}

/** A secret as written and JSON-escaped (inside a JSON text that is itself a string). */
const asWrittenAndEscaped = (secret: string) => [secret, JSON.stringify(secret).slice(1, -1)];

/** Those of `candidates` that `text` holds, as written or among its decoded strings (decodedStrings). */
function foundIn(text: string, candidates: readonly string[]): string[] {
    const decoded = decodedStrings(text);
    return candidates.filter((n) => text.includes(n) || decoded.some((s) => s.includes(n)));
}

/**
 * Where each of `secrets` shows in plaintext in `texts` (where → text), as `where: <first 40 chars>…`.
 * A secret is searched as written and JSON-escaped (inside a JSON text that is itself a string), and a PEM
 * also by its longest base64 line, in each text as written and decoded (decodedStrings).
 */
export function plaintextLeaks(secrets: Iterable<string>, texts: Record<string, string>): string[] {
    const needles = [...secrets].flatMap((s) => [...asWrittenAndEscaped(s), ...(s.includes("-----BEGIN") ? [s.split("\n").sort((a, b) => b.length - a.length)[0]!] : [])]);
    return Object.entries(texts).flatMap(([where, text]) => foundIn(text, needles).map((n) => `${where}: ${n.slice(0, 40)}…`));
}

/** Those of `secrets` that `text` does not hold, as written or JSON-escaped: [] shows the search is real. */
function unfoundIn(secrets: Iterable<string>, text: string): string[] {
    return [...secrets].filter((s) => foundIn(text, asWrittenAndEscaped(s)).length === 0);
}

/**
 * Every one of `secrets` is in a stack's `--show-secrets` export (so the search is real) and in plaintext
 * nowhere else: not in the state files of the file backend in `backend`, among them the stack's own
 * (`state/.pulumi/stacks/<project>/<stack>.json`), nor in the plain export, which holds ciphertext.
 */
export function expectOnlyEncrypted(secrets: Iterable<string>, state: { shownExport: string; plainExport: string; backend: string; stackFile: string }): void {
    const all = [...secrets];
    expect(unfoundIn(all, state.shownExport)).toEqual([]);
    const files = stateFiles(state.backend);
    expect(files).toContain(path.join(state.backend, "state/.pulumi/stacks", state.stackFile));
    expect(state.plainExport).toContain('"ciphertext"');
    expect(plaintextLeaks(all, { ...Object.fromEntries(files.map((f) => [f, fs.readFileSync(f, "utf8")])), "stack export": state.plainExport })).toEqual([]);
}

/** Every file under the file backend's `state/.pulumi` in `tmp`. */
export function stateFiles(tmp: string): string[] {
    const stateDir = path.join(tmp, "state/.pulumi");
    return (fs.readdirSync(stateDir, { recursive: true }) as string[]).map((f) => path.join(stateDir, f)).filter((f) => fs.statSync(f).isFile());
}

/** The CLI's environment in `tmp`: private PULUMI_HOME, file backend in `tmp/state`, passphrase secrets, no update check, no downloads. */
export function engineEnv(tmp: string): NodeJS.ProcessEnv {
    return {
        PATH: process.env.PATH,
        HOME: tmp,
        PULUMI_HOME: path.join(tmp, "pulumi-home"),
        PULUMI_BACKEND_URL: `file://${path.join(tmp, "state")}`,
        PULUMI_CONFIG_PASSPHRASE: "engine-test-only",
        PULUMI_SKIP_UPDATE_CHECK: "true",
        PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
    };
}

/**
 * `tmp/bin/pulumi`, a hard-linked copy (or a copy) of `pulumiCli` with the language host stand-in beside it:
 * the CLI takes a language host from beside its own (symlink-resolved) binary before anything else
 * (sdk/go/common/workspace/plugins.go GetPluginPath), as a release ships it.
 */
export function cliWithLanguageHost(tmp: string, pulumiCli: string): string {
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
    return cli;
}

/**
 * Makes the temp project with copies of `Pulumi.<stack>.yaml` for each of `stacks` (salt removed)
 * and installs the emulated provider plugins into its PULUMI_HOME.
 */
export function engineProject(prefix: string, stacks: readonly string[]): EngineProject {
    const pulumiCli = findPulumiCli();
    if (!pulumiCli) throw new Error("no Pulumi CLI of the pinned version: run scripts/engine/build.sh and set PULUMI_ENGINE_BIN");
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), `${prefix}-`));
    // The CLI takes the language host beside its own binary first (cliWithLanguageHost says why).
    const cli = cliWithLanguageHost(tmp, pulumiCli);

    const project = path.join(tmp, "project");
    fs.mkdirSync(project);
    fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
    for (const stack of stacks) {
        const file = `Pulumi.${stack}.yaml`;
        fs.writeFileSync(path.join(project, file), fs.readFileSync(path.join(ROOT, file), "utf8").replace(/^encryptionsalt:.*\n?/m, ""));
    }
    for (const name of LINKED) fs.symlinkSync(path.join(ROOT, name), path.join(project, name));

    fs.mkdirSync(path.join(tmp, "state"));
    const env = engineEnv(tmp);
    installProviderPlugins(cli, env);

    const pulumi: EngineProject["pulumi"] = (args, options = {}) => {
        const started = Date.now();
        const run = spawnSync(cli, [...args, "--non-interactive"], {
            cwd: options.cwd ?? project,
            env: { ...env, ...options.extraEnv },
            encoding: "utf8",
            timeout: options.timeout ?? 90_000,
            maxBuffer: 64 * 1024 * 1024,
        });
        const ms = Date.now() - started;
        console.log(`pulumi ${args.join(" ")}${options.cwd ? ` (${path.basename(options.cwd)})` : ""}: exit ${run.status} in ${ms} ms`);
        return { status: run.status, stdout: run.stdout, out: `${run.stdout}${run.stderr}${run.error ? `\n${run.error.message}` : ""}`, ms };
    };
    const exportState: EngineProject["exportState"] = (stack, showSecrets = false) => {
        const run = pulumi(["stack", "export", "--stack", stack, ...(showSecrets ? ["--show-secrets"] : [])]);
        if (run.status !== 0) throw new Error(`stack export failed:\n${run.out}`);
        return { text: run.stdout, resources: ((JSON.parse(run.stdout) as Json).deployment.resources ?? []) as StateResource[] };
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
        exportState,
        resources(stack, showSecrets = false) {
            const { resources } = exportState(stack, showSecrets);
            return showSecrets ? (revealed(resources) as StateResource[]) : resources;
        },
        remove() {
            fs.rmSync(tmp, { recursive: true, force: true });
        },
    };
}
