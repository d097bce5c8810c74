/**
 * The rendered Dragonfly container (components/dragonfly/config.ts). Dragonfly has no binary here, so
 * (1) its args and env are checked against the flags defined in its sources (vendored list) and its
 * TLS-auth start-up rule, and (2) the same uploaded files, port and password drive a REAL redis-server
 * with Dragonfly's TLS behaviour (harness/images/redis.ts) to prove the certificates, key permissions,
 * client-certificate demand and password work with real clients (ioredis, openssl, node tls).
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    checkDragonflyFlags, checkDragonflyTlsAuth, dragonflyArgs, dragonflyEnvs, dragonflyUploads, parseFlagList,
    type DragonflyConfigInput,
} from "../../components/dragonfly/config";
import { type DragonflyContainerSpec, type RunningStandIn, startRedisStandIn } from "../harness/images/redis";
import { makeTestPki, type KeyPair } from "../support/test-pki";
import { probeTlsVersion, tlsHandshake } from "../support/tls-probe";

const KNOWN_FLAGS = parseFlagList(fs.readFileSync(path.join(__dirname, "../fixtures/dragonfly-flags.txt"), "utf8"));
const SAN_NAME = "cache.internal";

/** Everything the tests need, as PEM strings; swap this for the project's PKI emulator output. */
interface DragonflyTestPems {
    readonly caCertPem: string;
    readonly server: KeyPair; // SANs localhost, 127.0.0.1, cache.internal
    readonly client: KeyPair; // issued by the CA
    readonly foreignClient: KeyPair; // issued by an unrelated CA
}

function testPems(): DragonflyTestPems {
    const pki = makeTestPki({ serverNames: [SAN_NAME], clientCommonName: "cache-client" });
    return { caCertPem: pki.ca.certPem, server: pki.server, client: pki.client, foreignClient: pki.foreignClient };
}

function skipReason(): string | undefined {
    if (process.getuid?.() !== 0) return "needs root (namespaces, setpriv)";
    for (const bin of ["/usr/bin/redis-server", "/usr/bin/unshare", "/usr/bin/socat", "/usr/bin/openssl"]) {
        if (!fs.existsSync(bin)) return `${bin} is missing (apt-get install redis-server socat openssl)`;
    }
    return undefined;
}
const SKIP = skipReason();
if (SKIP) console.warn(`\n*** tests/servers/dragonfly.test.ts SKIPPED: ${SKIP} ***\n`);

const PASSWORD = `pw-${randomBytes(12).toString("hex")}`;

function spec(input: DragonflyConfigInput, server: KeyPair, password: string | undefined): DragonflyContainerSpec {
    return { command: dragonflyArgs(input), envs: dragonflyEnvs(password), uploads: dragonflyUploads(input, server.certPem, server.keyPem) };
}

interface ClientOptions { port: number; password?: string; ca?: string; servername?: string; cert?: KeyPair }

/** ioredis over rediss:// with explicit TLS options; no retries, so failures surface. */
async function connect(o: ClientOptions): Promise<Redis> {
    const auth = o.password === undefined ? "" : `:${encodeURIComponent(o.password)}@`;
    const client = new Redis(`rediss://${auth}127.0.0.1:${o.port}/0`, {
        tls: { ca: o.ca, servername: o.servername ?? SAN_NAME, cert: o.cert?.certPem, key: o.cert?.keyPem },
        lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 5000,
        enableOfflineQueue: false, enableReadyCheck: false,
    });
    // connect() only rejects with "Connection is closed."; the cause arrives as an 'error' event.
    const errors: Error[] = [];
    client.on("error", (e: Error) => errors.push(e));
    try {
        await client.connect();
    } catch (e) {
        client.disconnect();
        throw errors[0] ?? e;
    }
    return client;
}

async function withClient<T>(o: ClientOptions, fn: (r: Redis) => Promise<T>): Promise<T> {
    const client = await connect(o);
    try {
        return await fn(client);
    } finally {
        client.disconnect();
    }
}

