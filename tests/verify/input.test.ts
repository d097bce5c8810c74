import { describe, expect, it } from "vitest";
import { httpsConnection, postgresConnection, redisConnection } from "../../components/connection/document";
import { parseCliArgs } from "../../tools/verify/args";
import { targetsFromJson } from "../../tools/verify/documents";
import { targetFromEndpoint } from "../../tools/verify/endpoints";
import type { SecretsContext } from "../../tools/verify/secrets";
import { type CommandRunner, parseSecretsLocation, targetsFromStack } from "../../tools/verify/stack";
import { asyncProblemsOf, problemsOf } from "./input-errors";

// Input: connection documents (file, stdin, stack output), --endpoint URLs and the command line.
// Pure: no network, the Pulumi CLI faked. Reading Secrets Manager is tested against moto (secrets.test.ts).

const CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgsecretkeymaterial\n-----END PRIVATE KEY-----\n";
const PASSWORD = "Xy7#pQ9&zR2^wT4<vU6>";

/** What the components write, through JSON as a stack output carries it. */
const documents = () => JSON.parse(JSON.stringify({
    cache: redisConnection({ host: "127.0.0.1", port: 6380, password: PASSWORD, serverName: "localhost", ca: { type: "pem", pem: CA } }),
    database: postgresConnection({
        host: "127.0.0.1", port: 5433, username: "app", password: PASSWORD, database: "app", serverName: "localhost", minTlsVersion: "TLSv1.3",
        ca: { type: "pem", pem: CA }, clientCertificate: { certPem: CA, privateKeyPem: KEY },
    }),
    proxy: httpsConnection({ host: "127.0.0.1", port: 8443, serverName: "localhost", ca: { type: "pem", pem: CA } }),
    elasticache: redisConnection({ host: "master.x.cache.amazonaws.com", port: 6379, password: PASSWORD, ca: { type: "public-roots" } }),
}));

