import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { defineConfig } from "vitest/config";
import { BaseSequencer, type TestSpecification } from "vitest/node";

/** A file that drives the real Pulumi CLI (tests/harness/requirements.ts `"pulumi"`, tests/engine/stack.ts). */
const NEEDS_ENGINE = /describeWithServers\([^\n]*"pulumi"|engineProject\(/;

/**
 * Vitest's order (failed first, then slowest), with every file that needs the Pulumi CLI last: .ci/run
 * builds the CLI in the background (minutes on a cold machine) and starts the tests at once; the other
 * files run meanwhile, and the first file that needs the CLI waits for the build
 * (tests/harness/requirements.ts awaitBackgroundEngineBuild).
 */
class EngineFilesLast extends BaseSequencer {
    override async sort(files: TestSpecification[]): Promise<TestSpecification[]> {
        const sorted = await super.sort(files);
        const needs = (f: TestSpecification) => NEEDS_ENGINE.test(fs.readFileSync(f.moduleId, "utf8"));
        return [...sorted.filter((f) => !needs(f)), ...sorted.filter(needs)];
    }
}

/** Files that run `npx --no-install tls-platform-*` in the repository (see the project below). */
const REBUILDS_DIST = ["tests/workflows/renew-verify.test.ts", "tests/engine/expiry.test.ts"];

export default defineConfig({
    resolve: {
        // examples/ import the package by name, as another team would; tests run them against the source.
        alias: { "tls-platform": path.resolve("components/index.ts") }, // vitest runs from the project root
    },
    test: {
        // Each file gets its own process: the Pulumi runtime keeps its mock monitor on `global`.
        pool: "forks",
        testTimeout: 60_000,
        sequence: { sequencer: EngineFilesLast },
        hookTimeout: 60_000,
        reporters: ["default"],
        projects: [
            {
                extends: true,
                test: {
                    name: "suite",
                    include: ["components/**/*.test.ts", "tests/**/*.test.ts"],
                    exclude: [...REBUILDS_DIST, "**/node_modules/**"],
                    // Vitest's default is one worker per CPU but one (2 CPUs here: a single worker). Most files
                    // wait on subprocesses (servers, the Pulumi CLI, npm), each in its own temp dirs, namespaces
                    // and ephemeral ports: two at a time on 2 CPUs ran the suite in 402 s instead of 607 s.
                    maxWorkers: Math.max(2, os.availableParallelism()),
                },
            },
            {
                extends: true,
                test: {
                    name: "rebuilds-dist",
                    include: REBUILDS_DIST,
                    // After every other file, one at a time: these run a workflow's `npx --no-install <this
                    // package's bin>` in the working tree as GitHub does, and npx with a fresh cache runs the
                    // package's `prepare` there, which deletes and rebuilds dist/ under any file using it.
                    sequence: { groupOrder: 1 },
                    maxWorkers: 1,
                },
            },
        ],
    },
});
