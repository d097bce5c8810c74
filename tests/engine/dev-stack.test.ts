import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Redis from "ioredis";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ConnectionDocument, ioredisOptions, pgClientConfig } from "../../components";
import { DRAGONFLY_FLAGS } from "../dragonfly-model";
import { SECRET_SIG, SECRET_VALUE } from "../emulator/secrets";
import { createPostgresVolume, startPostgresImage, type PostgresVolume, type RunningPostgres } from "../harness/images/postgres";
import { startRedisStandIn, type RunningStandIn } from "../harness/images/redis";
import { describeWithServers, findPulumiCli } from "../harness/requirements";
import { atHarnessPort } from "../platform/documents";
import { installProviderPlugins } from "./providers/index";

// The project itself (index.ts, program/, components/, Pulumi.yaml and Pulumi.dev.yaml) as `npm run dev:up`
// deploys it, but through the real Pulumi CLI with the language host stand-in and the emulated tls, random,
// docker and aws plugins: preview under the policy pack, up, no diff after up or refresh, the documents it
// exports reaching real servers started from the containers it registered, secrets only encrypted at rest,
// and destroy. The project directory is a temp one of links to the repository's files and copies of the two
// Pulumi.*.yaml, because `stack init` writes `encryptionsalt` into Pulumi.dev.yaml.

const ROOT = path.resolve(__dirname, "../..");
const LANGHOST = path.join(__dirname, "langhost/pulumi-language-nodejs");
const POLICY_DIR = path.join(ROOT, "policy");
const LINKED = ["index.ts", "program", "components", "node_modules", "package.json", "tsconfig.json"];
const CONTAINER = "docker:index/container:Container";

type Json = any;
interface StateResource { urn: string; type: string; inputs?: Record<string, Json>; outputs?: Record<string, Json> }
type Documents = Record<"cache" | "database" | "proxy", ConnectionDocument>;

/** A value of `pulumi stack export --show-secrets` with every secret replaced by its plaintext (a JSON text). */
function revealed(value: Json, inSecret = false, secrets?: string[]): Json {
    if (typeof value === "object" && value !== null && value[SECRET_SIG] === SECRET_VALUE) {
        if (!("plaintext" in value)) throw new Error(`a secret left encrypted by --show-secrets: ${JSON.stringify(value).slice(0, 120)}`);
        return revealed(JSON.parse(value.plaintext as string), true, secrets);
    }
    if (Array.isArray(value)) return value.map((v) => revealed(v, inSecret, secrets));
    if (typeof value === "object" && value !== null) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, revealed(v, inSecret, secrets)]));
    if (inSecret && typeof value === "string") secrets?.push(value);
    return value;
}

/** Every string in a JSON value, decoded. */
function strings(value: Json): string[] {
    if (typeof value === "string") return [value];
    if (typeof value === "object" && value !== null) return Object.values(value).flatMap(strings);
    return [];
}

