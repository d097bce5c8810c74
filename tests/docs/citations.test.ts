import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";

// The package ships its sources' comments in the .d.ts files other teams read. A citation there must
// name something they can open: an upstream repository, file and function, an RFC, a documentation
// page. The team's internal notes (shared/reference/facts.md, testing-notes.md) are not in the
// repository, so a comment citing them sends the reader nowhere.

const ROOT = path.resolve(__dirname, "../..");
const SHIPPED_SOURCES = ["components", "tools", "plugin"];
const INTERNAL_NOTES = /facts\.md|facts §|testing-notes|shared\/reference|\/work\/shared/;

function sources(dir: string): string[] {
    return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
        const p = path.join(dir, e.name);
        if (e.isDirectory()) return e.name === "node_modules" ? [] : sources(p);
        return e.name.endsWith(".ts") && !e.name.endsWith(".test.ts") ? [p] : [];
    });
}

describe("comments in shipped sources", () => {
    const files = SHIPPED_SOURCES.flatMap((d) => sources(path.join(ROOT, d)));

    it("are found", () => {
        expect(files.length).toBeGreaterThan(30);
    });

    it("cite no note that is not in the repository", () => {
        const citing = files.flatMap((f) => fs.readFileSync(f, "utf8").split("\n")
            .map((line, i) => [line, i] as const)
            .filter(([line]) => INTERNAL_NOTES.test(line))
            .map(([line, i]) => `${path.relative(ROOT, f)}:${i + 1}: ${line.trim()}`));
        expect(citing).toEqual([]);
    });
});
