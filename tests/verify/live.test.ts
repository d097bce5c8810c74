/**
 * The verifier against real servers: nginx, PostgreSQL and the Redis stand-in for Dragonfly, each started
 * through the namespace harness from exactly the command and uploads a component registered under the
 * provider emulator (tests/platform/fixture.ts), and checked through `main` with the components' own
 * connection documents. Each failing verdict has a server that really is misconfigured that way:
 * - `legacy`: the `proxy` container with its uploaded nginx.conf edited to accept TLS 1.1;
 * - `expiring5` / `expiring20`: NginxProxy components issued 5- and 20-day certificates by the emulator;
 * - the plain `database` and `cache` under documents that claim mutual TLS;
 * - a TCP server in this process that accepts and never answers;
 * - the proxy's plain-HTTP port 80 under an https:// endpoint.
 * The one thing changed in a document is its port: the harness publishes each container port on a host
 * port of its own, where Docker would have used the one the emulator picked.
 */
import * as net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { NGINX_CONF_PATH } from "../../components/nginx/defaults";
import { TLS12_CIPHERS } from "../../components/shared/tlsProfile";
import { type CliIo, main } from "../../tools/verify/cli";
import type { CheckId, CheckStatus, EndpointReport, Report } from "../../tools/verify/types";
import { startNginxContainer } from "../harness/images/nginx";
import { createPostgresVolume, type PostgresVolume, type RunningPostgres, startPostgresImage } from "../harness/images/postgres";
import { type RunningStandIn, startRedisStandIn } from "../harness/images/redis";
import type { Container, FileSpec } from "../harness/namespace";
import { describeWithServers } from "../harness/requirements";
import { deployPlatform, type DeployedPlatform, registeredContainer, type RegisteredContainer } from "../platform/fixture";
import { atHarnessPort } from "../platform/documents";
import { DRAGONFLY_FLAGS } from "../dragonfly-model";

/** What Docker's network DNS gives the proxies: their upstream's name (nginx resolves it at start-up). */
const DOCKER_DNS_STAND_IN: FileSpec = { path: "/etc/hosts", content: "127.0.0.1\tlocalhost\n127.0.0.1\tupstream.internal\n" };
const UPSTREAMS = [{ name: "app", url: "http://upstream.internal:8080", websocket: true }];

type Doc = RegisteredContainer["connection"];

/** `registered` with its nginx.conf edited: for the negative control only. */
function withConfEdited(registered: RegisteredContainer, edit: (conf: string) => string): RegisteredContainer {
    const uploads = registered.uploads.map((u) => {
        if (u.file !== NGINX_CONF_PATH) return u;
        const content = edit(u.content);
        if (content === u.content) throw new Error("the nginx.conf edit changed nothing");
        return { ...u, content };
    });
    return { ...registered, uploads };
}

interface Run {
    readonly code: number;
    readonly report: Report;
    readonly stdout: string;
    readonly stderr: string;
    readonly ms: number;
}

async function verify(argv: string[], io: Partial<CliIo> = {}): Promise<Run> {
    let stdout = "";
    let stderr = "";
    const started = Date.now();
    const code = await main([...argv, "--json"], { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, ...io });
    const ms = Date.now() - started;
    expect(stderr).toBe("");
    return { code, report: JSON.parse(stdout) as Report, stdout, stderr, ms };
}

/** Documents as a `--file` holds them. */
const asFile = (docs: Record<string, Doc>) => ({ readFile: async () => JSON.stringify(docs) });

const endpoint = (r: Run, name: string): EndpointReport => {
    const found = r.report.endpoints.find((e) => e.target.name === name);
    if (!found) throw new Error(`no endpoint ${name} in ${r.report.endpoints.map((e) => e.target.name).join(", ")}`);
    return found;
};
const statuses = (e: EndpointReport): Partial<Record<CheckId, CheckStatus>> => Object.fromEntries(e.checks.map((c) => [c.id, c.status]));
const check = (e: EndpointReport, id: CheckId) => e.checks.find((c) => c.id === id)!;
const notOk = (e: EndpointReport) => e.checks.filter((c) => c.status !== "ok").map((c) => `${c.id}: ${c.status}: ${c.detail}`);