describe("rendered Dragonfly args (checked against the flags in Dragonfly's sources)", () => {
    it.each([
        ["password only", { maxMemory: "1gb" }, PASSWORD],
        ["client CA and password", { maxMemory: "1gb", clientCaCertPem: "-----BEGIN CERTIFICATE-----\n" }, PASSWORD],
        ["client CA only", { maxMemory: "1gb", clientCaCertPem: "-----BEGIN CERTIFICATE-----\n" }, undefined],
    ] as const)("%s: known flags, DFLY_<flag> env, and ValidateServerTlsFlags satisfied", (_t, input, password) => {
        const args = dragonflyArgs(input);
        const envs = dragonflyEnvs(password);
        expect(checkDragonflyFlags(args, KNOWN_FLAGS, envs)).toEqual([]);
        expect(checkDragonflyTlsAuth(args, envs)).toEqual([]);
    });

    it("would not start with neither password nor client CA, and the stand-in refuses it the same way", async () => {
        const args = dragonflyArgs({ maxMemory: "1gb" });
        expect(checkDragonflyTlsAuth(args, dragonflyEnvs(undefined))).toHaveLength(1);
        await expect(startRedisStandIn({ command: args, envs: [], uploads: [] }, KNOWN_FLAGS))
            .rejects.toThrow(/TLS configured but no authentication method is used!/);
    });
});

