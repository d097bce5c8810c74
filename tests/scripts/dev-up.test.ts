import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findOnPath } from "../harness/requirements";

// `npm run dev:up`, the README's quickstart, as a new user runs it: the real npm, bash and script, on
// a copy of what a fresh clone has for it (package.json, package-lock.json, scripts/), with a PATH that
// holds exactly the tools each case is about. The first release ran a long `npm ci` (wiping
// node_modules every time) before finding out that pulumi or Docker was missing.

const ROOT = path.resolve(__dirname, "../..");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "dev-up-"));
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const NODE_24 = process.execPath; // the tests run on the pinned Node (tests/package/node-version.test.ts)
const NPM_CLI = fs.realpathSync(findOnPath("npm")!);
/** An end-of-life Node.js, pinned in .ci/node beside the one the tests run on. */
const NODE_20 = path.join(ROOT, ".ci/node/node_modules/node-20/bin/node");
/** Where no Docker engine listens, whatever the machine running the tests has. */
const NO_ENGINE = "unix:///nonexistent/docker.sock";

let cases = 0;
/** A fresh copy of the clone's files the quickstart uses, and a bin directory with only `tools`. */
function clone(tools: Record<string, string>, files: Record<string, string> = {}): { dir: string; bin: string } {
    const dir = path.join(tmp, `clone-${++cases}`);
    fs.mkdirSync(path.join(dir, "scripts"), { recursive: true });
    for (const f of ["package.json", "package-lock.json", "scripts/dev-up.sh"]) fs.copyFileSync(path.join(ROOT, f), path.join(dir, f));
    for (const [f, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, f), text);
    const bin = path.join(dir, ".bin");
    fs.mkdirSync(bin);
    // What any shell has; npm runs scripts with sh, and its own bin starts with `#!/usr/bin/env node`.
    for (const t of ["sh", "bash", "env", "dirname", "cat", "sed", "mkdir"]) fs.symlinkSync(findOnPath(t)!, path.join(bin, t));
    fs.symlinkSync(NPM_CLI, path.join(bin, "npm"));
    for (const [name, target] of Object.entries(tools)) {
        if (target.startsWith("#!")) fs.writeFileSync(path.join(bin, name), target, { mode: 0o755 });
        else fs.symlinkSync(target, path.join(bin, name));
    }
    return { dir, bin };
}

/** `npm run dev:up` as the README has it, or the script itself (`direct`), timed. */
function devUp(c: { dir: string; bin: string }, direct = false) {
    const started = process.hrtime.bigint();
    const [command, args] = direct ? [path.join(c.bin, "bash"), ["scripts/dev-up.sh"]] : [path.join(c.bin, "npm"), ["run", "--silent", "dev:up"]];
    const run = spawnSync(command, args, {
        cwd: c.dir,
        encoding: "utf8",
        env: { PATH: c.bin, HOME: c.dir, DOCKER_HOST: NO_ENGINE, npm_config_cache: path.join(tmp, "npm-cache"), npm_config_update_notifier: "false" },
        timeout: 120_000,
    });
    return { ...run, output: run.stdout + run.stderr, seconds: Number(process.hrtime.bigint() - started) / 1e9 };
}

