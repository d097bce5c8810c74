import * as os from "node:os";
import * as path from "node:path";
import { defineConfig } from "vitest/config";

export default defineConfig({
    resolve: {
        // examples/ import the package by name, as another team would; tests run them against the source.
        alias: { "tls-platform": path.resolve("components/index.ts") }, // vitest runs from the project root
    },
    test: {
        include: ["components/**/*.test.ts", "tests/**/*.test.ts"],
        // Each file gets its own process: the Pulumi runtime keeps its mock monitor on `global`.
        pool: "forks",
        // Vitest's default is one worker per CPU but one (2 CPUs here: a single worker). Most files wait on
        // subprocesses (servers, the Pulumi CLI, npm), and each works in its own temp dirs, namespaces and
        // ephemeral ports, so two at a time on 2 CPUs ran the suite in 402 s instead of 607 s, both green.
        maxWorkers: Math.max(2, os.availableParallelism()),
        testTimeout: 60_000,
        hookTimeout: 60_000,
        reporters: ["default"],
    },
});