describe.skipIf(!!SKIP)("Dragonfly's files and password on a real TLS server (redis-server stand-in)", () => {
    let pems: DragonflyTestPems;
    let pw: RunningStandIn; // password, no client CA
    let mtls: RunningStandIn; // client CA (certificate demanded) and password
    let control: RunningStandIn; // negative control: also accepts TLS 1.0/1.1
    const started: RunningStandIn[] = [];

    beforeAll(async () => {
        pems = testPems();
        const base: DragonflyConfigInput = { maxMemory: "512mb" };
        const start = async (name: string, s: DragonflyContainerSpec, extraConfig?: string[]) => {
            const server = await startRedisStandIn(s, KNOWN_FLAGS, { name, extraConfig });
            started.push(server);
            return server;
        };
        [pw, mtls, control] = await Promise.all([
            start("dfly-pw", spec(base, pems.server, PASSWORD)),
            start("dfly-mtls", spec({ ...base, clientCaCertPem: pems.caCertPem }, pems.server, PASSWORD)),
            start("dfly-control", spec(base, pems.server, PASSWORD), ['tls-protocols "TLSv1 TLSv1.1 TLSv1.2"', 'tls-ciphers "DEFAULT:@SECLEVEL=0"']),
        ]);
    }, 60_000);

    afterAll(() => Promise.all(started.map((s) => s.stop())), 30_000);

    it("reads the 0600 key as the image's uid (mapped to redis) and runs unprivileged", async () => {
        const stat = await pw.container.exec(["stat", "-c", "%a %U", "/etc/dragonfly/tls/server.key"]);
        expect(stat.stdout.trim()).toBe("600 redis");
        expect((await pw.container.exec(["cat", "/proc/1/status"])).stdout).toMatch(/^Name:\s+redis-server$/m);
        expect(pw.config).toContain("tls-auth-clients no");
        expect(mtls.config).toContain("tls-ca-cert-file \"/etc/dragonfly/tls/ca.crt\"\ntls-auth-clients yes");
    });

    it.each(["TLSv1", "TLSv1.1"] as const)("refuses %s (s_client at SECLEVEL=0)", async (version) => {
        const r = await probeTlsVersion({ host: "127.0.0.1", port: pw.hostPort, version });
        expect(r.accepted, r.output).toBe(false);
        expect(r.alert).toBe("protocol version");
    });

    it("negative control: the same probe sees TLS 1.1 accepted by a server configured to allow it", async () => {
        const r = await probeTlsVersion({ host: "127.0.0.1", port: control.hostPort, version: "TLSv1.1" });
        expect(r).toMatchObject({ accepted: true, protocol: "TLSv1.1" });
    });

    it.each(["TLSv1.2", "TLSv1.3"] as const)("accepts %s", async (version) => {
        const r = await probeTlsVersion({ host: "127.0.0.1", port: pw.hostPort, version, servername: SAN_NAME });
        expect(r).toMatchObject({ accepted: true, protocol: version });
    });

    it("refuses plaintext: a plain PING gets no reply, and ioredis over redis:// fails", async () => {
        // The forwarder also hangs up when nothing listens, so first prove the port serves TLS.
        expect(await tlsHandshake({ host: "127.0.0.1", port: pw.hostPort, ca: pems.caCertPem, servername: SAN_NAME })).toMatchObject({ ok: true });
        const reply = await new Promise<string>((resolve, reject) => {
            let data = "";
            const s = net.connect(pw.hostPort, "127.0.0.1", () => s.write("PING\r\n"));
            s.setTimeout(5000, () => s.destroy(new Error("no close within 5 s")));
            s.on("data", (d) => (data += d.toString("latin1"))).on("close", () => resolve(data)).on("error", reject);
        });
        // A plaintext listener would answer "-NOAUTH …"; redis-server's TLS port hangs up without a byte
        // (real Dragonfly sends "-ERR Bad TLS header, …" first, facts.md §1, dragonfly_connection.cc).
        expect(reply).toBe("");
        const plain = new Redis(`redis://:${PASSWORD}@127.0.0.1:${pw.hostPort}/0`,
            { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 3000 });
        plain.on("error", () => undefined);
        await expect(plain.connect().then(() => plain.ping())).rejects.toThrow(/Connection is closed/);
        plain.disconnect();
    });

    it("ioredis over rediss:// with only the CA and the password: PING, SET, GET", async () => {
        const key = `k-${randomBytes(4).toString("hex")}`;
        const [pong, set, got] = await withClient({ port: pw.hostPort, password: PASSWORD, ca: pems.caCertPem },
            async (r) => [await r.ping(), await r.set(key, "v1"), await r.get(key)]);
        expect([pong, set, got]).toEqual(["PONG", "OK", "v1"]);
    });

    it("fails verification for a servername that is not in the certificate's SANs", async () => {
        await expect(connect({ port: pw.hostPort, password: PASSWORD, ca: pems.caCertPem, servername: "other.internal" }))
            .rejects.toThrow(/does not match certificate's altnames/);
    });

    it("fails verification for a client that does not trust the CA", async () => {
        await expect(connect({ port: pw.hostPort, password: PASSWORD, ca: pems.foreignClient.certPem }))
            .rejects.toThrow(/unable to verify the first certificate|unable to get local issuer certificate/);
    });

    it("answers NOAUTH without the password and WRONGPASS with a wrong one", async () => {
        await expect(withClient({ port: pw.hostPort, ca: pems.caCertPem }, (r) => r.get("x"))).rejects.toThrow(/NOAUTH/);
        await expect(withClient({ port: pw.hostPort, ca: pems.caCertPem }, (r) => r.call("AUTH", "wrong"))).rejects.toThrow(/WRONGPASS/);
    });

    describe("with the client CA configured (Dragonfly then demands a client certificate)", () => {
        const base = () => ({ host: "127.0.0.1", port: mtls.hostPort, ca: pems.caCertPem, servername: SAN_NAME });

        it("refuses a handshake without a client certificate", async () => {
            const r = await tlsHandshake(base());
            expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/certificate required/) });
            await expect(withClient({ port: mtls.hostPort, password: PASSWORD, ca: pems.caCertPem }, (c) => c.ping())).rejects.toThrow(/alert certificate required/);
        });

        it("refuses a client certificate from another CA", async () => {
            const r = await tlsHandshake({ ...base(), cert: pems.foreignClient.certPem, key: pems.foreignClient.keyPem });
            expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/unknown ca/) });
        });

        it("accepts the issued client certificate, and still needs the password", async () => {
            const r = await tlsHandshake({ ...base(), cert: pems.client.certPem, key: pems.client.keyPem });
            expect(r).toMatchObject({ ok: true, authorized: true, protocol: "TLSv1.3" });
            const opts = { port: mtls.hostPort, ca: pems.caCertPem, cert: pems.client };
            expect(await withClient({ ...opts, password: PASSWORD }, (c) => c.ping())).toBe("PONG");
            await expect(withClient(opts, (c) => c.ping())).rejects.toThrow(/NOAUTH/);
        });
    });
});
