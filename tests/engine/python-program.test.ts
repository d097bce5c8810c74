import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithServers, findPulumiCli, findPythonLanguageHost, PYTHON_VENV } from "../harness/requirements";
import { cliWithLanguageHost, engineEnv, plaintextLeaks, stateFiles } from "./stack";

// The Python language host stand-in (scripts/engine/pulumi-language-python) and its exec script under the real
// CLI, with a Python program on the pinned SDK that reads plain and secret config and fails in the ways config
// asks it to: each test checks one rule of the stand-in's README against what the CLI shows.

const TOKEN = "py-probe-token-5b2d0c7e";
const PROGRAM = [
    "import os, sys",
    "import pulumi",
    "",
    "config = pulumi.Config()",
    "how = config.get('fail')",
    "pulumi.log.info(f\"dry-run={pulumi.runtime.is_dry_run()} at {pulumi.get_project()}/{pulumi.get_stack()} \"",
    "                f\"secret-keys={os.environ.get('PULUMI_CONFIG_SECRET_KEYS')} argv={sys.argv} cwd={os.getcwd()}\")",
    "if how == 'raise':",
    "    raise ValueError('probe exploded: the greeting is missing')",
    "if how == 'runerror':",
    "    raise pulumi.RunError('probe refused: no greeting today')",
    "if how == 'exit':",
    "    sys.exit(7)",
    "pulumi.export('greeting', f\"hello {config.require('who')}\")",
    "pulumi.export('token', config.require_secret('token'))",
    "",
].join("\n");

const pulumiYaml = (name: string, venv: string, extra = "") => `name: ${name}\nruntime:\n  name: python\n  options:\n    toolchain: pip\n    virtualenv: ${venv}\n${extra}`;

