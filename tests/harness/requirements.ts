/**
 * What a real-server suite needs from this machine, and the one rule for when it is not there: under
 * `CI=true` the suite fails (a suite that cannot run proves nothing, and a skipped one looks green);
 * elsewhere it is skipped, loudly, with what to install. Every suite that starts a real server declares
 * its needs through `describeWithServers`, and `requirements.test.ts` keeps it that way.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, it } from "vitest";

/** A tool the harness runs, found on PATH (root's PATH has the sbin directories; they are added here too). */
interface Tool {
    readonly kind: "tool";
    readonly commands: readonly string[];
    /** The Debian package that brings it. */
    readonly apt: string;
}

export type Need = "root" | "nginx" | "redis" | "postgres" | "moto" | "pulumi" | "python" | "openssl" | "curl" | "socat" | "unshare";

const TOOLS: Record<Exclude<Need, "root" | "postgres" | "moto" | "pulumi" | "python">, Tool> = {
    nginx: { kind: "tool", commands: ["nginx"], apt: "nginx-light" },
    redis: { kind: "tool", commands: ["redis-server", "redis-cli"], apt: "redis-server redis-tools" },
    openssl: { kind: "tool", commands: ["openssl"], apt: "openssl" },
    curl: { kind: "tool", commands: ["curl"], apt: "curl" },
    socat: { kind: "tool", commands: ["socat"], apt: "socat" },
    unshare: { kind: "tool", commands: ["unshare", "setpriv", "nsenter"], apt: "util-linux" },
};

const SEARCH_PATH = [...(process.env.PATH ?? "").split(path.delimiter), "/usr/local/sbin", "/usr/sbin", "/sbin"].filter((d) => d !== "");

/** The absolute path of `command` on PATH (plus the sbin directories), or undefined. */
export function findOnPath(command: string, searchPath: readonly string[] = SEARCH_PATH): string | undefined {
    for (const dir of searchPath) {
        const candidate = path.join(dir, command);
        try {
            fs.accessSync(candidate, fs.constants.X_OK);
            if (fs.statSync(candidate).isFile()) return candidate;
        } catch {
            // not here
        }
    }
    return undefined;
}

/** The PostgreSQL server programs the harness runs from one directory. */
const POSTGRES_PROGRAMS = ["postgres", "initdb", "pg_ctl", "psql", "pg_isready"];

const hasPostgresPrograms = (dir: string) => POSTGRES_PROGRAMS.every((p) => fs.existsSync(path.join(dir, p)));

/**
 * The directory of a local PostgreSQL server's programs, discovered rather than assumed:
 * `PG_BINDIR` if set; else the newest major under Debian/Ubuntu's `/usr/lib/postgresql/<major>/bin`
 * (any version: 15 on Debian 12, 17 on Debian 13); else `pg_config --bindir`; else the directory of a
 * `postgres` found on PATH (Fedora, Arch, Homebrew). Undefined when there is none.
 */
export function findPostgresBinDir(env: NodeJS.ProcessEnv = process.env, debianRoot = "/usr/lib/postgresql"): string | undefined {
    if (env.PG_BINDIR) return env.PG_BINDIR;
    const majors = fs.existsSync(debianRoot)
        ? fs.readdirSync(debianRoot).filter((v) => /^\d+(\.\d+)?$/.test(v)).sort((a, b) => Number(b) - Number(a))
        : [];
    for (const major of majors) {
        const dir = path.join(debianRoot, major, "bin");
        if (hasPostgresPrograms(dir)) return dir;
    }
    const pgConfig = findOnPath("pg_config");
    if (pgConfig) {
        try {
            const dir = execFileSync(pgConfig, ["--bindir"], { encoding: "utf8" }).trim();
            if (hasPostgresPrograms(dir)) return dir;
        } catch {
            // a pg_config without a server (libpq-dev only)
        }
    }
    const onPath = findOnPath("postgres");
    return onPath && hasPostgresPrograms(path.dirname(onPath)) ? path.dirname(onPath) : undefined;
}

const ROOT = path.resolve(__dirname, "../..");
const MOTO_VENV_SERVER = path.join(ROOT, ".ci/moto/venv/bin/moto_server");

/**
 * moto's server (`moto[server]`, a local AWS API, pinned in .ci/moto/requirements.txt): `MOTO_SERVER`,
 * else the venv `.ci/moto/install` makes, else `moto_server` on PATH.
 */
