import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConnectionDocument, pgClientConfig } from "../../components";
import { type RegisteredInputs, type RunningDataServices, startDataServices } from "../harness/images/data-services";
import { withDeliveredTlsFiles } from "../harness/volumes";
import { describeWithServers } from "../harness/requirements";
import { atHarnessPort, redisRoundTrip } from "../platform/documents";
import { EMULATED_DOCKER_ENGINE, quickstart, type Quickstart, readmeCommands, workflowStep } from "./quickstart";
import { engineProject, type EngineProject, expectOnlyEncrypted, ROOT, secretsIn, type StateResource } from "./stack";

// The project itself (index.ts, program/, components/, Pulumi.yaml and Pulumi.dev.yaml) as `npm run dev:up`
// deploys it, but through the real Pulumi CLI with the language host stand-in and the emulated tls, random,
// docker and aws plugins: preview under the policy pack, up, no diff after up or refresh, the documents it
// exports reaching real servers started from the containers it registered, secrets only encrypted at rest,
// and destroy. The project directory is a temp one of links to the repository's files and copies of the two
// Pulumi.*.yaml, because `stack init` writes `encryptionsalt` into Pulumi.dev.yaml. The preview is the CI
// workflow's step, the deployment the README's `npm run dev:up` and the outputs the README's
// `pulumi stack output` lines, each run unchanged by bash (tests/engine/quickstart.ts).

const POLICY_DIR = path.join(ROOT, "policy");
const CONTAINER = "docker:index/container:Container";

type Json = any;
type Documents = Record<"cache" | "database" | "proxy", ConnectionDocument>;

