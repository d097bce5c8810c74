/**
 * The verifier's TLS 1.2 cipher suite and chain expiry checks against real servers: nginx, PostgreSQL
 * and the redis-server stand-in for Dragonfly, each started with exactly what its renderer produces
 * (nginxUploads, postgresCommand/postgresUploads, dragonflyArgs/dragonflyUploads; as
 * tests/servers/cipher-profile.test.ts does), and run through `main` with `--endpoint`.
 * - The profile: each server on an RSA certificate (so that static-RSA and CBC suites could be served,
 *   were they allowed) must offer exactly the profile's three ECDHE-RSA suites.
 * - The weak profile: the same rendered config with `ECDHE-RSA-AES128-SHA` (CBC) and `AES128-SHA` (CBC,
 *   no forward secrecy) put in front of the profile's list: the verifier must fail naming both.
 * - Chains (nginx, ECDSA certificates with chosen dates from dated-pki.ts): a leaf 3 days from expiry,
 *   an expired leaf, and a root CA 10 days from expiry under a served intermediate.
 */
import * as net from "node:net";
import { afterAll, beforeAll, expect, it } from "vitest";
import { dragonflyArgs, dragonflyEnvs, dragonflyUploads } from "../../components/dragonfly/config";
import { nginxUploads } from "../../components/nginx/config";
import { NGINX_CONF_PATH } from "../../components/nginx/defaults";
import { postgresCommand, postgresEnvs, postgresUploads } from "../../components/postgres/config";
import { TLS12_CIPHERS, TLS12_CIPHER_STRING } from "../../components/shared/tlsProfile";
import { main } from "../../tools/verify/cli";
import type { Check, CheckId, EndpointReport, Report } from "../../tools/verify/types";
import { DRAGONFLY_FLAGS } from "../dragonfly-model";
import { startNginxContainer } from "../harness/images/nginx";
import { createPostgresVolume, type PostgresVolume, startPostgresImage } from "../harness/images/postgres";
import { startRedisStandIn } from "../harness/images/redis";
import { describeWithServers } from "../harness/requirements";
import { createCa, issueCert, type KeyPair } from "../support/test-pki";
import { datedCa, datedLeaf } from "./dated-pki";

const WEAK_SUITES = ["ECDHE-RSA-AES128-SHA", "AES128-SHA"];
const WEAK_CIPHER_STRING = `${WEAK_SUITES.join(":")}:${TLS12_CIPHER_STRING}`;
const RSA_PROFILE = TLS12_CIPHERS.filter((c) => c.startsWith("ECDHE-RSA-"));

type Scheme = "https" | "postgres" | "rediss";
interface Endpoint {
    readonly url: string;
    readonly caPem: string;
}

async function verify(endpoint: Endpoint, format: "--json" | "--prometheus" | "--table" = "--json"): Promise<{ code: number; stdout: string; report?: Report }> {
    let stdout = "";
    let stderr = "";
    const argv = ["--endpoint", endpoint.url, "--ca", "ca.pem", "--servername", "localhost", ...(format === "--table" ? [] : [format])];
    const code = await main(argv, { stdout: (t) => (stdout += t), stderr: (t) => (stderr += t), env: {}, readFile: async () => endpoint.caPem });
    expect(stderr).toBe("");
    return { code, stdout, report: format === "--json" ? (JSON.parse(stdout) as Report) : undefined };
}
const check = (e: EndpointReport, id: CheckId): Check => e.checks.find((c) => c.id === id)!;