export function findMotoServer(env: NodeJS.ProcessEnv = process.env): string | undefined {
    if (env.MOTO_SERVER) return env.MOTO_SERVER;
    if (fs.existsSync(MOTO_VENV_SERVER)) return MOTO_VENV_SERVER;
    return findOnPath("moto_server");
}

function motoMissing(): string[] {
    const found = findMotoServer();
    if (!found) return ["moto_server (moto[server] 5.2.5): run .ci/moto/install, or set MOTO_SERVER to a moto_server"];
    try {
        fs.accessSync(found, fs.constants.X_OK);
        return [];
    } catch {
        return [`${process.env.MOTO_SERVER ? "MOTO_SERVER=" : ""}${found} is not an executable file: run .ci/moto/install, or point MOTO_SERVER at a moto_server`];
    }
}

/**
 * .ci/run starts scripts/engine/build.sh in the background and the tests at once, naming the build's
 * output file in PULUMI_ENGINE_BUILD_OUTPUT; the build writes the directory it built there, and its exit
 * status to `<file>.status` when it ends. The first lookup of the CLI in a test process waits for that
 * (the sequencer in vitest.config.mts runs such files last), then sets PULUMI_ENGINE_BIN. A failed build
 * is an error naming its output. Without PULUMI_ENGINE_BUILD_OUTPUT (a developer's machine) nothing waits.
 */
export function awaitBackgroundEngineBuild(env: NodeJS.ProcessEnv = process.env, timeoutMs = 40 * 60_000): void {
    const output = env.PULUMI_ENGINE_BUILD_OUTPUT;
    if (!output || env.PULUMI_ENGINE_BIN) return;
    const statusFile = `${output}.status`;
    const deadline = Date.now() + timeoutMs;
    const sleeper = new Int32Array(new SharedArrayBuffer(4));
    while (!fs.existsSync(statusFile)) {
        if (Date.now() > deadline) throw new Error(`the background engine build (scripts/engine/build.sh, output ${output}) did not finish within ${timeoutMs / 60_000} minutes`);
        Atomics.wait(sleeper, 0, 0, 1000);
    }
    const status = fs.readFileSync(statusFile, "utf8").trim();
    if (status !== "0") throw new Error(`the background engine build (scripts/engine/build.sh) failed with exit status ${status}; its log is in CI's output above`);
    env.PULUMI_ENGINE_BIN = fs.readFileSync(output, "utf8").trim();
    process.env.PULUMI_ENGINE_BIN = env.PULUMI_ENGINE_BIN;
}

/** The Pulumi CLI version scripts/engine builds: the `pkg/v3` its go.mod requires. */
export const ENGINE_VERSION = /^require github\.com\/pulumi\/pulumi\/pkg\/v3 (v[0-9.]+)$/m.exec(fs.readFileSync(path.join(ROOT, "scripts/engine/go.mod"), "utf8"))![1]!;

/**
 * The Pulumi CLI built by scripts/engine/build.sh: `PULUMI_ENGINE_BIN` (the directory the script
 * prints; .ci/run exports it), else its cache directory for this version, else `pulumi` on PATH if it
 * is that version. Undefined when none is found.
 */
export function findPulumiCli(env: NodeJS.ProcessEnv = process.env): string | undefined {
    awaitBackgroundEngineBuild(env);
    const candidates: string[] = [];
    if (env.PULUMI_ENGINE_BIN) candidates.push(path.join(env.PULUMI_ENGINE_BIN, "pulumi"));
    const cache = path.join(env.XDG_CACHE_HOME || path.join(env.HOME ?? "/root", ".cache"), "tls-platform/engine");
    if (fs.existsSync(cache)) {
        candidates.push(...fs.readdirSync(cache).filter((d) => d.startsWith(`${ENGINE_VERSION}-`)).map((d) => path.join(cache, d, "bin/pulumi")));
    }
    const onPath = findOnPath("pulumi");
    if (onPath) candidates.push(onPath);
    return candidates.find((c) => {
        try {
            return execFileSync(c, ["version"], { encoding: "utf8", env: { ...process.env, PULUMI_SKIP_UPDATE_CHECK: "true" } }).trim() === ENGINE_VERSION;
        } catch {
            return false;
        }
    });
}

/** The venv tests/engine/python/install makes: the Python SDK (pulumi 3.272.0) of the engine's Python program. */
export const PYTHON_VENV = path.join(ROOT, "tests/engine/python/venv");

