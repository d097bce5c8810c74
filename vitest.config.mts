import { defineConfig } from "vitest/config";

export default defineConfig({
    test: {
        include: ["components/**/*.test.ts", "tests/**/*.test.ts"],
        // Each file gets its own process: the Pulumi runtime keeps its mock monitor on `global`.
        pool: "forks",
        testTimeout: 60_000,
        hookTimeout: 60_000,
        reporters: ["default"],
    },
});
