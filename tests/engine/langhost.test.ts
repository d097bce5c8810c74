import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { describeWithServers, findPulumiCli } from "../harness/requirements";
import { cliWithLanguageHost, engineEnv } from "./stack";

// The project's own Node.js language host (tests/engine/langhost, a stand-in for pulumi-language-nodejs, which the
// Go module proxy will not serve) driven by the real Pulumi CLI: the engine starts it, asks it for the program's
// plugins and runs TypeScript programs, a policy pack and a component package through it. Each rule it carries
// from upstream main.go (README.md there) has a test here: the pure ones on their own, the rest through the CLI.

const ROOT = path.resolve(__dirname, "../..");
const POLICY_DIR = path.join(ROOT, "policy");
const SECRET = "probe-secret-7f3a9c";

interface Dependency { name: string; kind: string; version: string; server: string }
interface Rules {
    BAIL_EXIT_CODE: number;
    parseOptions(options: Record<string, unknown>, runtime?: string): { typescript: boolean; tsconfigpath: string; nodeargs: string; packagemanager: string };
    typescriptEnv(opts: { typescript: boolean; tsconfigpath: string }): string[];
    shlexSplit(input: string): string[];
    constructConfig(config: Iterable<[string, string]>): string;
    constructArguments(req: Record<string, unknown>, runPath: string, monitor: string, engine: string): string[];
    pluginArguments(kind: string, runPath: string, nodeArgs: string[], dir: string, args: string[]): string[];
    getPluginName(info: object): string;
    getPluginVersion(info: object): string;
    getPackagesFromDir(dir: string): { packages: Dependency[]; errors: string[] };
    compatibleVersions(a: { major: number; minor: number }, b: { major: number; minor: number }): [boolean, string];
}
const rules = createRequire(__filename)("./langhost/rules.js") as Rules;