describe("npm run dev:up checks before it installs anything", () => {
    it("without the Pulumi CLI and Docker: one message naming both and how to get them, within two seconds, nothing installed", () => {
        const c = clone({ node: NODE_24 });
        // The script's own checks take a fraction of a second; npm's start-up comes on top, and on a
        // loaded 2-core CI machine it varies, so the bound for the whole `npm run` is looser.
        expect(devUp(c, true).seconds).toBeLessThan(2);
        const run = devUp(c);
        expect(run.status, run.output).not.toBe(0);
        expect(run.seconds).toBeLessThan(5);
        expect(run.output).toContain("dev:up: cannot bring the dev stack up; missing:");
        expect(run.output).toContain("  - the Pulumi CLI: https://www.pulumi.com/docs/iac/download-install/");
        expect(run.output).toContain("  - Docker: https://docs.docker.com/engine/install/");
        expect(run.output).toContain("dev:up: nothing was installed or changed.");
        expect(fs.existsSync(path.join(c.dir, "node_modules"))).toBe(false);
    });

    it("with the Docker CLI but no engine, and Node 20: names the stopped engine (Docker's own words) and the old Node", () => {
        // The real Docker CLI where the machine has one (these machines do, without an engine). Elsewhere
        // a stand-in that answers as the CLI does when nothing listens on DOCKER_HOST: exit 1 and the
        // client's ErrorConnectionFailed text (moby/moby client/errors.go).
        const docker = findOnPath("docker")
            ?? "#!/bin/sh\necho \"Cannot connect to the Docker daemon at $DOCKER_HOST. Is the docker daemon running?\" >&2\nexit 1\n";
        expect(fs.existsSync(NODE_20), `${NODE_20}: run \`npm ci --prefix .ci/node\``).toBe(true);
        const c = clone({ node: NODE_20, docker });
        const run = devUp(c);
        expect(run.status, run.output).not.toBe(0);
        expect(run.seconds).toBeLessThan(5);
        expect(run.output).toContain(`  - a running Docker engine: \`docker info\` says: Cannot connect to the Docker daemon at ${NO_ENGINE}. Is the docker daemon running?`);
        expect(run.output).toContain("  - a newer Node.js: Node.js 20.");
        expect(run.output).toContain(`is older than ${JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")).engines.node}`);
        expect(fs.existsSync(path.join(c.dir, "node_modules"))).toBe(false);
    });
});

describe("npm run dev:up installs only when needed, then creates the stack and runs pulumi up", () => {
    // Pulumi and a Docker engine cannot run here: these two stand in only for "present and working",
    // and record what the script asks of pulumi. npm is real, on a project with nothing to download.
    const log = path.join(tmp, "pulumi-calls.log");
    const tools = {
        node: NODE_24,
        pulumi: `#!/bin/sh\necho "pulumi $* (passphrase set: \${PULUMI_CONFIG_PASSPHRASE:+yes})" >> ${log}\n`,
        docker: "#!/bin/sh\n[ \"$1\" = info ] && echo 28.2.2\n",
    };
    const project = {
        "package.json": JSON.stringify({ name: "dev-up-fixture", version: "1.0.0", engines: { node: ">=22.13.0" }, scripts: { "dev:up": "bash scripts/dev-up.sh" } }),
        "package-lock.json": JSON.stringify({ name: "dev-up-fixture", version: "1.0.0", lockfileVersion: 3, requires: true, packages: { "": { name: "dev-up-fixture", version: "1.0.0" } } }),
    };
    const c = clone(tools, project);

    it("first run: npm ci, then `pulumi stack select dev --create` and `pulumi up` with the dev passphrase", () => {
        const run = devUp(c);
        expect(run.status, run.output).toBe(0);
        expect(run.output).not.toContain("skipping npm ci");
        expect(fs.readFileSync(path.join(c.dir, "node_modules/.tls-platform-lock.sha256"), "utf8")).toMatch(/^[0-9a-f]{64}$/);
        expect(fs.readFileSync(log, "utf8").trim().split("\n")).toEqual([
            "pulumi stack select dev --create --secrets-provider passphrase --non-interactive (passphrase set: yes)",
            "pulumi up --stack dev --yes --non-interactive --skip-preview (passphrase set: yes)",
        ]);
    });

    it("second run with the same lockfile: keeps node_modules, no npm ci", () => {
        const marker = path.join(c.dir, "node_modules/kept");
        fs.writeFileSync(marker, "");
        const run = devUp(c);
        expect(run.status, run.output).toBe(0);
        expect(run.output).toContain("dev:up: dependencies are installed for this package-lock.json and Node.js major; skipping npm ci");
        expect(fs.existsSync(marker)).toBe(true);
    });

    it("after the lockfile changes: npm ci again (which starts from an empty node_modules)", () => {
        const lock = JSON.parse(project["package-lock.json"]);
        fs.writeFileSync(path.join(c.dir, "package-lock.json"), JSON.stringify({ ...lock, packages: { "": { ...lock.packages[""], license: "MIT" } } }));
        const run = devUp(c);
        expect(run.status, run.output).toBe(0);
        expect(run.output).not.toContain("skipping npm ci");
        expect(fs.existsSync(path.join(c.dir, "node_modules/kept"))).toBe(false);
    });
});
