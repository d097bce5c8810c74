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
        testTimeout: 60_000,
        hookTimeout: 60_000,
        reporters: ["default"],
    },
});