/** The resource plugins this repository's node_modules names: every @pulumi package with `pulumi.resource`. */
const INSTALLED_PLUGINS = fs.readdirSync(path.join(ROOT, "node_modules/@pulumi"))
    .map((d) => JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/@pulumi", d, "package.json"), "utf8")) as { pulumi?: { resource?: boolean; name?: string; version?: string }; version: string })
    .filter((p) => p.pulumi?.resource)
    .map((p) => ({ name: p.pulumi!.name!, version: p.pulumi!.version ?? p.version }))
    .sort((a, b) => a.name.localeCompare(b.name));

describe("the stand-in language host's rules from main.go, without the engine", () => {
    it("prints its version as a release build does with `-version` (main: version.Version, the `v3.x.y` tag), the SDK's it serves with", () => {
        const run = spawnSync(path.join(__dirname, "langhost/pulumi-language-nodejs"), ["-version"], { encoding: "utf8" });
        const sdk = (JSON.parse(fs.readFileSync(path.join(ROOT, "node_modules/@pulumi/pulumi/package.json"), "utf8")) as { version: string }).version;
        expect([run.status, run.stdout]).toEqual([0, `v${sdk}\n`]);
    });

    it("passes config in the legacy `<namespace>:config:<name>` form (constructConfig)", () => {
        expect(JSON.parse(rules.constructConfig([["probe:name", "a"], ["aws:config:region", "b"]]))).toEqual({ "probe:config:name": "a", "aws:config:region": "b" });
    });

    it("refuses a config key that ParseKey refuses", () => {
        expect(() => rules.constructConfig([["a:b:c", "x"]])).toThrow("could not parse a:b:c as a configuration key (configuration keys should be of the form `<namespace>:<name>`)");
    });

    it("builds the run command line flag by flag, empty values left out, entry point last but the args (constructArguments)", () => {
        const req = { organization: "", project: "p", rootDirectory: "/r", stack: "dev", programDirectory: "/r/src", dryRun: true, parallel: 48, entryPoint: "./main.ts", args: ["x"] };
        expect(rules.constructArguments(req, "/sdk/cmd/run", "127.0.0.1:1", "127.0.0.1:2")).toEqual([
            "/sdk/cmd/run", "--monitor", "127.0.0.1:1", "--engine", "127.0.0.1:2", "--project", "p", "--root-directory", "/r",
            "--stack", "dev", "--pwd", "/r/src", "--dry-run", "--parallel", "48", "./main.ts", "x",
        ]);
        expect(rules.constructArguments({ ...req, dryRun: false }, "run", "m", "")).not.toContain("--dry-run");
    });

    it("puts a policy pack's directory last and a component package's first (RunPlugin)", () => {
        expect(rules.pluginArguments("analyzer", "rpp", ["--inspect"], "/pack", ["a"])).toEqual(["rpp", "--inspect", "a", "/pack"]);
        expect(rules.pluginArguments("resource", "rp", [], "/pkg", ["a"])).toEqual(["rp", "/pkg", "a"]);
    });

    it.each([
        [{ typescript: "yes" }, "typescript option must be a boolean"],
        [{ tsconfig: 1 }, "tsconfigpath option must be a string"],
        [{ nodeargs: ["--inspect"] }, "nodeargs option must be a string"],
        [{ production: "true" }, "production option must be a boolean"],
        [{ packagemanager: "cargo" }, 'packagemanager option must be one of auto, npm, yarn, pnpm or bun, got "cargo"'],
    ])("refuses runtime options %j as parseOptions does", (options, message) => {
        expect(() => rules.parseOptions(options)).toThrow(message);
    });

    it("runs TypeScript unless told not to, and hands tsconfig on (parseOptions, execRuntime)", () => {
        expect(rules.typescriptEnv(rules.parseOptions({}))).toEqual(["PULUMI_NODEJS_TYPESCRIPT=true"]);
        expect(rules.typescriptEnv(rules.parseOptions({ typescript: false, tsconfig: "t.json" }))).toEqual(["PULUMI_NODEJS_TSCONFIG_PATH=t.json"]);
        expect(rules.typescriptEnv(rules.parseOptions({ typescript: true }, "bun"))).toEqual([]);
    });

    it("splits nodeargs as shlex does", () => {
        expect(rules.shlexSplit(`--max-old-space-size=4096  --title "a b" 'c d' e\\ f`)).toEqual(["--max-old-space-size=4096", "--title", "a b", "c d", "e f"]);
        expect(() => rules.shlexSplit(`"open`)).toThrow("EOF found when expecting closing quote");
    });

    it.each([
        [{ name: "@pulumi/tls", version: "5.6.1", pulumi: { resource: true } }, "tls", "v5.6.1"],
        [{ name: "@pulumi/aws", version: "7.0.0", pulumi: { resource: true, name: "aws", version: "v7.1.0" } }, "aws", "v7.1.0"],
        [{ name: "@acme/widgets", version: "1.0.0", pulumi: { resource: true, name: "widgets" } }, "widgets", "v1.0.0"],
    ])("names the plugin of %j (getPluginName, getPluginVersion)", (info, name, version) => {
        expect([rules.getPluginName(info), rules.getPluginVersion(info)]).toEqual([name, version]);
    });

    it("refuses a third-party package that does not name its plugin (getPluginName)", () => {
        expect(() => rules.getPluginName({ name: "@acme/widgets", pulumi: { resource: true } })).toThrow(
            `Missing property "name" for the third-party plugin '@acme/widgets' inside package.json under the "pulumi" section.`);
    });

    it("finds the resource plugins in node_modules, through a symlink, but not inside a policy pack (getPackagesFromDir)", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "langhost-rules-"));
        try {
            fs.mkdirSync(path.join(dir, "node_modules"));
            fs.symlinkSync(path.join(ROOT, "node_modules/@pulumi"), path.join(dir, "node_modules/@pulumi"));
            fs.mkdirSync(path.join(dir, "pack"));
            fs.writeFileSync(path.join(dir, "pack/PulumiPolicy.yaml"), "runtime: nodejs\n");
            fs.symlinkSync(path.join(POLICY_DIR, "node_modules"), path.join(dir, "pack/node_modules"));
            const { packages } = rules.getPackagesFromDir(dir);
            expect(packages.map((p) => ({ name: p.name, version: p.version.slice(1) })).sort((a, b) => a.name.localeCompare(b.name))).toEqual(INSTALLED_PLUGINS);
            expect(new Set(packages.map((p) => p.kind))).toEqual(new Set(["resource"]));
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });

    it.each([
        [{ major: 3, minor: 1 }, { major: 3, minor: 200 }, true],
        [{ major: 2, minor: 0 }, { major: 3, minor: 0 }, false],
        [{ major: 1, minor: 0 }, { major: 2, minor: 5 }, true],
        [{ major: 0, minor: 17 }, { major: 1, minor: 0 }, true],
        [{ major: 0, minor: 16 }, { major: 0, minor: 17 }, false],
    ])("judges @pulumi/pulumi %j and %j compatible: %s (compatibleVersions)", (a, b, ok) => {
        expect(rules.compatibleVersions(a, b)[0]).toBe(ok);
    });
});