describeWithServers("tls-platform-verify against the platform's registered containers on real servers", ["root", "nginx", "redis", "postgres", "unshare", "socat", "openssl"], () => {
    let platform: DeployedPlatform;
    const docs: Record<string, Doc> = {};
    let proxyHttpPort: number;
    const containers: Container[] = [];
    const standIns: RunningStandIn[] = [];
    const databases: RunningPostgres[] = [];
    const volumes: PostgresVolume[] = [];

    beforeAll(async () => {
        platform = await deployPlatform();
        // Short-lived certificates, issued by the emulator through the component's own arguments.
        const c = await import("../../components");
        const ca = new c.CertificateAuthority("verify-ca", { commonName: "verify test CA" });
        const short = async (name: string, days: number, early: number) =>
            registeredContainer(platform.emulator, new c.NginxProxy(name, { ca, network: "backend", upstreams: UPSTREAMS, certificateValidityDays: days, certificateEarlyRenewalDays: early }));
        const [expiring5, expiring20] = await Promise.all([short("proxy-5d", 5, 1), short("proxy-20d", 20, 5)]);
        const legacy = withConfEdited(platform.proxy, (conf) => {
            const edited = conf
                .replace("ssl_protocols TLSv1.2 TLSv1.3;", "ssl_protocols TLSv1.1 TLSv1.2 TLSv1.3;")
                .replace(/ssl_ciphers [^;]+;/, "ssl_ciphers DEFAULT:@SECLEVEL=0;");
            if (!edited.includes("TLSv1.1 TLSv1.2") || !edited.includes("@SECLEVEL=0")) throw new Error("negative-control edit did not apply");
            return edited;
        });

        const nginx = async (key: string, r: RegisteredContainer) => {
            const container = await startNginxContainer({ command: r.command, uploads: r.uploads, files: [DOCKER_DNS_STAND_IN] });
            containers.push(container);
            docs[key] = atHarnessPort(r.connection, container.ports[443]!);
            if (key === "proxy") proxyHttpPort = container.ports[80]!;
        };
        const redis = async (key: string, r: RegisteredContainer) => {
            const s = await startRedisStandIn(r, DRAGONFLY_FLAGS, { name: `verify-${key}` });
            standIns.push(s);
            docs[key] = atHarnessPort(r.connection, s.hostPort);
        };
        const postgres = async (key: string, r: RegisteredContainer) => {
            const volume = createPostgresVolume();
            volumes.push(volume);
            const pg = await startPostgresImage({ command: r.command, envs: r.envs, uploads: r.uploads, port: r.ports[0]!.internal }, volume, { name: `verify-${key}` });
            databases.push(pg);
            docs[key] = atHarnessPort(r.connection, pg.hostPort);
        };
        // allSettled: every start lands in the lists afterAll stops, even when one fails.
        const results = await Promise.allSettled([
            nginx("proxy", platform.proxy),
            nginx("proxyMutualTls", platform.proxyMutualTls),
            nginx("legacy", legacy),
            nginx("expiring5", expiring5),
            nginx("expiring20", expiring20),
            redis("cache", platform.cache),
            redis("cacheMutualTls", platform.cacheMutualTls),
            postgres("database", platform.database),
            postgres("databaseMutualTls", platform.databaseMutualTls),
        ]);
        const failed = results.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
    }, 60_000);

    afterAll(async () => {
        await Promise.all([...containers.map((c) => c.stop()), ...standIns.map((s) => s.stop()), ...databases.map((d) => d.stop())]);
        volumes.forEach((v) => v.remove());
    }, 30_000);

    const deployed = ["proxy", "proxyMutualTls", "cache", "cacheMutualTls", "database", "databaseMutualTls"];

    it("passes the deployed proxy, cache and database, plain and with mutual TLS, on every check: exit 0", async () => {
        const connections = Object.fromEntries(deployed.map((k) => [k, docs[k]!]));
        const calls: string[][] = [];
        const r = await verify(["--stack", "dev"], {
            run: async (file, args) => {
                calls.push([file, ...args]);
                // First the list of outputs (secret ones shown as the CLI shows them), then `connections`.
                return { code: 0, stdout: JSON.stringify(args.includes("connections") ? connections : { connections: "[secret]" }), stderr: "" };
            },
        });
        expect(calls).toEqual([
            ["pulumi", "stack", "output", "--json", "--stack", "dev"],
            ["pulumi", "stack", "output", "connections", "--show-secrets", "--json", "--stack", "dev"],
        ]);
        for (const key of deployed) {
            const e = endpoint(r, `dev/${key}`);
            expect(notOk(e), key).toEqual([]);
            expect(Object.fromEntries(Object.entries(e.versions).map(([v, o]) => [v, o.result])), key).toEqual({ TLSv1: "refused", "TLSv1.1": "refused", "TLSv1.2": "accepted", "TLSv1.3": "accepted" });
            expect(e.certificate?.issuer).toBe("CN=tls-platform test CA");
            expect(e.certificate!.secondsLeft / 86_400).toBeGreaterThan(89);
            // The components' ECDSA certificates: exactly the profile's ECDHE-ECDSA suites at TLS 1.2.
            expect(e.tls12CipherSuites!.offered.map((v) => v.name).sort(), key).toEqual(TLS12_CIPHERS.filter((c) => c.startsWith("ECDHE-ECDSA-")).sort());
            // The leaf, then the CA: served by the servers that send the issuer with the leaf, else from the document.
            expect(e.chain.map((c) => [c.subject === "CN=tls-platform test CA", c.isCa]), key).toEqual([[false, false], [true, true]]);
            expect(e.chain[0]!.source, key).toBe("served");
            console.log(`${key}: ${e.tls12CipherSuites!.candidates} TLS 1.2 suites probed in ${e.tls12CipherSuites!.ms} ms`);
        }
        expect(r.code).toBe(0);
        // Each protocol spoken to the end, and each refusal the server's own.
        expect(check(endpoint(r, "dev/cache"), "service_request").detail).toBe("AUTH accepted, PING answered +PONG");
        expect(check(endpoint(r, "dev/database"), "service_request").detail).toBe("logged in as app to app (SCRAM-SHA-256)");
        // Reached as localhost, the proxy sends max-age=0 (its long policy is for proxy.internal only).
        expect(check(endpoint(r, "dev/proxy"), "hsts").detail).toBe("max-age=0 for localhost: no HTTPS forced on other localhost ports");
        expect(check(endpoint(r, "dev/cacheMutualTls"), "mutual_tls_enforced").detail).toBe('refused: without client certificate: TLS alert "certificate required"');
        expect(check(endpoint(r, "dev/databaseMutualTls"), "mutual_tls_enforced").detail).toBe("refused: startup without client certificate: FATAL 28000: connection requires a valid client certificate");
        expect(check(endpoint(r, "dev/proxyMutualTls"), "mutual_tls_enforced").detail).toBe("refused: GET / without client certificate answered HTTP 400 (No required SSL certificate was sent)");
        expect(check(endpoint(r, "dev/database"), "plaintext_refused").detail).toMatch(/^plaintext startup \(no SSLRequest\): FATAL 28000: pg_hba\.conf rejects connection .* no encryption$/);
        expect(check(endpoint(r, "dev/proxy"), "plaintext_refused").detail).toBe("plain HTTP GET / answered HTTP 400 (The plain HTTP request was sent to HTTPS port)");
        for (const key of deployed) {
            if (docs[key]!.password) expect(r.stdout).not.toContain(docs[key]!.password);
        }
        expect(r.stdout).not.toContain("PRIVATE KEY");
    });

    it("fails nginx configured to accept TLS 1.1: exit 2", async () => {
        const r = await verify(["--file", "legacy.json"], asFile({ legacy: docs.legacy! }));
        expect(r.code).toBe(2);
        const e = endpoint(r, "legacy");
        expect(e.versions["TLSv1.1"]).toMatchObject({ result: "accepted" });
        expect(e.versions.TLSv1).toMatchObject({ result: "refused" });
        expect(notOk(e)).toEqual([
            expect.stringMatching(/^legacy_tls_refused: fail: accepts TLSv1\.1 \(TLSv1\.1 with [A-Z0-9-]+\); TLS 1\.0 and 1\.1 are deprecated \(RFC 8996\)$/),
            // DEFAULT's CBC suites, at TLS 1.2 as well.
            expect.stringMatching(/^tls12_cipher_suites: fail: offers .*ECDHE-ECDSA-AES128-SHA \(CBC \(AES\(128\) with HMAC-SHA1\), outside the profile\)/),
        ]);
    });

    it("fails a certificate the emulator issued for 5 days: exit 2", async () => {
        const r = await verify(["--file", "expiring.json"], asFile({ expiring5: docs.expiring5! }));
        expect(r.code).toBe(2);
        expect(notOk(endpoint(r, "expiring5"))).toEqual([
            expect.stringMatching(/^certificate_expiry: fail: 4\.9 days left \(.*\): under 7 days$/),
            expect.stringMatching(/^certificate_chain_expiry: fail: leaf CN=proxy-5d \(not after .*\): expires soon, 4\.9 days left, under the leaf threshold of 14 days$/),
        ]);
    });

    it("warns about a certificate the emulator issued for 20 days: exit 1", async () => {
        const r = await verify(["--file", "expiring.json"], asFile({ expiring20: docs.expiring20! }));
        expect(r.code).toBe(1);
        expect(notOk(endpoint(r, "expiring20"))).toEqual([expect.stringMatching(/^certificate_expiry: warn: 19\.9 days left \(.*\): under 30 days$/)]);
    });

    it("fails the database and cache that serve clients without certificate although their documents claim mutual TLS: exit 2", async () => {
        const claim = (d: Doc): Doc => ({ ...d, tls: { ...d.tls, clientCertificate: platform.app } });
        const r = await verify(["--file", "claims.json"], asFile({ database: claim(docs.database!), cache: claim(docs.cache!) }));
        expect(r.code).toBe(2);
        expect(notOk(endpoint(r, "database"))).toEqual([
            "mutual_tls_enforced: fail: mutual TLS is expected, but a client without certificate was served: startup without client certificate: the server went on to authentication (SASL)",
        ]);
        expect(notOk(endpoint(r, "cache"))).toEqual([
            "mutual_tls_enforced: fail: mutual TLS is expected, but a client without certificate was served: PING without client certificate: answered -NOAUTH Authentication required.",
        ]);
    });

    it("reports an endpoint that accepts and never answers as a failure, and finishes within the timeout", async () => {
        const hung = net.createServer(() => undefined);
        const held = new Set<net.Socket>();
        hung.on("connection", (s) => held.add(s));
        await new Promise<void>((resolve) => hung.listen(0, "127.0.0.1", resolve));
        try {
            const hungDoc = atHarnessPort(docs.cache!, (hung.address() as net.AddressInfo).port);
            const r = await verify(["--file", "d.json", "--timeout-ms", "1500"], asFile({ cache: docs.cache!, hung: hungDoc }));
            expect(r.code).toBe(2);
            expect(r.ms).toBeLessThan(1500 + 1000);
            expect(statuses(endpoint(r, "hung"))).toMatchObject({ handshake: "fail", certificate_expiry: "skip" });
            expect(check(endpoint(r, "hung"), "handshake").detail).toBe("no TLS session: no answer within 1500 ms");
            expect(notOk(endpoint(r, "cache"))).toEqual([]);
        } finally {
            held.forEach((s) => s.destroy());
            await new Promise((resolve) => hung.close(resolve));
        }
    });

    it("fails an https:// endpoint that is the proxy's plain-HTTP port: no TLS, plaintext served", async () => {
        const r = await verify(["--endpoint", `https://127.0.0.1:${proxyHttpPort}`, "--ca", "ca.pem", "--servername", "localhost"], { readFile: async () => platform.caPem });
        expect(r.code).toBe(2);
        const e = r.report.endpoints[0]!;
        expect(statuses(e)).toMatchObject({ handshake: "fail", plaintext_refused: "fail" });
        expect(check(e, "plaintext_refused").detail).toBe("a plaintext client was served: plain HTTP GET / answered HTTP 301 (Moved Permanently)");
    });

    it("checks --endpoint URLs with the password from the environment and a client certificate (PostgreSQL and Redis with mutual TLS)", async () => {
        const files: Record<string, string> = { "ca.pem": platform.caPem, "app.crt": platform.app.certPem, "app.key": platform.app.privateKeyPem };
        const io = { readFile: async (f: string) => files[f]! };
        const tlsArgs = ["--ca", "ca.pem", "--servername", "localhost", "--client-cert", "app.crt", "--client-key", "app.key", "--expect-mtls", "--password-env", "VERIFY_PASSWORD"];
        const db = docs.databaseMutualTls!;
        const pg = await verify(["--endpoint", `postgres://${db.username}@127.0.0.1:${db.port}/${db.database}`, ...tlsArgs], { ...io, env: { VERIFY_PASSWORD: db.password! } });
        expect(notOk(pg.report.endpoints[0]!)).toEqual([]);
        expect(pg.code).toBe(0);
        const cache = docs.cacheMutualTls!;
        const redis = await verify(["--endpoint", `rediss://127.0.0.1:${cache.port}`, ...tlsArgs], { ...io, env: { VERIFY_PASSWORD: cache.password! } });
        expect(notOk(redis.report.endpoints[0]!)).toEqual([]);
        expect(redis.code).toBe(0);
    });
});