describeWithServers("the dev stack through the real engine: the project's own program under the Pulumi CLI, the language host stand-in and the emulated plugins", ["pulumi", "root", "postgres", "redis", "socat", "unshare"], () => {
    let tmp: string;
    let project: string;
    let cli: string;
    let env: NodeJS.ProcessEnv;
    let repoDevYaml: string;

    const pulumi = (args: string[], timeout = 90_000) => {
        const started = Date.now();
        const run = spawnSync(cli, [...args, "--non-interactive"], { cwd: project, env, encoding: "utf8", timeout, maxBuffer: 64 * 1024 * 1024 });
        const ms = Date.now() - started;
        console.log(`pulumi ${args.join(" ")}: exit ${run.status} in ${ms} ms`);
        return { status: run.status, stdout: run.stdout, out: `${run.stdout}${run.stderr}${run.error ? `\n${run.error.message}` : ""}` };
    };
    const exported = (showSecrets: boolean) => {
        const run = pulumi(["stack", "export", ...(showSecrets ? ["--show-secrets"] : [])]);
        expect(run.status, run.out).toBe(0);
        return { text: run.stdout, resources: ((JSON.parse(run.stdout) as Json).deployment.resources ?? []) as StateResource[] };
    };
    /** `+ 38 to create`, `38 unchanged`: the count a summary line gives, or undefined. */
    const summary = (out: string, pattern: RegExp) => Number(pattern.exec(out)?.[1]);

    beforeAll(() => {
        expect(fs.existsSync(path.join(POLICY_DIR, "node_modules/@pulumi/policy")), "run `npm ci --prefix policy` first").toBe(true);
        repoDevYaml = fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8");
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "engine-dev-stack-"));
        // The CLI takes the language host beside its own binary first (langhost.test.ts says why): a hard-linked copy.
        const bin = path.join(tmp, "bin");
        fs.mkdirSync(bin);
        cli = path.join(bin, "pulumi");
        try {
            fs.linkSync(findPulumiCli()!, cli);
        } catch {
            fs.copyFileSync(findPulumiCli()!, cli);
            fs.chmodSync(cli, 0o755);
        }
        fs.symlinkSync(LANGHOST, path.join(bin, "pulumi-language-nodejs"));

        project = path.join(tmp, "project");
        fs.mkdirSync(project);
        fs.copyFileSync(path.join(ROOT, "Pulumi.yaml"), path.join(project, "Pulumi.yaml"));
        fs.writeFileSync(path.join(project, "Pulumi.dev.yaml"), repoDevYaml.replace(/^encryptionsalt:.*\n?/m, ""));
        for (const name of LINKED) fs.symlinkSync(path.join(ROOT, name), path.join(project, name));

        fs.mkdirSync(path.join(tmp, "state"));
        env = {
            PATH: process.env.PATH,
            HOME: tmp,
            PULUMI_HOME: path.join(tmp, "pulumi-home"),
            PULUMI_BACKEND_URL: `file://${path.join(tmp, "state")}`,
            PULUMI_CONFIG_PASSPHRASE: "engine-test-only",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
        };
        installProviderPlugins(cli, env);
        const init = pulumi(["stack", "init", "dev", "--secrets-provider", "passphrase"]);
        expect(init.status, init.out).toBe(0);
    }, 90_000);

    afterAll(() => {
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    it("wrote the stack's encryption salt into the temp project's Pulumi.dev.yaml, not the repository's", () => {
        expect(fs.readFileSync(path.join(project, "Pulumi.dev.yaml"), "utf8")).toMatch(/^encryptionsalt: v1:/m);
        expect(fs.readFileSync(path.join(ROOT, "Pulumi.dev.yaml"), "utf8")).toBe(repoDevYaml);
    });

    let planned: number;
    it("previews under the project's policy pack: the pack passes and the preview lists the CA, passwords and three containers to create", () => {
        const run = pulumi(["preview", "--policy-pack", POLICY_DIR]);
        expect(run.status, run.out).toBe(0);
        const version = (JSON.parse(fs.readFileSync(path.join(POLICY_DIR, "package.json"), "utf8")) as { version: string }).version;
        expect(run.out).toContain(`✅ tls-platform@v${version} (local: ${POLICY_DIR})`);
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
        ]));
        planned = summary(run.out, /\+ (\d+) to create/);
        expect(new Set(creates).size).toBe(planned);
    }, 90_000);

    it("deploys them with `up --yes`", () => {
        const run = pulumi(["up", "--yes"]);
        expect(run.status, run.out).toBe(0);
        expect(summary(run.out, /\+ (\d+) created/)).toBe(planned);
    }, 90_000);

    it("previews no changes right after `up` (`preview --expect-no-changes`): the plugins' Diff finds nothing in the program's own inputs", () => {
        const run = pulumi(["preview", "--expect-no-changes", "--diff"]);
        expect(run.status, run.out).toBe(0);
        expect(summary(run.out, /(\d+) unchanged/)).toBe(planned);
    }, 60_000);

    let documents: Documents;
    it("exports the connection documents as one secret output: masked by `stack output`, revealed by --show-secrets", () => {
        const masked = pulumi(["stack", "output", "connections", "--json"]);
        expect(masked.status, masked.out).toBe(0);
        expect(JSON.parse(masked.stdout)).toBe("[secret]");
        const shown = pulumi(["stack", "output", "connections", "--show-secrets", "--json"]);
        expect(shown.status, shown.out).toBe(0);
        documents = JSON.parse(shown.stdout) as Documents;
        expect(Object.keys(documents).sort()).toEqual(["cache", "database", "proxy"]);
        expect([documents.cache.service, documents.database.service, documents.proxy.service]).toEqual(["redis", "postgres", "https"]);
    });

    describe("real servers started from the containers the stack registered (inputs from `pulumi stack export --show-secrets`)", () => {
        let database: RunningPostgres;
        let volume: PostgresVolume;
        let cache: RunningStandIn;

        beforeAll(async () => {
            const containers = exported(true).resources.filter((r) => r.type === CONTAINER);
            const inputs = (name: string) => revealed(containers.find((c) => revealed(c.inputs!.name) === name)?.inputs ?? {}) as Record<string, Json>;
            const db = inputs("tls-platform-dev-db");
            const df = inputs("tls-platform-dev-cache");
            expect(db.command?.[0], "no container tls-platform-dev-db in the state").toBe("postgres");
            expect(df.command, "no container tls-platform-dev-cache in the state").toBeDefined();
            volume = createPostgresVolume();
            database = await startPostgresImage({ command: db.command, envs: db.envs ?? [], uploads: db.uploads, port: db.ports[0].internal }, volume, { name: "dev-stack-db" });
            cache = await startRedisStandIn({ command: df.command, envs: df.envs ?? [], uploads: df.uploads }, DRAGONFLY_FLAGS, { name: "dev-stack-cache" });
        }, 90_000);

        afterAll(async () => {
            await database?.stop();
            await cache?.stop();
            volume?.remove();
        });

        it("PostgreSQL takes pg with nothing but the database document (pgClientConfig): verified TLS, the client certificate, the password", async () => {
            expect(documents.database.tls.clientCertificate).not.toBeNull();
            const client = new Client({ ...pgClientConfig(atHarnessPort(documents.database, database.hostPort)), connectionTimeoutMillis: 10_000 });
            await client.connect();
            try {
                const { rows } = await client.query("SELECT current_user, ssl, version FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
                expect(rows).toEqual([{ current_user: "app", ssl: true, version: expect.stringMatching(/^TLSv1\.[23]$/) }]);
            } finally {
                await client.end();
            }
        });

        it("the cache takes ioredis with nothing but the cache document (ioredisOptions): rediss://, the CA, the password", async () => {
            const { url, options } = ioredisOptions(atHarnessPort(documents.cache, cache.hostPort));
            const client = new Redis(url, { ...options, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
            client.on("error", () => undefined);
            await client.connect();
            try {
                expect(await client.ping()).toBe("PONG");
                await client.set("greeting", "hello over TLS");
                expect(await client.get("greeting")).toBe("hello over TLS");
            } finally {
                client.disconnect();
            }
        });
    });

    it("keeps every generated secret out of the state files on disk and out of a plain `stack export`: passwords, private keys, URLs with passwords", () => {
        const inSecrets: string[] = [];
        const state = revealed(exported(true).resources, false, inSecrets) as StateResource[];
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

        // A secret is searched as written and JSON-escaped (inside a JSON text that is itself a string), and a PEM also by its longest base64 line.
        const needles = [...generated].flatMap((s) => [s, JSON.stringify(s).slice(1, -1), ...(s.includes("-----BEGIN") ? [s.split("\n").sort((a, b) => b.length - a.length)[0]!] : [])]);
        const found = (text: string, candidates: readonly string[]) => {
            const decoded = (() => {
                try {
                    return strings(JSON.parse(text));
                } catch {
                    return [];
                }
            })();
            return candidates.filter((n) => text.includes(n) || decoded.some((s) => s.includes(n)));
        };
        const leaks = (where: string, text: string) => found(text, needles).map((n) => `${where}: ${n.slice(0, 40)}…`);
        // The search is real: it finds every one of them where they are meant to be, in the --show-secrets export.
        const shown = exported(true).text;
        expect([...generated].filter((s) => found(shown, [s, JSON.stringify(s).slice(1, -1)]).length === 0)).toEqual([]);
        const stateDir = path.join(tmp, "state/.pulumi");
        const stateFiles = (fs.readdirSync(stateDir, { recursive: true }) as string[]).map((f) => path.join(stateDir, f)).filter((f) => fs.statSync(f).isFile());
        expect(stateFiles).toContain(path.join(stateDir, "stacks/tls-platform/dev.json"));
        const plain = exported(false).text;
        expect(plain).toContain('"ciphertext"');
        expect([...stateFiles.flatMap((f) => leaks(f, fs.readFileSync(f, "utf8"))), ...leaks("stack export", plain)]).toEqual([]);
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
