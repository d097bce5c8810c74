import { execFileSync, spawnSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { PROVIDER_PACKAGES, type ProviderPackage } from "./provider";

export { PROVIDER_PACKAGES, type ProviderPackage } from "./provider";
export { planChange, UNKNOWN } from "./diff";
export { DIFF_RULES } from "./rules";

const ROOT = path.resolve(__dirname, "../../..");
/** Every source the plugins run: this folder, the emulator and what it imports (tsc follows the imports). */
const SOURCE_DIRS = ["tests/engine/providers", "tests/emulator", "tests/dragonfly-model", "components"];
/** Data files those sources read beside themselves (tests/dragonfly-model reads Dragonfly's flag list). */
const DATA_FILES = ["tests/fixtures/dragonfly-flags.txt"];

function sourceFiles(dir: string): string[] {
    return fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true })
        .flatMap((e) => (e.isDirectory() ? sourceFiles(`${dir}/${e.name}`) : e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [`${dir}/${e.name}`] : []))
        .sort();
}

function sourceHash(): string {
    const hash = crypto.createHash("sha256").update(process.execPath);
    for (const file of [...SOURCE_DIRS.flatMap(sourceFiles), ...DATA_FILES]) hash.update(`${file}\0`).update(fs.readFileSync(path.join(ROOT, file)));
    return hash.digest("hex").slice(0, 16);
}

/**
 * Compiles the plugins' TypeScript to CommonJS once per source state and writes one executable per
 * package, `bin/pulumi-resource-<name>`, that runs them with this Node. The output lives under
 * node_modules/.cache so that the compiled files resolve @pulumi/pulumi and the rest from the
 * project's node_modules. `tsc --noCheck` only transpiles: `npm run typecheck` checks these sources.
 * Returns the bin directory.
 */
export function buildProviderPlugins(): string {
    const out = path.join(ROOT, "node_modules/.cache/tls-platform/engine-providers", sourceHash());
    const bin = path.join(out, "bin");
    if (fs.existsSync(path.join(bin, "pulumi-resource-aws"))) return bin;
    const staging = `${out}.tmp-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    const tsc = spawnSync(process.execPath, [
        path.join(ROOT, "node_modules/typescript/bin/tsc"), "--noCheck", "--outDir", staging, "--rootDir", ROOT,
        "--module", "commonjs", "--target", "ES2022", "--moduleResolution", "node", "--esModuleInterop", "--skipLibCheck",
        "--types", "node", "--lib", "ES2022,DOM", path.join(ROOT, "tests/engine/providers/main.ts"),
    ], { cwd: ROOT, encoding: "utf8" });
    if (tsc.status !== 0) throw new Error(`compiling the provider plugins failed:\n${tsc.stdout}${tsc.stderr}`);
    for (const file of DATA_FILES) {
        fs.mkdirSync(path.dirname(path.join(staging, file)), { recursive: true });
        fs.copyFileSync(path.join(ROOT, file), path.join(staging, file));
    }
    fs.mkdirSync(path.join(staging, "bin"));
    const main = path.join(out, "tests/engine/providers/main.js");
    for (const name of Object.keys(PROVIDER_PACKAGES)) {
        const script = `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(main)} ${name} "$@"\n`;
        fs.writeFileSync(path.join(staging, "bin", `pulumi-resource-${name}`), script, { mode: 0o755 });
    }
    try {
        fs.renameSync(staging, out);
    } catch (error) {
        // Another process built the same sources first; theirs is as good as ours.
        fs.rmSync(staging, { recursive: true, force: true });
        if (!fs.existsSync(path.join(bin, "pulumi-resource-aws"))) throw error;
    }
    pruneOldBuilds(path.dirname(out), out);
    return bin;
}

/** Builds of earlier sources, left an hour alone (a run that still uses one has long finished). */
function pruneOldBuilds(cache: string, current: string): void {
    const hourAgo = Date.now() - 3_600_000;
    for (const entry of fs.readdirSync(cache)) {
        const dir = path.join(cache, entry);
        if (dir !== current && fs.statSync(dir).mtimeMs < hourAgo) fs.rmSync(dir, { recursive: true, force: true });
    }
}

/**
 * Installs the emulated tls, random, docker and aws plugins into the PULUMI_HOME of `env`, at the
 * versions package.json pins, without any download: `pulumi plugin install resource <name> <version>
 * --file <executable>` copies a single executable to `$PULUMI_HOME/plugins/resource-<name>-v<version>/
 * pulumi-resource-<name>` (pulumi/pulumi pkg/cmd/pulumi/plugin/plugin_install.go getFilePayload,
 * pkg/pluginstorage/content.go singleFilePlugin). There the engine finds it for the exact version an
 * SDK asks for, as it would a downloaded plugin, rather than as an "ambient" plugin on PATH.
 */
export function installProviderPlugins(pulumiCli: string, env: NodeJS.ProcessEnv): void {
    const bin = buildProviderPlugins();
    for (const [name, version] of Object.entries(PROVIDER_PACKAGES) as Array<[ProviderPackage, string]>) {
        execFileSync(pulumiCli, ["plugin", "install", "resource", name, version, "--file", path.join(bin, `pulumi-resource-${name}`), "--non-interactive"], {
            env: { ...env, PULUMI_DISABLE_REGISTRY_RESOLVE: "true" },
            encoding: "utf8",
            stdio: ["ignore", "pipe", "pipe"],
            timeout: 60_000,
        });
    }
}