describeWithServers("tls-platform-verify's TLS 1.2 suite and chain expiry checks on real nginx, PostgreSQL and redis-server (Dragonfly's stand-in)", ["root", "nginx", "postgres", "redis", "openssl", "socat", "unshare"], () => {
    const servers: Record<string, Endpoint> = {};
    const stops: (() => Promise<void>)[] = [];
    const volumes: PostgresVolume[] = [];

    beforeAll(async () => {
        const ca: KeyPair = createCa("Verify Cipher Test CA");
        const rsa = issueCert(ca, { commonName: "localhost", usage: "server", altNames: ["localhost", "127.0.0.1"], keyType: "RSA-4096" });
        const at = (scheme: Scheme, port: number, caPem = ca.certPem): Endpoint => ({ url: `${scheme}://127.0.0.1:${port}`, caPem });

        const nginx = async (certPem: string, keyPem: string, ciphers = TLS12_CIPHER_STRING): Promise<number> => {
            const uploads = nginxUploads({}, { serverCertPem: certPem, serverKeyPem: keyPem }).map((u) => {
                if (u.file !== NGINX_CONF_PATH || ciphers === TLS12_CIPHER_STRING) return u;
                const content = u.content.replace(`ssl_ciphers ${TLS12_CIPHER_STRING};`, `ssl_ciphers ${ciphers};`);
                if (!content.includes(`ssl_ciphers ${ciphers};`)) throw new Error("weak-profile edit did not apply");
                return { ...u, content };
            });
            const container = await startNginxContainer({ command: ["nginx", "-g", "daemon off;"], uploads, publish: [443] });
            stops.push(() => container.stop());
            return container.ports[443]!;
        };
        const postgres = async (name: string, ciphers?: string): Promise<number> => {
            const input = { user: "app", database: "app" };
            const command = postgresCommand(input);
            const volume = createPostgresVolume();
            volumes.push(volume);
            const pg = await startPostgresImage({
                // A later -c wins: the weak server differs only in its cipher list.
                command: ciphers ? [...command, "-c", `ssl_ciphers=${ciphers}`] : command,
                envs: postgresEnvs(),
                uploads: postgresUploads(input, { serverCertPem: rsa.certPem, serverKeyPem: rsa.keyPem, superuserPassword: "super-pw", appPassword: "app-pw" }),
                port: 5432,
            }, volume, { name, readyTimeoutMs: 90_000 });
            stops.push(() => pg.stop());
            return pg.hostPort;
        };
        const dragonfly = async (name: string, ciphers?: string): Promise<number> => {
            const input = { maxMemory: "1gb" };
            const spec = { command: dragonflyArgs(input), envs: dragonflyEnvs("verify-cipher-pw"), uploads: dragonflyUploads(input, rsa.certPem, rsa.keyPem) };
            // Later redis.conf lines win: the weak server differs only in its cipher list.
            const server = await startRedisStandIn(spec, DRAGONFLY_FLAGS, { name, extraConfig: ciphers ? [`tls-ciphers "${ciphers}"`] : [] });
            stops.push(() => server.stop());
            return server.hostPort;
        };

        const root = await datedCa("Verify Chain Root", { toDays: 1000 });
        const intermediate = await datedCa("Verify Chain Intermediate", { toDays: 500 }, root);
        const [soon, expired, fresh] = await Promise.all([datedLeaf(intermediate, { toDays: 3 }), datedLeaf(intermediate, { fromDays: -30, toDays: -1 }), datedLeaf(intermediate, { toDays: 60 })]);
        const dyingRoot = await datedCa("Verify Dying Root", { toDays: 10 });
        const underDying = await datedCa("Verify Intermediate Under Dying Root", { toDays: 500 }, dyingRoot);
        const underDyingLeaf = await datedLeaf(underDying, { toDays: 60 });

        const started = await Promise.allSettled([
            nginx(rsa.certPem, rsa.keyPem).then((p) => (servers.nginx = at("https", p))),
            nginx(rsa.certPem, rsa.keyPem, WEAK_CIPHER_STRING).then((p) => (servers.nginxWeak = at("https", p))),
            postgres("verify-pg-profile").then((p) => (servers.postgres = at("postgres", p))),
            postgres("verify-pg-weak", WEAK_CIPHER_STRING).then((p) => (servers.postgresWeak = at("postgres", p))),
            dragonfly("verify-dfly-profile").then((p) => (servers.dragonfly = at("rediss", p))),
            dragonfly("verify-dfly-weak", WEAK_CIPHER_STRING).then((p) => (servers.dragonflyWeak = at("rediss", p))),
            nginx(soon.certPem + intermediate.certPem, soon.keyPem).then((p) => (servers.leafSoon = at("https", p, root.certPem))),
            nginx(expired.certPem + intermediate.certPem, expired.keyPem).then((p) => (servers.leafExpired = at("https", p, root.certPem))),
            nginx(fresh.certPem + intermediate.certPem, fresh.keyPem).then((p) => (servers.chainFresh = at("https", p, root.certPem))),
            nginx(underDyingLeaf.certPem + underDying.certPem, underDyingLeaf.keyPem).then((p) => (servers.rootSoon = at("https", p, dyingRoot.certPem))),
        ]);
        const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
    }, 240_000);

    afterAll(async () => {
        await Promise.allSettled(stops.map((stop) => stop()));
        volumes.forEach((v) => v.remove());
    }, 60_000);

    it.each(["nginx", "postgres", "dragonfly"])("%s with the project's profile offers exactly its ECDHE-RSA suites at TLS 1.2: tls12_cipher_suites ok", async (server) => {
        const r = await verify(servers[server]!);
        const e = r.report!.endpoints[0]!;
        expect(check(e, "tls12_cipher_suites")).toMatchObject({ status: "ok", detail: expect.stringMatching(/^offers only profile suites: [A-Z0-9-]+, [A-Z0-9-]+, [A-Z0-9-]+ \(\d+ suites probed in \d+ ms, 8 at a time\)$/) });
        expect(e.tls12CipherSuites!.offered.map((v) => [v.name, v.problems]).sort()).toEqual(RSA_PROFILE.map((name) => [name, []]).sort());
        expect(e.tls12CipherSuites!.candidates).toBeGreaterThan(80);
        // One handshake per suite, 8 at a time: a few seconds at most even for PostgreSQL's fork per connection.
        expect(e.tls12CipherSuites!.ms).toBeLessThan(10_000);
        console.log(`${server}: ${e.tls12CipherSuites!.candidates} TLS 1.2 suites probed in ${e.tls12CipherSuites!.ms} ms`);
    }, 60_000);

    it.each(["nginxWeak", "postgresWeak", "dragonflyWeak"])("%s, which also allows ECDHE-RSA-AES128-SHA and AES128-SHA, fails naming both suites and why: exit 2", async (server) => {
        const r = await verify(servers[server]!);
        expect(r.code).toBe(2);
        const e = r.report!.endpoints[0]!;
        expect(check(e, "tls12_cipher_suites")).toMatchObject({
            status: "fail",
            detail: expect.stringMatching(/^offers ECDHE-RSA-AES128-SHA \(CBC \(AES\(128\) with HMAC-SHA1\), outside the profile\); AES128-SHA \(no forward secrecy \(RSA key exchange\), CBC \(AES\(128\) with HMAC-SHA1\), outside the profile\) \(/),
        });
        expect(e.tls12CipherSuites!.offered.map((v) => v.name).sort()).toEqual([...WEAK_SUITES, ...RSA_PROFILE].sort());
    }, 60_000);

    it("writes the offered suites as Prometheus metrics and in the table", async () => {
        const prom = await verify(servers.nginxWeak!, "--prometheus");
        expect(prom.stdout).toMatch(/^tls_platform_tls12_cipher_suite_offered\{endpoint="https:\/\/127\.0\.0\.1:\d+",service="https",suite="AES128-SHA",forward_secrecy="0",cbc="1",in_profile="0"\} 1$/m);
        expect(prom.stdout).toMatch(/^tls_platform_tls12_cipher_probe_seconds\{endpoint="https:\/\/127\.0\.0\.1:\d+",service="https"\} \d+(\.\d+)?$/m);
        expect(prom.stdout).toMatch(/^tls_platform_check_ok\{endpoint="https:\/\/127\.0\.0\.1:\d+",check="tls12_cipher_suites"\} 0$/m);
        const table = await verify(servers.nginxWeak!, "--table");
        expect(table.stdout).toMatch(/^  TLS 1\.2 suite  AES128-SHA +TLS_RSA_WITH_AES_128_CBC_SHA +no forward secrecy \(RSA key exchange\), CBC \(AES\(128\) with HMAC-SHA1\), outside the profile$/m);
    }, 60_000);

    it("passes a served chain (leaf, intermediate) under a root with years left: certificate_chain_expiry ok", async () => {
        const e = (await verify(servers.chainFresh!)).report!.endpoints[0]!;
        expect(check(e, "certificate_chain_expiry")).toEqual({ id: "certificate_chain_expiry", status: "ok", detail: expect.stringMatching(/^days left: leaf 59\.9, served CA 499\.9, trust anchor 999\.9 \(thresholds: leaf 14, CA 90\)$/) });
        expect(e.chain.map((c) => [c.subject, c.source])).toEqual([["CN=localhost", "served"], ["CN=Verify Chain Intermediate", "served"], ["CN=Verify Chain Root", "trust anchor"]]);
    }, 60_000);

    it("fails a chain whose leaf expires in 3 days as expiring soon: exit 2", async () => {
        const r = await verify(servers.leafSoon!);
        expect(r.code).toBe(2);
        expect(check(r.report!.endpoints[0]!, "certificate_chain_expiry")).toMatchObject({
            status: "fail", detail: expect.stringMatching(/^leaf CN=localhost \(not after \S+\): expires soon, 2\.9 days left, under the leaf threshold of 14 days$/),
        });
    }, 60_000);

    it("fails a chain whose leaf has expired as expired: exit 2", async () => {
        const r = await verify(servers.leafExpired!);
        expect(r.code).toBe(2);
        expect(check(r.report!.endpoints[0]!, "certificate_chain_expiry")).toMatchObject({ status: "fail", detail: expect.stringMatching(/^leaf CN=localhost \(not after \S+\): expired 1\.0 days ago$/) });
    }, 60_000);

    it("names the document's root CA 10 days from expiry, though the leaf and intermediate are fine: exit 2", async () => {
        const r = await verify(servers.rootSoon!);
        expect(r.code).toBe(2);
        const e = r.report!.endpoints[0]!;
        expect(check(e, "certificate_chain_expiry")).toMatchObject({
            status: "fail", detail: expect.stringMatching(/^trust anchor CN=Verify Dying Root \(not after \S+\): expires soon, 9\.9 days left, under the CA threshold of 90 days$/),
        });
        expect(check(e, "certificate_expiry").status).toBe("ok");
        // The same chain with the CA threshold at 5 days (a policy pack config) passes.
        let stdout = "";
        const config = JSON.stringify({ "certificate-expiry": { caMinDaysLeft: 5 } });
        const code = await main(["--endpoint", servers.rootSoon!.url, "--ca", "ca.pem", "--servername", "localhost", "--policy-pack-config", "pack.json", "--json"], {
            stdout: (t) => (stdout += t), stderr: () => undefined, env: {}, readFile: async (f) => (f === "pack.json" ? config : servers.rootSoon!.caPem),
        });
        expect(check((JSON.parse(stdout) as Report).endpoints[0]!, "certificate_chain_expiry").status).toBe("ok");
        expect(code).not.toBe(2);
    }, 60_000);

    it("probes no suite of a port where nothing listens, and finishes within one timeout", async () => {
        const spare = net.createServer();
        await new Promise<void>((resolve) => spare.listen(0, "127.0.0.1", resolve));
        const port = (spare.address() as net.AddressInfo).port;
        await new Promise((resolve) => spare.close(resolve));
        const started = Date.now();
        const r = await verify({ url: `https://127.0.0.1:${port}`, caPem: servers.nginx!.caPem });
        expect(Date.now() - started).toBeLessThan(5000);
        expect(check(r.report!.endpoints[0]!, "tls12_cipher_suites")).toEqual({ id: "tls12_cipher_suites", status: "skip", detail: "not probed: the TLS 1.2 probe got no verdict (connection refused)" });
    }, 60_000);
});