describe("connection documents", () => {
    it("reads the components' own documents (the `connections` output) into targets, mutual TLS where a client certificate is given", () => {
        const targets = targetsFromJson(JSON.stringify(documents()), "connections.json");
        expect(targets.map((t) => [t.name, t.service, `${t.host}:${t.port}`, t.serverName, t.ca.type, t.expectMutualTls, t.documentMinVersion, t.username, t.database])).toEqual([
            ["cache", "redis", "127.0.0.1:6380", "localhost", "pem", false, "TLSv1.2", null, null],
            ["database", "postgres", "127.0.0.1:5433", "localhost", "pem", true, "TLSv1.3", "app", "app"],
            ["proxy", "https", "127.0.0.1:8443", "localhost", "pem", false, "TLSv1.2", null, null],
            ["elasticache", "redis", "master.x.cache.amazonaws.com:6379", "master.x.cache.amazonaws.com", "public-roots", false, "TLSv1.2", null, null],
        ]);
        expect(targets[0]!.password).toBe(PASSWORD);
        expect(targets[1]!.clientCertificate).toEqual({ certPem: CA, privateKeyPem: KEY });
    });

    it("reads one document, or an array of them, naming each service@host:port", () => {
        const { cache, proxy } = documents();
        expect(targetsFromJson(JSON.stringify(cache), "-").map((t) => t.name)).toEqual(["redis@127.0.0.1:6380"]);
        expect(targetsFromJson(JSON.stringify([cache, proxy]), "-").map((t) => t.name)).toEqual(["redis@127.0.0.1:6380", "https@127.0.0.1:8443"]);
    });

    it("still reads a schema v1 document (no topology, no reader) as a standalone target", () => {
        const { topology: _t, reader: _r, ...v1 } = { ...documents().cache, schemaVersion: 1 };
        expect(targetsFromJson(JSON.stringify(v1), "-").map((t) => [t.name, t.serverName])).toEqual([["redis@127.0.0.1:6380", "localhost"]]);
    });

    it("takes a key that is missing as null (Pulumi's schema has no null)", () => {
        const { cache } = documents();
        delete cache.username;
        delete cache.database;
        delete cache.tls.clientCertificate;
        expect(targetsFromJson(JSON.stringify(cache), "-")[0]).toMatchObject({ username: null, database: null, clientCertificate: null, expectMutualTls: false });
    });

    it.each<[string, (d: Record<string, any>) => unknown, string[]]>([
        ["a newer schema", (d) => ({ ...d, schemaVersion: 3 }), ["f.json: `schemaVersion` is 3; expected 1 or 2 (this verifier reads schema v1 and v2)."]],
        ["a v2 document without topology", (d) => ({ ...d, topology: undefined }), ["f.json: `topology` is undefined; expected an object with mode, seeds and nodeNameVerification (schema v2)."]],
        ["a cluster topology with no seeds and an unknown name check", (d) => ({ ...d, topology: { mode: "cluster", seeds: [], nodeNameVerification: "sni" } }), [
            "f.json: `topology.seeds` is []; expected at least one {host, port}.",
            'f.json: `topology.nodeNameVerification` is "sni"; expected one of server-name, node-host.',
        ]],
        ["an unknown service", (d) => ({ ...d, service: "mysql" }), ['f.json: `service` is "mysql"; expected one of redis, postgres, https.']],
        ["a port out of range", (d) => ({ ...d, port: 70000 }), ["f.json: `port` is 70000; expected a whole number from 1 to 65535."]],
        ["a TLS minimum below 1.2", (d) => ({ ...d, tls: { ...d.tls, minVersion: "TLSv1.1" } }), ['f.json: `tls.minVersion` is "TLSv1.1"; expected `TLSv1.2` or `TLSv1.3`.']],
        ["a CA that is not PEM", (d) => ({ ...d, tls: { ...d.tls, ca: { type: "pem", pem: "x" } } }),
            ['f.json: `tls.ca` is {"type":"pem"}; expected `{ "type": "pem", "pem": "-----BEGIN CERTIFICATE-----..." }` or `{ "type": "public-roots" }`.']],
        ["a client certificate without key", (d) => ({ ...d, tls: { ...d.tls, clientCertificate: { certPem: CA } } }),
            ["f.json: `tls.clientCertificate` is neither null nor an object with PEM `certPem` and `privateKeyPem`."]],
        ["three problems at once", (d) => ({ ...d, host: "", port: "6380", tls: { ...d.tls, serverName: 1 } }), [
            'f.json: `host` is ""; expected a host name or IP address.',
            'f.json: `port` is "6380"; expected a whole number from 1 to 65535.',
            "f.json: `tls.serverName` is 1; expected the name in the server certificate.",
        ]],
    ])("rejects %s, naming the field, the value and what is allowed", (_, edit, messages) => {
        expect(problemsOf(() => targetsFromJson(JSON.stringify(edit(documents().cache)), "f.json"))).toEqual(messages);
    });

    it("never quotes a password, URL or key in a message", () => {
        const { cache } = documents();
        const bad = { ...cache, password: 42, url: 7, tls: { ...cache.tls, clientCertificate: { certPem: CA, privateKeyPem: 5 } } };
        const problems = problemsOf(() => targetsFromJson(JSON.stringify({ cache: bad }), "f.json"));
        expect(problems).toEqual([
            "f.json.cache: `password` is (value hidden); expected a string or null.",
            "f.json.cache: `url` is (value hidden); expected a string.",
            "f.json.cache: `tls.clientCertificate` is neither null nor an object with PEM `certPem` and `privateKeyPem`.",
        ]);
    });

    it("reports the problems of every document together", () => {
        const { cache, proxy } = documents();
        const problems = problemsOf(() => targetsFromJson(JSON.stringify({ a: { ...cache, port: 0 }, b: { ...proxy, service: "http" } }), "f.json"));
        expect(problems).toEqual([
            "f.json.a: `port` is 0; expected a whole number from 1 to 65535.",
            'f.json.b: `service` is "http"; expected one of redis, postgres, https.',
        ]);
    });

    it.each([
        ["not JSON", "{", /^f\.json: not JSON \(.*\); expected a connection document, an array of them, or an object of name → document\.$/],
        ["a bare string", '"x"', /^f\.json: is "x"; expected a connection document, an array of them, or an object of name → document\.$/],
        ["an empty object", "{}", /^f\.json: holds no connection documents\.$/],
    ])("rejects %s", (_, text, message) => {
        const problems = problemsOf(() => targetsFromJson(text, "f.json"));
        expect(problems).toHaveLength(1);
        expect(problems[0]).toMatch(message);
    });
});

