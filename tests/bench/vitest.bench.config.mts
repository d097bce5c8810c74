import { defineConfig } from "vitest/config";

// Measurements, not tests: kept out of the default `vitest run` (whose include is *.test.ts).
// Run from the repository root: npx vitest run --config tests/bench/vitest.bench.config.mts
export default defineConfig({
    test: {
        include: ["tests/bench/**/*.bench.ts"],
        pool: "forks",
        testTimeout: 300_000,
        hookTimeout: 120_000,
        reporters: ["default"],
    },
});
