import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// package.json describes the package other teams install, so its `exports` and `main` name the
// built components. Pulumi's nodejs runtime would take exactly those as this repository's program
// when Pulumi.yaml sets no `main`: the engine then passes the entry point "." (pkg/engine/project.go
// getPwdMain), and @pulumi/pulumi's cmd/run/run.js run() tries `exports["."]`, then `main`. The
// components module registers no resource, so `pulumi up` would plan to delete the whole stack.

const ROOT = path.resolve(__dirname, "../..");

describe("the program `pulumi up` runs in this repository", () => {
    it("is index.ts, named by Pulumi.yaml, not package.json's entry point for consumers", () => {
        const project = parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8")) as { main?: string };
        expect(project.main).toBe("index.ts");
        expect(fs.existsSync(path.join(ROOT, project.main!))).toBe(true);
        const manifest = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
        expect([manifest.main, manifest.exports["."].default]).not.toContain(project.main);
    });
});
