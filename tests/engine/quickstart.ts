import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import { type EngineProject, ROOT } from "./stack";

// The README's and the workflows' own command lines, run unchanged by bash in an engine project
// (tests/engine/stack.ts): `pulumi` on PATH is the pinned CLI with the language host stand-in beside
// it, the plugins are the emulated ones, and `docker` is a stand-in for the one Docker CLI call that
// happens outside a plugin, dev-up.sh's engine check. Nothing else is replaced.

/** What `docker info --format '{{.ServerVersion}}'` prints here: the emulated docker plugin stands in for the engine. */
export const EMULATED_DOCKER_ENGINE = "emulated (tests/engine/providers)";

const DOCKER_STAND_IN = `#!/bin/sh
# Stand-in for the Docker CLI, for scripts/dev-up.sh's engine check only; the containers themselves
# are the emulated docker plugin's (tests/engine/providers). Any other call fails, so nothing can
# silently rely on a Docker engine that is not here.
if [ "$#" -eq 3 ] && [ "$1" = info ] && [ "$2" = --format ] && [ "$3" = '{{.ServerVersion}}' ]; then
    echo '${EMULATED_DOCKER_ENGINE}'
    exit 0
fi
echo "docker stand-in (tests/engine/quickstart.ts): only \\\`docker info --format {{.ServerVersion}}\\\` is emulated, not: docker $*" >&2
exit 1
`;

export interface CommandRun { status: number | null; stdout: string; out: string }

export interface Quickstart {
    /** Runs `line` with bash in the project: PATH starts with the CLI (and host) and the docker stand-in. */
    bash(line: string, extraEnv?: NodeJS.ProcessEnv, timeout?: number): CommandRun;
}

/**
 * Adds to the engine project what a clone has for the README's commands: `scripts/`, `package-lock.json`
 * and `policy/` (links), and a `node_modules` of its own whose entries link to the repository's, holding
 * the install stamp dev-up.sh writes after its `npm ci` (so the script finds the dependencies installed,
 * as on a second run, and the stamp lands in the temp project, not the repository).
 */
export function quickstart(engine: EngineProject): Quickstart {
    for (const name of ["scripts", "package-lock.json", "policy"]) fs.symlinkSync(path.join(ROOT, name), path.join(engine.project, name));
    const modules = path.join(engine.project, "node_modules");
    fs.rmSync(modules);
    fs.mkdirSync(modules);
    for (const entry of fs.readdirSync(path.join(ROOT, "node_modules"))) {
        if (entry !== ".tls-platform-lock.sha256") fs.symlinkSync(path.join(ROOT, "node_modules", entry), path.join(modules, entry));
    }
    // dev-up.sh's stamp: sha256 of the lockfile, then `node <major>` of the Node.js that installed it.
    const stamp = createHash("sha256").update(fs.readFileSync(path.join(ROOT, "package-lock.json"))).update(`node ${process.versions.node.split(".")[0]}`).digest("hex");
    fs.writeFileSync(path.join(modules, ".tls-platform-lock.sha256"), stamp);

    const dockerBin = path.join(engine.tmp, "docker-bin");
    fs.mkdirSync(dockerBin);
    fs.writeFileSync(path.join(dockerBin, "docker"), DOCKER_STAND_IN, { mode: 0o755 });
    const PATH = [path.join(engine.tmp, "bin"), dockerBin, engine.env.PATH].join(path.delimiter);

    return {
        bash(line, extraEnv = {}, timeout = 120_000) {
            const started = Date.now();
            const run = spawnSync("bash", ["-euo", "pipefail", "-c", line], {
                cwd: engine.project,
                env: { ...engine.env, PATH, ...extraEnv },
                encoding: "utf8",
                timeout,
                maxBuffer: 64 * 1024 * 1024,
            });
            console.log(`bash -c ${JSON.stringify(line)}: exit ${run.status} in ${Date.now() - started} ms`);
            return { status: run.status, stdout: run.stdout, out: `${run.stdout}${run.stderr}${run.error ? `\n${run.error.message}` : ""}` };
        },
    };
}

/** The command lines of the README's ```bash blocks that start with `prefix`, comments kept (bash drops them). */
export function readmeCommands(prefix: string): string[] {
    const readme = fs.readFileSync(path.join(ROOT, "README.md"), "utf8");
    const blocks = [...readme.matchAll(/^```bash\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
    return blocks.flatMap((b) => b.split("\n")).filter((l) => l.startsWith(prefix));
}

/** The `run:` of the step named `stepName` in `.github/workflows/<file>`, and the job's env. */
export function workflowStep(file: string, stepName: string): { run: string; env: Record<string, string> } {
    type Job = { env?: Record<string, string>; steps: Array<{ name?: string; run?: string }> };
    const workflow = parse(fs.readFileSync(path.join(ROOT, ".github/workflows", file), "utf8")) as { jobs: Record<string, Job> };
    for (const job of Object.values(workflow.jobs)) {
        const step = job.steps.find((s) => s.name === stepName);
        if (step?.run) return { run: step.run, env: job.env ?? {} };
    }
    throw new Error(`no step named ${JSON.stringify(stepName)} with a run: in .github/workflows/${file}`);
}