/**
 * The Python language host stand-in (scripts/engine/pulumi-language-python) that scripts/engine/build.sh
 * builds into the directory it prints: `PULUMI_ENGINE_BIN`'s, else the newest such directory in its cache
 * for this version. Undefined when there is none.
 */
export function findPythonLanguageHost(env: NodeJS.ProcessEnv = process.env): string | undefined {
    awaitBackgroundEngineBuild(env);
    const cache = path.join(env.XDG_CACHE_HOME || path.join(env.HOME ?? "/root", ".cache"), "tls-platform/engine");
    const built = fs.existsSync(cache)
        ? fs.readdirSync(cache).filter((d) => d.startsWith(`${ENGINE_VERSION}-`) && d.includes("-py")).map((d) => path.join(cache, d, "bin"))
            .sort((a, b) => fs.statSync(b).mtimeMs - fs.statSync(a).mtimeMs)
        : [];
    return [...(env.PULUMI_ENGINE_BIN ? [env.PULUMI_ENGINE_BIN] : []), ...built].map((d) => path.join(d, "pulumi-language-python")).find((h) => fs.existsSync(h));
}

function pythonMissing(): string[] {
    const missing: string[] = [];
    if (!fs.existsSync(path.join(PYTHON_VENV, ".requirements.sha256"))) missing.push("the Python SDK venv (pulumi 3.272.0): run tests/engine/python/install");
    if (!findPythonLanguageHost()) missing.push("pulumi-language-python beside the Pulumi CLI: run scripts/engine/build.sh and export PULUMI_ENGINE_BIN=<the directory it prints>");
    return missing;
}

/** Why `needs` are not met on this machine (one line per missing thing, with the fix), or []. */
export function missingNeeds(needs: readonly Need[]): string[] {
    const missing: string[] = [];
    for (const need of new Set(needs)) {
        if (need === "root") {
            if (process.getuid?.() !== 0) missing.push("root (the harness uses mount, network and PID namespaces): run as root, as CI does");
        } else if (need === "pulumi") {
            if (!findPulumiCli()) missing.push(`the Pulumi CLI ${ENGINE_VERSION}: run scripts/engine/build.sh (Go and the module proxy) and export PULUMI_ENGINE_BIN=<the directory it prints>`);
        } else if (need === "python") {
            missing.push(...pythonMissing());
        } else if (need === "moto") {
            missing.push(...motoMissing());
        } else if (need === "postgres") {
            const dir = findPostgresBinDir();
            if (!dir) {
                missing.push(`a PostgreSQL server (${POSTGRES_PROGRAMS.join(", ")}): apt-get install postgresql, or set PG_BINDIR to the directory holding them`);
            } else if (!hasPostgresPrograms(dir)) {
                missing.push(`PG_BINDIR=${dir} lacks one of ${POSTGRES_PROGRAMS.join(", ")}`);
            }
        } else {
            const tool = TOOLS[need];
            const absent = tool.commands.filter((c) => !findOnPath(c));
            if (absent.length > 0) missing.push(`${absent.join(", ")}: apt-get install ${tool.apt}`);
        }
    }
    return missing;
}

/** What a suite does with what is missing: run, fail (under CI) or skip loudly (elsewhere). */
export function suiteMode(missing: readonly string[], env: NodeJS.ProcessEnv = process.env): "run" | "fail" | "skip" {
    if (missing.length === 0) return "run";
    return env.CI === "true" ? "fail" : "skip";
}

/**
 * `describe` for a suite that starts real servers. When something it needs is missing, under `CI=true`
 * the suite is one failing test naming what is missing; elsewhere it is skipped with a warning.
 */
export function describeWithServers(title: string, needs: readonly Need[], body: () => void): void {
    const missing = missingNeeds(needs);
    switch (suiteMode(missing)) {
        case "run":
            describe(title, body);
            return;
        case "fail":
            describe(title, () => {
                it("cannot run on this machine, which under CI=true is a failure, not a skip", () => {
                    throw new Error(`missing:\n  - ${missing.join("\n  - ")}`);
                });
            });
            return;
        case "skip":
            console.warn(`\n*** SKIPPED (outside CI only): "${title}": missing:\n  - ${missing.join("\n  - ")}\n***\n`);
            describe.skip(title, body);
            return;
    }
}