describeWithServers("the dev stack through the real engine: the project's own program under the Pulumi CLI, the language host stand-in and the emulated plugins", ["pulumi", "root", "postgres", "redis", "socat", "unshare"], () => {
    let engine: EngineProject;
    let shell: Quickstart;
    let repoDevYaml: string;

    const pulumi = (args: string[], timeout = 90_000) => engine.pulumi(args, { timeout });
    const exported = (showSecrets: boolean) => engine.exportState("dev", showSecrets);
    /** `+ 38 to create`, `38 unchanged`: the count a summary line gives, or undefined. */
    const summary = (out: string, pattern: RegExp) => Number(pattern.exec(out)?.[1]);

    beforeAll(() => {
        expect(fs.existsSync(path.join(POLICY_DIR, "node_modules/@pulumi/policy")), "run `npm ci --prefix policy` first").toBe(true);
        repoDevYaml = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
        engine = engineProject("engine-dev-stack", ["dev"]);
        shell = quickstart(engine);
        engine.initStack("dev");
    }, 90_000);

    afterAll(() => {
        engine?.remove();
    });

    it("wrote the stack's encryption salt into the temp project's Pulumi.dev.yaml, not the repository's", () => {
        expect(fs.readFileSync(path.join(engine.project, "Pulumi.dev.yaml"), "utf8")).toMatch(/^encryptionsalt: v1:/m);
        expect(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).toBe(repoDevYaml);
    });

    let planned: number;
    it("previews with the CI workflow's own step (preview.yml, `STACK=dev`) under the policy pack: the pack passes and the preview lists the CA, passwords and three containers to create", () => {
        const step = workflowStep("preview.yml", "pulumi preview with the policy pack");
        expect(step.run).toContain("--policy-pack ./policy");
        // The policy pack compiles with ts-node in its analyzer before the plan: minutes on a loaded 2-CPU machine.
        const run = shell.bash(step.run, { STACK: "dev" }, 240_000);
        expect(run.status, run.out).toBe(0);
        const version = (JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { version: string }).version;
        expect(run.out).toContain(`✅ tls-platform@v${version} (local: policy)`);
        const creates = [...run.out.matchAll(/^ \+\s+(\S+)\s+(\S+)\s+create\b/gm)].map((m) => `${m[1]} ${m[2]}`);
        expect(creates).toEqual(expect.arrayContaining([
            "pulumi:pulumi:Stack tls-platform-dev",
            "tls:index:SelfSignedCert platform-ca-cert",
            "tls:index:LocallySignedCert app-client-cert",
            "random:index:RandomPassword cache-password",
            "random:index:RandomPassword db-app-password",
            "random:index:RandomPassword db-superuser-password",
            "docker:index:Container cache",
            "docker:index:Container db",
            "docker:index:Container proxy",
            // Certificates reach each server through its TLS volume: a writer and a reload command per service.
            ...["db", "cache", "proxy"].flatMap((n) => [`docker:index:Volume ${n}-tls`, `command:local:Command ${n}-tls-files`, `command:local:Command ${n}-tls-reload`]),
        ]));
        planned = summary(run.out, /\+ (\d+) to create/);
        expect(new Set(creates).size).toBe(planned);
    }, 250_000);

    it("deploys them with the README's `npm run dev:up`, unchanged: its checks pass (CLI, the docker stand-in's engine, Node.js), it skips `npm ci` for an installed lockfile and `pulumi up` creates what the preview planned", () => {
        expect(readmeCommands("npm run dev:up")).toEqual(["npm run dev:up"]);
        const run = shell.bash("npm run dev:up", {}, 120_000);
        expect(run.status, run.out).toBe(0);
        expect(run.out).toContain("dev:up: dependencies are installed for this package-lock.json and Node.js major; skipping npm ci");
        expect(run.out).not.toContain("missing:");
        expect(summary(run.out, /\+ (\d+) created/)).toBe(planned);
        expect(shell.bash("docker info --format '{{.ServerVersion}}'").stdout.trim()).toBe(EMULATED_DOCKER_ENGINE);
        expect(shell.bash("docker ps").status, "the docker stand-in answers nothing but the engine check").toBe(1);
    }, 150_000);

    it("previews no changes right after `up` (`preview --expect-no-changes`): the plugins' Diff finds nothing in the program's own inputs", () => {
        const run = pulumi(["preview", "--expect-no-changes", "--diff"]);
        expect(run.status, run.out).toBe(0);
        expect(summary(run.out, /(\d+) unchanged/)).toBe(planned);
    }, 60_000);

    let documents: Documents;
    it("exports the connection documents as one secret output: masked by `stack output`, revealed by the README's own command line", () => {
        const masked = pulumi(["stack", "output", "connections", "--json"]);
        expect(masked.status, masked.out).toBe(0);
        expect(JSON.parse(masked.stdout)).toBe("[secret]");
        const [showDocuments] = readmeCommands("pulumi stack output connections");
        expect(showDocuments).toMatch(/--show-secrets --json --stack dev/);
        const shown = shell.bash(showDocuments!);
        expect(shown.status, shown.out).toBe(0);
        documents = JSON.parse(shown.stdout) as Documents;
        expect(Object.keys(documents).sort()).toEqual(["cache", "database", "proxy"]);
        expect([documents.cache.service, documents.database.service, documents.proxy.service]).toEqual(["redis", "postgres", "https"]);
    });

    it("writes the CA with the README's `pulumi stack output caCertPem --stack dev > ca.pem`: one certificate, the CA every document trusts", () => {
        const [saveCa] = readmeCommands("pulumi stack output caCertPem");
        expect(saveCa).toMatch(/> ca\.pem$/);
        const run = shell.bash(saveCa!);
        expect(run.status, run.out).toBe(0);
        const pem = fs.readFileSync(path.join(engine.project, "ca.pem"), "utf8");
        const ca = new X509Certificate(pem);
        expect(ca.ca).toBe(true);
        for (const d of Object.values(documents)) expect(new X509Certificate(d.tls.ca.pem!).fingerprint256).toBe(ca.fingerprint256);
    });

    describe("real servers started from the containers the stack registered (inputs from `pulumi stack export --show-secrets`)", () => {
        let services: RunningDataServices;

        beforeAll(async () => {
            const resources = engine.resources("dev", true);
            const containers = resources.filter((r) => r.type === CONTAINER);
            const commands = resources.filter((r) => r.type === "command:local:Command").map((r) => r.inputs ?? {});
            // The certificates are not uploads: the TLS volume's writer command delivers them (its stdin, from the state).
            const inputs = (name: string) => withDeliveredTlsFiles((containers.find((c) => c.inputs!.name === name)?.inputs ?? {}) as Record<string, Json>, commands);
            const db = inputs("tls-platform-dev-db");
            const df = inputs("tls-platform-dev-cache");
            expect(db.command?.[0], "no container tls-platform-dev-db in the state").toBe("postgres");
            expect(df.command, "no container tls-platform-dev-cache in the state").toBeDefined();
            services = await startDataServices({ database: db as RegisteredInputs, cache: df as RegisteredInputs }, "dev-stack");
        }, 90_000);

        afterAll(async () => {
            await services?.stop();
        });

        it("PostgreSQL takes pg with nothing but the database document (pgClientConfig): verified TLS, the client certificate, the password", async () => {
            expect(documents.database.tls.clientCertificate).not.toBeNull();
            const client = new Client({ ...pgClientConfig(atHarnessPort(documents.database, services.database.hostPort)), connectionTimeoutMillis: 10_000 });
            await client.connect();
            try {
                const { rows } = await client.query("SELECT current_user, ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
                expect(rows).toEqual([{ current_user: "app", ssl: true, version: expect.stringMatching(/^TLSv1\.[23]$/) }]);
            } finally {
                await client.end();
            }
        });

        it("the cache takes ioredis with nothing but the cache document (ioredisOptions): rediss://, the CA, the password", async () => {
            expect(await redisRoundTrip(documents.cache, services.cache.hostPort)).toEqual({ ping: "PONG", value: "hello over TLS" });
        });
    });

    it("keeps every generated secret out of the state files on disk and out of a plain `stack export`: passwords, private keys, URLs with passwords", () => {
        const shown = exported(true);
        const { revealed: shownState, secrets: inSecrets } = secretsIn(shown.resources);
        const state = shownState as StateResource[];
        const passwords = state.filter((r) => r.type === "random:index/randomPassword:RandomPassword").map((r) => r.outputs!.result as string);
        expect(passwords).toHaveLength(3);
        const privateKeys = state.filter((r) => r.type === "tls:index/privateKey:PrivateKey").map((r) => r.outputs!.privateKeyPem as string);
        expect(privateKeys.length).toBeGreaterThanOrEqual(5);
        const urls = Object.values(documents).filter((d) => d.password).map((d) => d.url);
        expect(urls).toHaveLength(2);
        const generated = new Set([
            ...passwords, ...privateKeys, ...urls,
            ...Object.values(documents).flatMap((d) => [d.password, d.tls.clientCertificate?.privateKeyPem]),
            // What a secret input holds that carries one of them: DFLY_requirepass=…, an upload's key or password file.
            ...inSecrets.filter((s) => s.includes("PRIVATE KEY") || passwords.some((p) => s.includes(p))),
        ].filter((s): s is string => typeof s === "string" && s.length > 0));
        for (const secret of privateKeys) expect(inSecrets, "a private key outside a secret").toContain(secret);

        expectOnlyEncrypted(generated, { shownExport: shown.text, plainExport: exported(false).text, backend: engine.tmp, stackFile: "tls-platform/dev.json" });
    });

    it("refreshes (`refresh --yes`) and then previews no changes", () => {
        const refresh = pulumi(["refresh", "--yes"]);
        expect(refresh.status, refresh.out).toBe(0);
        expect(summary(refresh.out, /(\d+) unchanged/)).toBe(planned);
        const preview = pulumi(["preview", "--expect-no-changes", "--diff"]);
        expect(preview.status, preview.out).toBe(0);
        expect(summary(preview.out, /(\d+) unchanged/)).toBe(planned);
    }, 90_000);

    it("destroys everything with `destroy --yes`: the exported state holds no resource but, at most, the stack", () => {
        const run = pulumi(["destroy", "--yes"]);
        expect(run.status, run.out).toBe(0);
        expect(summary(run.out, /- (\d+) deleted/)).toBe(planned);
        expect(exported(false).resources.filter((r) => r.type !== "pulumi:pulumi:Stack")).toEqual([]);
        expect(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).toBe(repoDevYaml);
    }, 90_000);
});
