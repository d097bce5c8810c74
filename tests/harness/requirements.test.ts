import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { findPostgresBinDir, missingNeeds, suiteMode } from "./requirements";

const ROOT = path.resolve(__dirname, "../..");

describe("suiteMode: a real-server suite that cannot run fails under CI and skips loudly elsewhere", () => {
    it.each([
        [[], { CI: "true" }, "run"],
        [[], {}, "run"],
        [["nginx: apt-get install nginx-light"], { CI: "true" }, "fail"],
        [["nginx: apt-get install nginx-light"], {}, "skip"],
        [["nginx: apt-get install nginx-light"], { CI: "false" }, "skip"],
    ] as const)("missing %j with env %j: %s", (missing, env, mode) => {
        expect(suiteMode(missing, env)).toBe(mode);
    });

    // The real runner, on a suite that needs PostgreSQL where there is none: the CI run must go red.
    const runFixture = (ci: boolean) => spawnSync(
        process.execPath,
        [path.join(ROOT, "node_modules/vitest/vitest.mjs"), "run", "--config", "tests/harness/fixtures/vitest.fixture.config.mts"],
        {
            cwd: ROOT,
            encoding: "utf8",
            env: { ...process.env, CI: ci ? "true" : "", PG_BINDIR: "/nonexistent/postgresql/bin", NO_COLOR: "1" },
            timeout: 60_000,
        },
    );

    it("under CI=true, vitest exits non-zero and names what is missing and how to get it", () => {
        const run = runFixture(true);
        const output = run.stdout + run.stderr;
        expect(run.status, output).toBe(1);
        expect(output).toContain("cannot run on this machine, which under CI=true is a failure, not a skip");
        expect(output).toContain("PG_BINDIR=/nonexistent/postgresql/bin lacks one of postgres, initdb, pg_ctl, psql, pg_isready");
    });

    it("outside CI, vitest passes with the suite skipped and a warning saying why", () => {
        const run = runFixture(false);
        const output = run.stdout + run.stderr;
        expect(run.status, output).toBe(0);
        expect(output).toContain('*** SKIPPED (outside CI only): "a suite that needs PostgreSQL": missing:');
        expect(output).toMatch(/1 skipped/);
    });
});

describe("missingNeeds", () => {
    it("finds what this machine has (CI installs all of it)", () => {
        if (process.env.CI === "true") {
            expect(missingNeeds(["root", "nginx", "redis", "postgres", "openssl", "curl", "socat", "unshare"])).toEqual([]);
        }
        expect(missingNeeds([])).toEqual([]);
    });
});

describe("findPostgresBinDir: the local server is discovered, not assumed to be Debian 12's PostgreSQL 15", () => {
    const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pgbin-"));
    afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));
    const fakeInstall = (dir: string, programs = ["postgres", "initdb", "pg_ctl", "psql", "pg_isready"]) => {
        fs.mkdirSync(dir, { recursive: true });
        for (const p of programs) fs.writeFileSync(path.join(dir, p), "#!/bin/sh\n", { mode: 0o755 });
        return dir;
    };

    it("takes PG_BINDIR when set", () => {
        expect(findPostgresBinDir({ PG_BINDIR: "/opt/pg/bin" }, tmp)).toBe("/opt/pg/bin");
    });

    it("takes the newest complete major under /usr/lib/postgresql, whatever the number", () => {
        const root = path.join(tmp, "debian");
        fakeInstall(path.join(root, "15/bin"));
        const newest = fakeInstall(path.join(root, "17/bin"));
        fakeInstall(path.join(root, "18/bin"), ["psql"]); // a client-only install: not a server
        expect(findPostgresBinDir({}, root)).toBe(newest);
    });

    it("finds this machine's server, with every program the harness runs", () => {
        const dir = findPostgresBinDir();
        if (process.env.CI === "true") expect(dir).toBeDefined();
        if (dir) for (const p of ["postgres", "initdb", "pg_ctl", "psql", "pg_isready"]) expect(fs.existsSync(path.join(dir, p)), p).toBe(true);
    });
});

describe("every suite that starts real servers declares its needs", () => {
    const testFiles = (dir: string): string[] => fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? testFiles(path.join(dir, e.name)) : e.name.endsWith(".test.ts") ? [path.join(dir, e.name)] : []);
    const startsServers = (text: string) => /from "(\.\.?\/)+((harness\/)?(images\/[a-z-]+|namespace)|(verify\/)?moto)"/.test(text);
    const suites = testFiles(path.join(ROOT, "tests")).filter((f) => startsServers(fs.readFileSync(f, "utf8")));

    it("finds the server suites", () => {
        expect(suites.map((f) => path.relative(ROOT, f))).toEqual(expect.arrayContaining([
            "tests/servers/nginx.test.ts", "tests/servers/postgres.test.ts", "tests/servers/application.test.ts", "tests/harness/namespace.test.ts",
            "tests/servers/dragonfly.test.ts", "tests/verify/live.test.ts", "tests/verify/secrets.test.ts", "tests/workflows/renew-verify.test.ts",
        ]));
    });

    it.each(suites.map((f) => [path.relative(ROOT, f)]))("%s uses describeWithServers and never skips on its own", (file) => {
        const text = fs.readFileSync(path.join(ROOT, file), "utf8");
        expect(text).toContain("describeWithServers(");
        expect(text).not.toMatch(/\b(describe|it|test)\.(skip|skipIf|runIf)\b/);
    });
});
