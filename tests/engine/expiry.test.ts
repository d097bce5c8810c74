import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithServers } from "../harness/requirements";
import { workflowStep } from "./quickstart";
import { engineProject, type EngineProject, plaintextLeaks, ROOT, secretsIn, type StateResource } from "./stack";

// The expiry check through the real Pulumi CLI (the pinned build, the emulated tls plugin): one small
// project, named `tls-platform` with a `dev` stack like the repository's, whose program is a CA and two
// leaves from the components. It is deployed with the plugins' clock (PROVIDER_EMULATOR_NOW) 80 days
// back, so by the real clock each leaf (90 days, renewed in its last 30) has 10 days left and the CA
// 1015. On that state: tls-platform-expiry (the built bin) and expiry.yml's own steps fail naming the
// leaves; `pulumi preview --policy-pack` fires certificate-expiry on a leaf the plan does not renew and
// stays silent when the plan renews it; a pack config above the CA's validity fires on the CA. Then
// renew.yml's `pulumi up` renews the leaves, and the same CLI and steps pass.

const POLICY_DIR = path.join(ROOT, "policy");
const BIN = path.join(ROOT, "dist/tools/expiry/cli.js");
const NODE_BIN = path.dirname(process.execPath);
const DAY = 86_400_000;
const LEAF = "tls:index/locallySignedCert:LocallySignedCert";
const CA = "tls:index/selfSignedCert:SelfSignedCert";
const LEAF_NAMES = ["expiry-app-cert", "expiry-db-cert"];

const PROGRAM = `import { Certificate, CertificateAuthority } from "./components";
const ca = new CertificateAuthority("expiry-ca", { commonName: "expiry test CA" });
new Certificate("expiry-db", { ca, commonName: "db", dnsNames: ["db.internal"] });
new Certificate("expiry-app", { ca, commonName: "app", purpose: "client" });
`;