describe("--stack", () => {
    /** A Secrets Manager that must not be reached: these stacks keep their documents in outputs, or are refused first. */
    const noSecretsManager: SecretsContext = {
        env: {},
        client: async () => {
            throw new Error("Secrets Manager was not to be used");
        },
    };
    /** The Pulumi CLI, answering each command from a table; any other command fails the test. */
    const pulumi = (answers: Record<string, { code?: number; stdout?: string; stderr?: string }>) => {
        const calls: string[][] = [];
        const run: CommandRunner = async (file, args) => {
            calls.push([file, ...args]);
            const answer = answers[[file, ...args].join(" ")];
            if (!answer) throw new Error(`unexpected command: ${file} ${args.join(" ")}`);
            return { code: answer.code ?? 0, stdout: answer.stdout ?? "", stderr: answer.stderr ?? "" };
        };
        return { run, calls };
    };
    const LIST_DEV = "pulumi stack output --json --stack dev";
    const CONNECTIONS_DEV = "pulumi stack output connections --show-secrets --json --stack dev";

    it("lists the outputs without decrypting them, then reads `connections` with --show-secrets; targets are named stack/name", async () => {
        const { run, calls } = pulumi({
            [LIST_DEV]: { stdout: JSON.stringify({ caCertPem: CA, appClientPrivateKeyPem: "[secret]", connections: "[secret]" }) },
            [CONNECTIONS_DEV]: { stdout: JSON.stringify(documents()) },
        });
        const targets = await targetsFromStack("dev", run, noSecretsManager);
        expect(calls.map((c) => c.join(" "))).toEqual([LIST_DEV, CONNECTIONS_DEV]);
        expect(targets.map((t) => t.name)).toEqual(["dev/cache", "dev/database", "dev/proxy", "dev/elasticache"]);
    });

    it("names the outputs a stack has when it has neither `connections` nor `connectionSecrets`", async () => {
        const { run } = pulumi({ "pulumi stack output --json --stack prod": { stdout: JSON.stringify({ caCertPem: CA, connectionSecretArns: { cache: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tls-platform/prod/cache-AbCdEf" } }) } });
        expect(await asyncProblemsOf(targetsFromStack("prod", run, noSecretsManager))).toEqual([
            "--stack prod: the stack exports neither `connections` (the stack-outputs sink) nor `connectionSecrets` (the Secrets Manager sink); its outputs: caCertPem, connectionSecretArns. " +
            "It has `connectionSecretArns`: it was last updated by an older program; `pulumi up` adds `connectionSecrets`.",
        ]);
    });

    it.each<[string, unknown, string[]]>([
        ["no secretArns", { pathPrefix: "tls-platform/prod" }, [
            "--stack prod: output `connectionSecrets`: `secretArns` is missing or empty; expected an object with `secretArns` (service → secret ARN), and optionally `pathPrefix` and `endpoint`.",
        ]],
        ["a bad ARN and a bad endpoint", { secretArns: { cache: "tls-platform/prod/cache" }, endpoint: "127.0.0.1:4566" }, [
            "--stack prod: output `connectionSecrets`: `secretArns.cache` is \"tls-platform/prod/cache\"; expected a Secrets Manager secret ARN (arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME).",
            "--stack prod: output `connectionSecrets`: `endpoint` is \"127.0.0.1:4566\"; expected an http(s) URL.",
        ]],
        ["a string", "[secret]", [
            "--stack prod: output `connectionSecrets`: is not an object with `secretArns` (service → secret ARN), and optionally `pathPrefix` and `endpoint`.",
        ]],
    ])("refuses a `connectionSecrets` output with %s, every problem at once", (_, value, messages) => {
        expect(problemsOf(() => parseSecretsLocation(value, "--stack prod: output `connectionSecrets`"))).toEqual(messages);
    });

    it("reports the CLI's own error (no such stack) with its exit status", async () => {
        const { run } = pulumi({ [LIST_DEV]: { code: 255, stderr: "error: no stack named 'dev' found\n" } });
        expect(await asyncProblemsOf(targetsFromStack("dev", run, noSecretsManager))).toEqual([
            "--stack dev: `pulumi stack output --json --stack dev` exited with 255: error: no stack named 'dev' found.",
        ]);
    });

    it("says so when the pulumi CLI is not installed", async () => {
        const run: CommandRunner = async () => {
            throw Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" });
        };
        expect(await asyncProblemsOf(targetsFromStack("dev", run, noSecretsManager))).toEqual([
            "--stack dev: the `pulumi` CLI is not on PATH; install it, or pass the documents with --file (`pulumi stack output connections --show-secrets --json`) or, for a stack with the Secrets Manager sink, with --secret-arn.",
        ]);
    });
});

describe("--endpoint", () => {
    const options = { expectMutualTls: false };

    it.each([
        ["redis://cache.internal", { name: "redis://cache.internal:6379", service: "redis", port: 6379, username: null, password: null, database: null }],
        ["rediss://user:p%40ss@10.0.0.5:6380/0", { name: "rediss://10.0.0.5:6380", service: "redis", port: 6380, username: "user", password: "p@ss", database: null }],
        ["postgres://app:pw@db:5433/app", { name: "postgres://db:5433", service: "postgres", port: 5433, username: "app", password: "pw", database: "app" }],
        ["postgresql://db", { name: "postgresql://db:5432", service: "postgres", port: 5432, username: null, password: null, database: null }],
        ["https://[::1]:8443", { name: "https://[::1]:8443", service: "https", host: "::1", port: 8443, serverName: "::1" }],
    ])("%s", (url, expected) => {
        expect(targetFromEndpoint(url, options)).toMatchObject({ ca: { type: "public-roots" }, documentMinVersion: null, ...expected });
    });

    it("takes trust, server name, client certificate, mutual TLS and password from the options", () => {
        const t = targetFromEndpoint("redis://:inurl@127.0.0.1:6380", {
            caPem: CA, serverName: "localhost", clientCertificate: { certPem: CA, privateKeyPem: KEY }, expectMutualTls: true, password: "fromenv",
        });
        expect(t).toMatchObject({ ca: { type: "pem", pem: CA }, serverName: "localhost", expectMutualTls: true, password: "fromenv" });
    });

    it.each([
        ["http://proxy:80", "--endpoint: scheme `http:` is not one of redis://, rediss://, postgres://, postgresql://, https:// (plain HTTP is not TLS; use https://)."],
        ["mysql://db", "--endpoint: scheme `mysql:` is not one of redis://, rediss://, postgres://, postgresql://, https://."],
        ["redis://:secret@[bad", "--endpoint: not a URL; write it as e.g. `redis://host:6379`, `postgres://user@host:5432/db` or `https://host:443`."],
    ])("rejects %s without quoting it", (url, message) => {
        expect(problemsOf(() => targetFromEndpoint(url, options))).toEqual([message]);
    });
});

describe("command line", () => {
    it("defaults: table, 5000 ms per probe, warn under 30 days, fail under 7", () => {
        expect(parseCliArgs(["--stack", "dev"])).toMatchObject({ stacks: ["dev"], files: [], endpoints: [], format: "table", timeoutMs: 5000, warnDays: 30, failDays: 7, expectMutualTls: false });
    });

    it("takes a policy pack config for the chain's thresholds and the TLS 1.2 suite probes at once: none and 8 by default", () => {
        expect(parseCliArgs(["--stack", "dev"])).toMatchObject({ policyPackConfigFile: undefined, cipherConcurrency: 8 });
        expect(parseCliArgs(["--stack", "dev", "--policy-pack-config", "p.json", "--cipher-concurrency", "2"])).toMatchObject({ policyPackConfigFile: "p.json", cipherConcurrency: 2 });
    });

    it("takes Secrets Manager sources: ARNs, prefixes (a trailing slash dropped) and an endpoint", () => {
        const arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tls-platform/prod/cache-AbCdEf";
        expect(parseCliArgs(["--secret-arn", arn, "--secrets-manager-prefix", "tls-platform/prod/", "--secrets-manager-endpoint", "http://127.0.0.1:5000"])).toMatchObject({
            stacks: [], secretArns: [arn], secretPrefixes: ["tls-platform/prod"], secretsManagerEndpoint: "http://127.0.0.1:5000",
        });
    });

    it("reads stdin for `-` and combines sources", () => {
        expect(parseCliArgs(["-", "--file", "a.json", "--stack", "dev", "--endpoint", "redis://x", "--json"])).toMatchObject({
            stacks: ["dev"], files: ["a.json", "-"], endpoints: ["redis://x"], format: "json",
        });
    });

    it.each<[string[], string[]]>([
        [[], ["nothing to verify: give --stack NAME, --file PATH, `-` (stdin), --secret-arn ARN, --secrets-manager-prefix PREFIX or --endpoint URL."]],
        [["--stack", "dev", "--json", "--prometheus"], ["--json and --prometheus exclude each other; choose one."]],
        [["--file", "a", "--ca", "ca.pem", "--expect-mtls"], ["--ca, --expect-mtls apply to --endpoint only; a connection document carries its own trust and credentials."]],
        [["--endpoint", "redis://x", "--client-cert", "c.pem"], ["--client-cert and --client-key go together; give both or neither."]],
        [["--stack", "dev", "--timeout-ms", "0", "--warn-days", "5"], [
            "--timeout-ms: `0` is not a whole number from 1 to 600000.",
            "--fail-days (7) is above --warn-days (5); a failure threshold must not exceed the warning one.",
        ]],
        [["--stack", "dev", "--cipher-concurrency", "0"], ["--cipher-concurrency: `0` is not a whole number from 1 to 64."]],
        [["-", "-"], ["stdin (`-`) can be read only once."]],
        [["--stack", "dev", "redis://:secret@x"], ["unexpected argument; sources are given with --stack, --file, --secret-arn, --secrets-manager-prefix, --endpoint or `-` for stdin."]],
        [["--secret-arn", "tls-platform/prod/cache", "--secrets-manager-prefix", "/tls-platform", "--secrets-manager-endpoint", "localhost:4566"], [
            "--secret-arn: `tls-platform/prod/cache` is not a Secrets Manager secret ARN; expected arn:aws:secretsmanager:REGION:ACCOUNT:secret:NAME-XXXXXX.",
            "--secrets-manager-prefix: `/tls-platform` is not a secret name prefix; use letters, digits and / _ + = . @ -, e.g. `tls-platform/prod`.",
            "--secrets-manager-endpoint: `localhost:4566` is not an http(s) URL; use e.g. `http://127.0.0.1:5000`.",
        ]],
        [["--file", "a.json", "--secrets-manager-endpoint", "http://127.0.0.1:5000"], ["--secrets-manager-endpoint applies to --stack, --secret-arn and --secrets-manager-prefix only."]],
        [["--stack", "dev", "--verbose"], ["unknown option --verbose; see --help."]],
        [["--stack"], ["--stack needs a value; see --help."]],
    ])("rejects %j with every problem at once", (argv, messages) => {
        expect(problemsOf(() => parseCliArgs(argv))).toEqual(messages);
    });
});
