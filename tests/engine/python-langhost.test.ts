import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { expect, it } from "vitest";
import { describeWithServers } from "../harness/requirements";
import { ROOT } from "./stack";

// The Python language host stand-in's rules (scripts/engine/pulumi-language-python/README.md) are tested in Go,
// beside the code, with `go test`; this runs them as part of the suite, so CI sees a broken rule. Go is on every
// machine that has the CLI: scripts/engine/build.sh builds both. The engine test python-component.test.ts runs
// the stand-in through the real CLI.

const STAND_IN = path.join(ROOT, "scripts/engine/pulumi-language-python");

/** The `Test...` functions of the stand-in's Go tests. */
const goTests = () => [...fs.readFileSync(path.join(STAND_IN, "rules_test.go"), "utf8").matchAll(/^func (Test\w+)\(t \*testing\.T\)/gm)].map((m) => m[1]!);

describeWithServers("the pulumi-language-python stand-in's rules (go test)", ["pulumi"], () => {
    it("passes every Go test of a rule, each by name", () => {
        const run = spawnSync("go", ["test", "-count=1", "-json", "./pulumi-language-python/"], { cwd: path.join(ROOT, "scripts/engine"), encoding: "utf8", timeout: 300_000, maxBuffer: 64 * 1024 * 1024 });
        expect(run.error).toBeUndefined();
        const events = run.stdout.split("\n").filter((l) => l.startsWith("{")).map((l) => JSON.parse(l) as { Action: string; Test?: string; Output?: string });
        const failed = events.filter((e) => e.Action === "fail");
        expect(failed.map((e) => e.Test ?? "(package)"), events.filter((e) => e.Output).map((e) => e.Output).join("") + run.stderr).toEqual([]);
        const passed = events.filter((e) => e.Action === "pass" && e.Test && !e.Test.includes("/")).map((e) => e.Test!);
        expect(passed.sort()).toEqual(goTests().sort());
        expect(passed.length).toBeGreaterThanOrEqual(12);
    }, 300_000);
});