/** `[mandatory]` diagnostics of certificate-expiry in a preview's output, one per line. */
const expiryViolations = (out: string) => out.split("\n").filter((l) => /\[mandatory\]\s+certificate-expiry\s/.test(l) || /^\s+`expiry-[a-z]+-cert` \(tls:index\//.test(l));
/** The resources (`type: name`) certificate-expiry's mandatory diagnostics name in a preview's output. */
const firedOn = (out: string) => [...out.matchAll(/\[mandatory\]\s+certificate-expiry\s+\((\S+: \S+)\)/g)].map((m) => m[1]!).sort();

interface StepRun { status: number | null; stdout: string; stderr: string }

describeWithServers("certificate expiry through the real engine: tls-platform-expiry, expiry.yml's steps and the certificate-expiry rule on a stack whose leaves have 10 days left", ["pulumi"], () => {
    let engine: EngineProject;
    const issued = Date.now() - 80 * DAY;
    const atIssue = { PROVIDER_EMULATOR_NOW: new Date(issued).toISOString() };
    let secrets: string[];

    const exportTo = (file: string) => {
        const state = engine.exportState("dev");
        fs.writeFileSync(path.join(engine.tmp, file), state.text);
        return { file: path.join(engine.tmp, file), resources: state.resources };
    };
    const cli = (args: string[]) => {
        const run = spawnSync(process.execPath, [BIN, ...args], { encoding: "utf8", env: { PATH: process.env.PATH } });
        return { status: run.status, stdout: run.stdout, stderr: run.stderr };
    };
    /**
     * expiry.yml's export and check steps, their `run:` text as GitHub runs a bash step (`bash --noprofile
     * --norc -eo pipefail {0}`) from the repository's root (the checkout), with what the steps before
     * them leave: the Pulumi CLI on PATH, the package built (npx finds its own bin), the job's env
     * (STACK, PULUMI_BACKEND_URL: here the engine project's file backend) and no passphrase.
     */
    const workflowSteps = (): StepRun[] => {
        const runnerTemp = fs.mkdtempSync(path.join(engine.tmp, "runner-temp-"));
        const results: StepRun[] = [];
        for (const name of ["Export the stack's state (secrets stay encrypted)", "Check certificate expiry"]) {
            const step = workflowStep("expiry.yml", name);
            expect(Object.keys(step.env).sort()).toEqual(["PULUMI_BACKEND_URL", "STACK"]);
            const script = path.join(runnerTemp, `${results.length}.sh`);
            fs.writeFileSync(script, step.run);
            const run = spawnSync("bash", ["--noprofile", "--norc", "-eo", "pipefail", script], {
                cwd: ROOT,
                encoding: "utf8",
                timeout: 60_000,
                env: {
                    PATH: [path.join(engine.tmp, "bin"), NODE_BIN, "/usr/bin", "/bin"].join(path.delimiter),
                    HOME: engine.tmp,
                    PULUMI_HOME: engine.env.PULUMI_HOME,
                    PULUMI_SKIP_UPDATE_CHECK: "true",
                    PULUMI_BACKEND_URL: engine.env.PULUMI_BACKEND_URL,
                    STACK: "dev",
                    RUNNER_TEMP: runnerTemp,
                },
            });
            console.log(`expiry.yml "${name}": exit ${run.status}`);
            results.push({ status: run.status, stdout: run.stdout, stderr: `${run.stderr}${run.error ? run.error.message : ""}` });
            if (run.status !== 0) break;
        }
        return results;
    };
    const preview = (extraEnv: NodeJS.ProcessEnv = {}, config?: Record<string, unknown>) => {
        const args = ["preview", "--stack", "dev", "--policy-pack", POLICY_DIR];
        if (config) {
            const file = path.join(engine.tmp, `pack-config-${Object.keys(config).join("-")}.json`);
            fs.writeFileSync(file, JSON.stringify({ "certificate-expiry": config }));
            args.push("--policy-pack-config", file);
        }
        return engine.pulumi(args, { extraEnv, timeout: 120_000 });
    };

    beforeAll(() => {
        expect(fs.existsSync(path.join(POLICY_DIR, "node_modules/@pulumi/policy")), "run `npm ci --prefix policy` first").toBe(true);
        expect(fs.existsSync(BIN), "dist/tools/expiry/cli.js is missing: run `npm run build`").toBe(true);
        engine = engineProject("engine-expiry", ["dev"]);
        fs.rmSync(path.join(engine.project, "index.ts"));
        fs.writeFileSync(path.join(engine.project, "index.ts"), PROGRAM);
        engine.initStack("dev");
        const up = engine.pulumi(["up", "--yes", "--skip-preview"], { extraEnv: atIssue, timeout: 120_000 });
        expect(up.status, up.out).toBe(0);
        secrets = secretsIn(engine.exportState("dev", true).resources).secrets;
    }, 180_000);

    afterAll(() => engine?.remove());

    it("deployed two leaves with 10 days left and a CA with 1015, by the real clock", () => {
        const state = engine.resources("dev");
        const certs = state.filter((r) => r.type === LEAF || r.type === CA);
        const left = (r: StateResource) => Math.round((Date.parse(r.outputs!.validityEndTime) - Date.now()) / DAY);
        expect(certs.map((r) => `${r.urn.split("::").pop()} ${left(r)}`).sort()).toEqual(["expiry-app-cert 10", "expiry-ca-cert 1015", "expiry-db-cert 10"]);
        expect(secrets.some((s) => s.includes("PRIVATE KEY"))).toBe(true);
    });

    it("tls-platform-expiry on `pulumi stack export` fails (exit 1) naming each leaf, its type and end date, and not the CA; as of the deployment day (--now) it passes; nothing secret printed", () => {
        const { file, resources } = exportTo("state-day80.json");
        const run = cli([file]);
        expect(run.status, run.stdout + run.stderr).toBe(1);
        const lines = run.stdout.trim().split("\n");
        for (const name of LEAF_NAMES) {
            const end = resources.find((r) => r.urn.endsWith(`::${name}`))!.outputs!.validityEndTime as string;
            expect(lines).toContainEqual(expect.stringMatching(new RegExp(`^error: \`${name}\` \\(${LEAF}\\) expires at ${end}, (9 days 23 hours|10 days) after .*fewer than the 14 days \`certificate-expiry\` requires of a leaf certificate .* run \`pulumi up\``)));
        }
        expect(run.stdout).not.toContain("expiry-ca-cert");
        expect(lines.at(-1)).toMatch(/^certificate-expiry: 3 certificates in .*state-day80\.json checked at \S+ \(leaves need 14 days left, CAs 90\): 2 with a problem\.$/);
        expect(plaintextLeaks(secrets, { stdout: run.stdout, stderr: run.stderr })).toEqual([]);
        console.log(run.stdout);

        const thatDay = cli(["--now", new Date(issued + 3_600_000).toISOString(), file]);
        expect(thatDay.status, thatDay.stdout).toBe(0);
        expect(thatDay.stdout).toMatch(/: all fine\.\n$/);
    });

    it("expiry.yml's steps, run as written, export the state without the passphrase and fail the job at the check, naming each leaf", () => {
        const [exported, checked] = workflowSteps();
        expect(exported!.status, exported!.stderr).toBe(0);
        expect(checked, "the check step ran").toBeDefined();
        expect(checked!.status, checked!.stdout + checked!.stderr).toBe(1);
        for (const name of LEAF_NAMES) expect(checked!.stdout).toContain(`error: \`${name}\` (${LEAF}) expires at `);
        expect(checked!.stdout).toMatch(/: 2 with a problem\.\n$/);
        expect(plaintextLeaks(secrets, { stdout: checked!.stdout + exported!.stdout, stderr: checked!.stderr + exported!.stderr })).toEqual([]);
    });

    it("`pulumi preview --policy-pack` fires certificate-expiry on each leaf when the plan does not renew it (the plugins' clock at the deployment day)", () => {
        const run = preview(atIssue);
        expect(run.status, run.out).not.toBe(0);
        console.log(expiryViolations(run.out).join("\n"));
        expect(firedOn(run.out)).toEqual(LEAF_NAMES.map((n) => `tls:index:LocallySignedCert: ${n}`));
        for (const name of LEAF_NAMES) expect(run.out).toMatch(new RegExp(`\`${name}\` \\(${LEAF}\\) expires at \\S+, (9 days 23 hours|10 days) after \\S+: fewer than the 14 days`));
        expect(run.out).not.toMatch(/`expiry-ca-cert` \(/);
        expect(run.out).not.toMatch(/tls:index:LocallySignedCert\s+\S+\s+replace/);
    });

    it("`pulumi preview --policy-pack` at the real time plans the leaves' renewal (inside their window) and certificate-expiry stays silent", () => {
        const run = preview();
        expect(run.status, run.out).toBe(0);
        for (const name of LEAF_NAMES) expect(run.out).toMatch(new RegExp(`tls:index:LocallySignedCert\\s+${name}\\s+replace`));
        expect(run.out).not.toContain("certificate-expiry");
        expect(run.out).toMatch(/Policies:\s*\n\s*✅ tls-platform@v\S+ \(local: /);
    });

    it("`pulumi preview --policy-pack-config` with caMinDaysLeft above the CA's validity fires on the CA (not renewed), not on the leaves (renewed)", () => {
        const run = preview({}, { caMinDaysLeft: 2000, leafMinDaysLeft: 100 });
        expect(run.status, run.out).not.toBe(0);
        console.log(expiryViolations(run.out).join("\n"));
        expect(firedOn(run.out)).toEqual(["tls:index:SelfSignedCert: expiry-ca-cert"]);
        expect(run.out).toMatch(new RegExp(`\`expiry-ca-cert\` \\(${CA}\\) expires at \\S+, (1014 days 23 hours|1015 days) after \\S+: fewer than the 2000 days \`certificate-expiry\` requires of a CA certificate`));
        for (const name of LEAF_NAMES) expect(run.out).not.toContain(`\`${name}\` (`);
    });

    it("renew.yml's `pulumi up` with the pack renews the leaves (the rule passes the new ones), then the CLI and expiry.yml's steps pass", () => {
        const line = workflowStep("renew.yml", "pulumi up (replaces certificates inside their renewal window)").run;
        expect(line).toBe('pulumi up --stack "$STACK" --yes --policy-pack ./policy --non-interactive');
        const up = engine.pulumi(["up", "--stack", "dev", "--yes", "--policy-pack", POLICY_DIR], { timeout: 120_000 });
        expect(up.status, up.out).toBe(0);
        expect(up.out).not.toContain("certificate-expiry");
        const { file } = exportTo("state-renewed.json");
        const run = cli([file]);
        expect(run.status, run.stdout + run.stderr).toBe(0);
        expect(run.stdout).toMatch(/^certificate-expiry: 3 certificates in .*state-renewed\.json checked at \S+ \(leaves need 14 days left, CAs 90\): all fine\.\n$/);
        const steps = workflowSteps();
        expect(steps.map((s) => s.status)).toEqual([0, 0]);
        expect(steps[1]!.stdout).toMatch(/: all fine\.\n$/);
    });
});