describeWithServers("Python programs under the real CLI through the pulumi-language-python stand-in", ["pulumi", "python"], () => {
    let tmp: string;
    let cli: string;
    let env: NodeJS.ProcessEnv;
    const dir = (name: string) => path.join(tmp, name);
    const pulumi = (project: string, args: string[]) => {
        const run = spawnSync(cli, [...args, "--non-interactive"], { cwd: dir(project), env, encoding: "utf8", timeout: 120_000 });
        return { status: run.status, stdout: run.stdout, out: `${run.stdout}${run.stderr}` };
    };
    const write = (project: string, files: Record<string, string>) => {
        for (const [name, text] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir(project), name)), { recursive: true });
            fs.writeFileSync(path.join(dir(project), name), text);
        }
    };

    beforeAll(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "engine-python-program-"));
        cli = cliWithLanguageHost(tmp, findPulumiCli()!);
        fs.symlinkSync(findPythonLanguageHost()!, path.join(tmp, "bin/pulumi-language-python"));
        env = engineEnv(tmp);
        fs.mkdirSync(path.join(tmp, "state"));

        write("probe", { "Pulumi.yaml": pulumiYaml("probe", PYTHON_VENV), "__main__.py": PROGRAM, "requirements.txt": "pulumi==3.272.0\n" });
        // A relative virtualenv is under the project root; this one was never made.
        write("novenv", { "Pulumi.yaml": pulumiYaml("novenv", "venv"), "__main__.py": "import pulumi\n", "requirements.txt": "pulumi==3.272.0\n" });
        // `main` names a directory that has no __main__.py.
        write("nomain", { "Pulumi.yaml": pulumiYaml("nomain", PYTHON_VENV, "main: app/\n"), "app/helpers.py": "X = 1\n" });
        for (const project of ["probe", "novenv", "nomain"]) expect(pulumi(project, ["stack", "init", "dev", "--secrets-provider", "passphrase"]).status).toBe(0);
        expect(pulumi("probe", ["config", "set", "who", "world"]).status).toBe(0);
        expect(pulumi("probe", ["config", "set", "--secret", "token", TOKEN]).status).toBe(0);
    }, 120_000);

    afterAll(() => {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("previews with --dry_run true, project and stack, the secret keys in PULUMI_CONFIG_SECRET_KEYS, the entry point `.` as argv and --pwd as cwd (Run, runArguments, programEnv)", () => {
        const run = pulumi("probe", ["preview"]);
        expect(run.status, run.out).toBe(0);
        expect(run.out).toContain(`dry-run=True at probe/dev secret-keys=["probe:token"] argv=['.'] cwd=${dir("probe")}`);
    });

    it("deploys plain and secret config as outputs, the secret only encrypted in the state (PULUMI_CONFIG, set_all_config)", () => {
        const up = pulumi("probe", ["up", "--yes", "--skip-preview"]);
        expect(up.status, up.out).toBe(0);
        expect(up.out).toContain("dry-run=False at probe/dev");
        const outputs = JSON.parse(pulumi("probe", ["stack", "output", "--json", "--show-secrets"]).stdout) as Record<string, string>;
        expect(outputs).toEqual({ greeting: "hello world", token: TOKEN });
        expect(pulumi("probe", ["stack", "output", "--json"]).stdout).toContain('"token": "[secret]"');
        const files = stateFiles(tmp).filter((f) => f.includes(`${path.sep}probe${path.sep}`));
        expect(files.length).toBeGreaterThan(0);
        expect(plaintextLeaks([TOKEN], Object.fromEntries(files.map((f) => [f, fs.readFileSync(f, "utf8")])))).toEqual([]);
    });

    it("shows an unhandled exception once, with the program's own traceback, and adds no exit-code message (exit 32 is a bail)", () => {
        const run = pulumi("probe", ["preview", "--config", "fail=raise"]);
        expect(run.status).not.toBe(0);
        expect(run.out).toContain("Program failed with an unhandled exception:");
        expect(run.out).toContain(`File "${path.join(dir("probe"), "__main__.py")}", line 9, in <module>`);
        expect(run.out).toContain("ValueError: probe exploded: the greeting is missing");
        expect(run.out).not.toContain("pulumi-language-python-exec");
        expect(run.out).not.toContain("non-zero exit code");
    });

    it("logs a RunError's message alone, and the exit code 1 that follows (RunError, exit-code handling)", () => {
        const run = pulumi("probe", ["preview", "--config", "fail=runerror"]);
        expect(run.status).not.toBe(0);
        expect(run.out).toContain("error: probe refused: no greeting today");
        expect(run.out).not.toContain("Traceback");
        expect(run.out).toContain("program exited with non-zero exit code: 1");
    });

    it("reports a program that exits with a code of its own by that code", () => {
        const run = pulumi("probe", ["preview", "--config", "fail=exit"]);
        expect(run.status).not.toBe(0);
        expect(run.out).toContain("program exited with non-zero exit code: 7");
    });

    it("reports a `main` directory without __main__.py with the exec script's message", () => {
        const run = pulumi("nomain", ["preview"]);
        expect(run.status).not.toBe(0);
        expect(run.out).toContain(`unable to find main python program \`__main__.py\` in \`${path.join(dir("nomain"), "app")}\``);
        expect(run.out).not.toContain("non-zero exit code");
    });

    it("installs nothing: `pulumi install` says where the SDK is (InstallDependencies)", () => {
        const run = pulumi("probe", ["install"]);
        expect(run.status, run.out).toBe(0);
        expect(run.out).toContain(`This language host does not install dependencies; the pulumi SDK 3.272.0 is installed in ${PYTHON_VENV}`);
    });

    it("refuses a virtualenv that does not exist: `preview` with upstream's message, `pulumi install` saying what to run", () => {
        const venv = path.join(dir("novenv"), "venv");
        const preview = pulumi("novenv", ["preview"]);
        expect(preview.status).not.toBe(0);
        expect(preview.out).toContain(`The 'virtualenv' option in Pulumi.yaml is set to "venv", but "${venv}" doesn't exist`);
        const install = pulumi("novenv", ["install"]);
        expect(install.status).not.toBe(0);
        expect(install.out).toContain(`this language host does not install dependencies, and the pulumi SDK is not installed in ${venv}: create it and run \`${venv}/bin/python -m pip install -r requirements.txt\``);
        expect(fs.existsSync(venv)).toBe(false);
    });
});