describeWithServers("the stand-in Node.js language host under the real Pulumi CLI", ["pulumi"], () => {
    let tmp: string;
    let env: NodeJS.ProcessEnv;
    let cli: string;
    let probe: string;
    let broken: string;
    let component: string;
    let bare: string;

    const pulumi = (cwd: string, args: string[]) => {
        const started = Date.now();
        const run = spawnSync(cli, [...args, "--non-interactive"], { cwd, env, encoding: "utf8", timeout: 60_000 });
        return { status: run.status, out: `${run.stdout}${run.stderr}`, stdout: run.stdout, ms: Date.now() - started };
    };
    const write = (dir: string, files: Record<string, string>) => {
        for (const [name, text] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
            fs.writeFileSync(path.join(dir, name), text);
        }
    };

    beforeAll(() => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "engine-langhost-"));
        // The CLI takes a language host from beside its own (symlink-resolved) binary before anything else
        // (sdk/go/common/workspace/plugins.go GetPluginPath), as a release ships it: so a copy of the binary
        // with the stand-in beside it, and no "using pulumi-language-nodejs from $PATH" warning.
        cli = cliWithLanguageHost(tmp, findPulumiCli()!);
        env = engineEnv(tmp);
        fs.mkdirSync(path.join(tmp, "state"));

        // A TypeScript program whose entry is Pulumi.yaml's `main`, reading plain and secret config.
        probe = path.join(tmp, "probe");
        write(probe, {
            "Pulumi.yaml": "name: probe\nmain: src/main.ts\nruntime:\n  name: nodejs\n  options:\n    typescript: true\n",
            "package.json": JSON.stringify({ name: "probe", private: true }),
            "src/main.ts": [
                `import * as pulumi from "@pulumi/pulumi";`,
                `class Greeting extends pulumi.ComponentResource {`,
                `    public readonly text: pulumi.Output<string>;`,
                `    constructor(name: string, who: string, opts?: pulumi.ComponentResourceOptions) {`,
                `        super("probe:index:Greeting", name, {}, opts);`,
                `        this.text = pulumi.output(\`hello \${who}\`);`,
                `        this.registerOutputs({ text: this.text });`,
                `    }`,
                `}`,
                `const config = new pulumi.Config();`,
                `pulumi.log.info(\`dry-run=\${pulumi.runtime.isDryRun()} at \${pulumi.getProject()}/\${pulumi.getStack()} secret-keys=\${process.env.PULUMI_CONFIG_SECRET_KEYS}\`);`,
                `export const greeting = new Greeting("greeting", config.require("who")).text;`,
                `export const token = config.requireSecret("token");`,
                ``,
            ].join("\n"),
        });
        // The package.json names nothing: this repository's node_modules gives it @pulumi/pulumi and ts-node.
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(probe, "node_modules"));
        expect(pulumi(probe, ["stack", "init", "dev", "--secrets-provider", "passphrase"]).status).toBe(0);
        expect(pulumi(probe, ["config", "set", "who", "world"]).status).toBe(0);
        expect(pulumi(probe, ["config", "set", "--secret", "token", SECRET]).status).toBe(0);

        // Plain JavaScript (typescript: false) that fails the way config asks it to.
        broken = path.join(tmp, "broken");
        write(broken, {
            "Pulumi.yaml": "name: broken\nruntime:\n  name: nodejs\n  options:\n    typescript: false\n",
            "package.json": JSON.stringify({ name: "broken", private: true, main: "index.js" }),
            "index.js": [
                `const pulumi = require("@pulumi/pulumi");`,
                `const how = new pulumi.Config().require("fail");`,
                `if (how === "throw") throw new Error("probe exploded: the greeting is missing");`,
                `if (how === "exit") process.exit(7);`,
                ``,
            ].join("\n"),
        });
        fs.symlinkSync(path.join(ROOT, "node_modules"), path.join(broken, "node_modules"));
        expect(pulumi(broken, ["stack", "init", "dev", "--secrets-provider", "passphrase"]).status).toBe(0);

        // A component package (PulumiPlugin.yaml). The engine installs every plugin its node_modules names, so it
        // gets @pulumi/pulumi alone rather than this repository's whole node_modules.
        component = path.join(tmp, "component");
        write(component, {
            "PulumiPlugin.yaml": "runtime: nodejs\n",
            "package.json": JSON.stringify({ name: "probe-components", version: "0.0.1", private: true, main: "index.ts" }),
            "index.ts": [
                `import * as pulumi from "@pulumi/pulumi";`,
                `/** What a Greeter takes. */`,
                `export interface GreeterArgs {`,
                `    /** Who to greet. */`,
                `    readonly who: pulumi.Input<string>;`,
                `}`,
                `/** A component that greets. */`,
                `export class Greeter extends pulumi.ComponentResource {`,
                `    /** The greeting. */`,
                `    public readonly text: pulumi.Output<string>;`,
                `    constructor(name: string, args: GreeterArgs, opts?: pulumi.ComponentResourceOptions) {`,
                `        super("probe-components:index:Greeter", name, args, opts);`,
                `        this.text = pulumi.interpolate\`hello \${args.who}\`;`,
                `        this.registerOutputs({ text: this.text });`,
                `    }`,
                `}`,
                ``,
            ].join("\n"),
        });
        fs.mkdirSync(path.join(component, "node_modules/@pulumi"), { recursive: true });
        fs.symlinkSync(path.join(ROOT, "node_modules/@pulumi/pulumi"), path.join(component, "node_modules/@pulumi/pulumi"));

        // A project whose dependencies were never installed.
        bare = path.join(tmp, "bare");
        write(bare, { "Pulumi.yaml": "name: bare\nruntime: nodejs\n", "package.json": JSON.stringify({ name: "bare", private: true }), "index.ts": "export {};\n" });
        expect(pulumi(bare, ["stack", "init", "dev", "--secrets-provider", "passphrase"]).status).toBe(0);
    }, 60_000);

    afterAll(() => {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    const aboutJson = (cwd: string) => {
        const run = pulumi(cwd, ["about", "--json"]);
        expect(run.status, run.out).toBe(0);
        expect(run.out).not.toContain("from $PATH");
        return JSON.parse(run.stdout) as { plugins: { name: string; version: string; kind: string }[]; runtime: Record<string, string> };
    };
    const resourcePlugins = (about: ReturnType<typeof aboutJson>) => about.plugins.filter((p) => p.kind === "resource").map(({ name, version }) => ({ name, version }));

    it("is the host the CLI runs: `pulumi about` names it and the plugins and versions it read from package.json files (GetRequiredPackages, About)", () => {
        const about = aboutJson(broken);
        expect(resourcePlugins(about)).toEqual(INSTALLED_PLUGINS);
        expect(about.plugins).toContainEqual({ name: "nodejs", version: "3.276.0", kind: "language" });
        expect(about.runtime).toMatchObject({ language: "nodejs", version: process.version, packagemanager: "npm" });
    });

    it("looks for plugins from the program directory down: with `main: src/main.ts` that is src/, which has no node_modules (GetRequiredPackages)", () => {
        expect(resourcePlugins(aboutJson(probe))).toEqual([]);
    });

    it("previews a TypeScript program from Pulumi.yaml's `main`: a component and a secret output, as a dry run of probe/dev", () => {
        const run = pulumi(probe, ["preview"]);
        expect(run.status, run.out).toBe(0);
        expect(run.out).toMatch(/\+\s+probe:index:Greeting\s+greeting\s+create/);
        expect(run.out).toContain(`dry-run=true at probe/dev secret-keys=["probe:token"]`);
        expect(run.out).toMatch(/greeting: "hello world"/);
        expect(run.out).toMatch(/token\s*: \[secret\]/);
        expect(run.out).toContain("+ 2 to create");
        expect(run.out).not.toContain(SECRET);
    });

    it("deploys it with `up --yes`, not as a dry run", () => {
        const run = pulumi(probe, ["up", "--yes"]);
        expect(run.status, run.out).toBe(0);
        expect(run.out).toContain("dry-run=false at probe/dev");
        expect(run.out).toContain("+ 2 created");
        expect(run.out).not.toContain(SECRET);
    });

    it("keeps the secret output secret: `stack output --json` masks it, `--show-secrets` reveals it", () => {
        const masked = pulumi(probe, ["stack", "output", "--json"]);
        expect(masked.status, masked.out).toBe(0);
        expect(JSON.parse(masked.stdout)).toEqual({ greeting: "hello world", token: "[secret]" });
        const shown = pulumi(probe, ["stack", "output", "--json", "--show-secrets"]);
        expect(shown.status, shown.out).toBe(0);
        expect(JSON.parse(shown.stdout)).toEqual({ greeting: "hello world", token: SECRET });
    });

    it("stores the secret only encrypted in the state file (the secret config key reached the program as secret)", () => {
        const state = fs.readFileSync(path.join(tmp, "state/.pulumi/stacks/probe/dev.json"), "utf8");
        expect(state).toContain("probe:index:Greeting");
        expect(state).toContain("4dabf18193072939515e22adb298388d"); // the secret signature
        expect(state).not.toContain(SECRET);
    });

    it("refreshes the stack with `refresh --yes`: nothing drifted", () => {
        const run = pulumi(probe, ["refresh", "--yes"]);
        expect(run.status, run.out).toBe(0);
        expect(run.out).toContain("2 unchanged");
    });

    it("previews no changes the second time (`preview --expect-no-changes`)", () => {
        const run = pulumi(probe, ["preview", "--expect-no-changes"]);
        expect(run.status, run.out).toBe(0);
        expect(run.out).toContain("2 unchanged");
    });

    it("runs the project's policy pack through RunPlugin and the policy proxy: `preview --policy-pack policy` passes", () => {
        expect(fs.existsSync(path.join(POLICY_DIR, "node_modules/@pulumi/policy")), "run `npm ci --prefix policy` first").toBe(true);
        const run = pulumi(probe, ["preview", "--policy-pack", POLICY_DIR]);
        expect(run.status, run.out).toBe(0);
        const version = (JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { version: string }).version;
        expect(run.out).toContain(`✅ tls-platform@v${version} (local: ${POLICY_DIR})`);
    });

    it("reports a program that throws: non-zero exit and its message, nothing more (exit 32 is a bail)", () => {
        const run = pulumi(broken, ["preview", "--config", "fail=throw"]);
        expect(run.status).not.toBe(0);
        expect(run.out).toContain("probe exploded: the greeting is missing");
        expect(run.out).not.toContain("Program exited with non-zero exit code");
    });

    it("reports a program that exits with a code of its own by that code (execRuntime)", () => {
        const run = pulumi(broken, ["preview", "--config", "fail=exit"]);
        expect(run.status).not.toBe(0);
        expect(run.out).toContain("Program exited with non-zero exit code: 7");
    });

    it("serves a component package's schema through RunPlugin: `pulumi package get-schema`", () => {
        const run = pulumi(tmp, ["package", "get-schema", "./component"]);
        expect(run.status, run.out).toBe(0);
        const schema = JSON.parse(run.stdout) as { name: string; resources: Record<string, { isComponent: boolean; inputProperties: Record<string, unknown> }> };
        expect(schema.name).toBe("probe-components");
        expect(schema.resources["probe-components:index:Greeter"]).toMatchObject({ isComponent: true, inputProperties: { who: { type: "string", description: "Who to greet." } } });
        // InstallDependencies installs nothing and says so (the stand-in never runs a package manager).
        expect(run.out).toContain("This language host does not install dependencies");
    });

    it("refuses to run a program without the SDK installed, with the real host's message (locateModule)", () => {
        const run = pulumi(bare, ["preview"]);
        expect(run.status).not.toBe(0);
        expect(run.out).toContain("error: an unhandled error occurred: It looks like the Pulumi SDK has not been installed. Have you run pulumi install?");
    });

    it("installs nothing: `pulumi install` without node_modules fails saying to run `npm ci` (InstallDependencies)", () => {
        const run = pulumi(bare, ["install"]);
        expect(run.status).not.toBe(0);
        expect(run.out).toContain(`error: installing dependencies: this language host does not install dependencies, and @pulumi/pulumi is not installed for ${bare}: run \`npm ci\` there`);
    });

    it("destroys the stack with `destroy --yes`", () => {
        const run = pulumi(probe, ["destroy", "--yes"]);
        expect(run.status, run.out).toBe(0);
        expect(run.out).toContain("- 2 deleted");
        const state = fs.readFileSync(path.join(tmp, "state/.pulumi/stacks/probe/dev.json"), "utf8");
        expect(state).not.toContain("probe:index:Greeting");
    });
});
