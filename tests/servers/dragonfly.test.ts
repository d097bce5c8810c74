import type { SecureVersion } from "node:tls";
/**
 * The deployed Dragonfly container. `DragonflyCache` runs under the provider emulator
 * (tests/platform/fixture.ts), which issues real certificates and passwords; what it registered with the
 * Docker provider is used as it is. Dragonfly has no binary here, so (1) the registered args and env are
 * checked against Dragonfly's start-up rules (tests/dragonfly-model: the flags defined in its sources, its
 * TLS-auth rule, 256MiB per thread, ...) on hosts of 1, 2, 8 and 64 CPUs, since redis-server starting
 * proves none of that, and (2) the registered files, port, env and password drive a REAL redis-server with Dragonfly's TLS
 * behaviour (harness/images/redis.ts) to prove the certificates, key permissions, client-certificate
 * demand, password, healthcheck and connection document work with real clients (ioredis, redis-cli,
 * openssl, node tls).
 */
import { randomBytes, X509Certificate } from "node:crypto";
import * as net from "node:net";
import * as tls from "node:tls";
import Redis from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectionDocument } from "../../components";
import { checkDragonflyFlags, checkDragonflyTlsAuth, effectiveDragonflyFlags } from "../../components/dragonfly/flags";
import { HOST_SHAPES, dragonflyCommandFlags, dragonflyStartupFailures, dragonflyThreads } from "../dragonfly-model";
import { type DragonflyContainerSpec, type RunningStandIn, startRedisStandIn } from "../harness/images/redis";
import { deployPlatform, type DeployedPlatform, type Pems, type RegisteredContainer } from "../platform/fixture";
import { atHarnessPort, documentCaPem } from "../platform/documents";
import { probeTlsVersion, tlsHandshake } from "../support/tls-probe";
import { describeWithServers } from "../harness/requirements";
import { DRAGONFLY_FLAGS } from "../dragonfly-model";

const SERVER_CERT = "/etc/dragonfly/tls/server.crt";
const ISSUER_CA = "/etc/dragonfly/tls/issuer-ca.crt";
/** The network alias of `cache` (its component name), a DNS SAN of its certificate besides `localhost`. */
const SAN_NAME = "cache";
const MTLS_SAN_NAME = "cache-mtls";

function upload(r: RegisteredContainer, file: string): string {
    const found = r.uploads.find((u) => u.file === file);
    if (!found) throw new Error(`${r.name} has no upload ${file}`);
    return found.content;
}

function env(r: RegisteredContainer, name: string): string | undefined {
    return r.envs.find((kv) => kv.startsWith(`${name}=`))?.slice(name.length + 1);
}

const NO_RETRIES = { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 5000, enableOfflineQueue: false, enableReadyCheck: false };

/** ioredis connected; connect() only rejects with "Connection is closed.", so the cause comes from the 'error' event. */
async function connected(client: Redis): Promise<Redis> {
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

/** An application's client: the document's URL (port mapped) and its TLS settings, as they are. */
function applicationClient(doc: ConnectionDocument, hostPort: number): Promise<Redis> {
    const client = doc.tls.clientCertificate;
    return connected(new Redis(atHarnessPort(doc, hostPort).url, {
        tls: { ca: documentCaPem(doc), servername: doc.tls.serverName, minVersion: doc.tls.minVersion as SecureVersion, cert: client?.certPem, key: client?.privateKeyPem },
        ...NO_RETRIES,
    }));
}

interface ClientOptions { port: number; password?: string; ca: string; servername?: string; cert?: Pems }

/** ioredis over rediss:// with explicit options, for tests that change one of them. */
function connect(o: ClientOptions): Promise<Redis> {
    const auth = o.password === undefined ? "" : `:${encodeURIComponent(o.password)}@`;
    return connected(new Redis(`rediss://${auth}127.0.0.1:${o.port}/0`, {
        tls: { ca: o.ca, servername: o.servername ?? SAN_NAME, cert: o.cert?.certPem, key: o.cert?.privateKeyPem },
        ...NO_RETRIES,
    }));
}

async function withClient<T>(client: Promise<Redis>, fn: (r: Redis) => Promise<T>): Promise<T> {
    const c = await client;
    try {
        return await fn(c);
    } finally {
        c.disconnect();
    }
}

let platform: DeployedPlatform;
beforeAll(async () => {
    platform = await deployPlatform();
}, 60_000);

describe("registered Dragonfly args and env, checked against Dragonfly's start-up rules before any stand-in starts", () => {
    it.each(["cache", "cacheMutualTls"] as const)("%s: known flags, DFLY_<flag> env, and ValidateServerTlsFlags satisfied", (variant) => {
        const { command, envs } = platform[variant];
        expect(envs.map((kv) => kv.split("=", 1)[0])).toEqual(["DFLY_requirepass"]);
        expect(checkDragonflyFlags(command, DRAGONFLY_FLAGS, envs)).toEqual([]);
        expect(checkDragonflyTlsAuth(command, envs)).toEqual([]);
    });

    it("cacheMutualTls satisfies the TLS-auth rule by its client CA file alone, even without the password", () => {
        expect(checkDragonflyTlsAuth(platform.cacheMutualTls.command, [])).toEqual([]);
    });

    it("without its DFLY_requirepass `cache` would not start, and the stand-in refuses it the same way", async () => {
        const { command } = platform.cache;
        expect(checkDragonflyTlsAuth(command, [])).toHaveLength(1);
        await expect(startRedisStandIn({ command, envs: [], uploads: [] }, DRAGONFLY_FLAGS))
            .rejects.toThrow(/TLS configured but no authentication method is used!/);
    });

    const variantsOnHosts = (["cache", "cacheMutualTls"] as const).flatMap((variant) => HOST_SHAPES.map((host) => [variant, host.cpus, host] as const));
    it.each(variantsOnHosts)("%s starts on a host with %d CPUs: no reason to exit in Dragonfly's start-up rules", (variant, _cpus, host) => {
        const { command, envs } = platform[variant];
        expect(dragonflyStartupFailures(dragonflyCommandFlags(command)!, envs, host, DRAGONFLY_FLAGS)).toEqual([]);
    });

    it("pins one proactor thread, so the memory it needs does not grow with the host's CPUs", () => {
        const flags = effectiveDragonflyFlags(platform.cache.command, platform.cache.envs);
        expect(flags.get("proactor_threads")).toBe("1");
        expect(flags.get("maxmemory")).toBe(String(1024 ** 3));
        expect(dragonflyThreads(flags, { cpus: 64 }).threads).toBe(1);
    });

    it("the same command without the thread count would exit on 8 CPUs, and the stand-in refuses it, though redis-server would start", async () => {
        const { command, envs } = platform.cache;
        const unpinned = command.filter((a) => !a.startsWith("--proactor_threads="));
        expect(dragonflyStartupFailures(dragonflyCommandFlags(unpinned)!, envs, { cpus: 8 }, DRAGONFLY_FLAGS)).toEqual([
            expect.stringContaining('Dragonfly exits with "There are 8 threads, so 2.00GiB are required. Exiting..."'),
        ]);
        await expect(startRedisStandIn({ command: unpinned, envs, uploads: [] }, DRAGONFLY_FLAGS))
            .rejects.toThrow(/on 8 CPUs: .*There are 8 threads, so 2\.00GiB are required/);
    });
});

describeWithServers("DragonflyCache's registered files, env and password on a real TLS server (redis-server stand-in)", ["root", "redis", "openssl", "socat", "unshare"], () => {
    let pw: RunningStandIn; // `cache`: password, no client CA
    let mtls: RunningStandIn; // `cacheMutualTls`: client CA (certificate demanded) and password
    let control: RunningStandIn; // negative control: `cache` also accepting TLS 1.0/1.1
    let doc: ConnectionDocument;
    let mtlsDoc: ConnectionDocument;
    const started: RunningStandIn[] = [];

    beforeAll(async () => {
        doc = platform.cache.connection;
        mtlsDoc = platform.cacheMutualTls.connection;
        const start = async (name: string, s: DragonflyContainerSpec, extraConfig?: string[]) => {
            const server = await startRedisStandIn(s, DRAGONFLY_FLAGS, { name, extraConfig });
            started.push(server);
            return server;
        };
        [pw, mtls, control] = await Promise.all([
            // The registered command, envs and uploads, untouched.
            start("dfly-pw", platform.cache),
            start("dfly-mtls", platform.cacheMutualTls),
            start("dfly-control", platform.cache, ['tls-protocols "TLSv1 TLSv1.1 TLSv1.2"', 'tls-ciphers "DEFAULT:@SECLEVEL=0"']),
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

    it("serves the emulator-issued certificate: SANs cache, localhost, 127.0.0.1, chained to the project CA", async () => {
        const cert = new X509Certificate(upload(platform.cache, SERVER_CERT));
        expect(cert.subjectAltName).toBe(`DNS:${SAN_NAME}, DNS:localhost, IP Address:127.0.0.1`);
        expect(cert.verify(new X509Certificate(platform.caPem).publicKey)).toBe(true);
        // Only the served certificate matters here; verification is proven by the tests around this one.
        const served = await new Promise<string>((resolve, reject) => {
            const s = tls.connect({ host: "127.0.0.1", port: pw.hostPort, servername: "localhost", rejectUnauthorized: false }, () => {
                resolve(s.getPeerX509Certificate()!.fingerprint256);
                s.destroy();
            });
            s.on("error", reject);
        });
        expect(served).toBe(cert.fingerprint256);
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
        expect(await tlsHandshake({ host: "127.0.0.1", port: pw.hostPort, ca: platform.caPem, servername: SAN_NAME })).toMatchObject({ ok: true });
        const reply = await new Promise<string>((resolve, reject) => {
            let data = "";
            const s = net.connect(pw.hostPort, "127.0.0.1", () => s.write("PING\r\n"));
            s.setTimeout(5000, () => s.destroy(new Error("no close within 5 s")));
            s.on("data", (d) => (data += d.toString("latin1"))).on("close", () => resolve(data)).on("error", reject);
        });
        // A plaintext listener would answer "-NOAUTH …"; redis-server's TLS port hangs up without a byte
        // (real Dragonfly sends "-ERR Bad TLS header, …" first: dragonflydb/dragonfly src/facade/dragonfly_connection.cc).
        expect(reply).toBe("");
        const plain = new Redis(atHarnessPort(doc, pw.hostPort).url.replace(/^rediss:/, "redis:"),
            { lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 3000 });
        plain.on("error", () => undefined);
        await expect(plain.connect().then(() => plain.ping())).rejects.toThrow(/Connection is closed/);
        plain.disconnect();
    });

    it("fails verification for a servername that is not in the certificate's SANs", async () => {
        await expect(connect({ port: pw.hostPort, password: doc.password!, ca: platform.caPem, servername: "other.internal" }))
            .rejects.toThrow(/does not match certificate's altnames/);
    });

    it("fails verification for a client that does not trust the CA", async () => {
        await expect(connect({ port: pw.hostPort, password: doc.password!, ca: platform.foreign.caPem }))
            .rejects.toThrow(/unable to verify the first certificate|unable to get local issuer certificate/);
    });

    it("answers NOAUTH without the password and WRONGPASS with a wrong one", async () => {
        await expect(withClient(connect({ port: pw.hostPort, ca: platform.caPem }), (r) => r.get("x"))).rejects.toThrow(/NOAUTH/);
        await expect(withClient(connect({ port: pw.hostPort, ca: platform.caPem }), (r) => r.call("AUTH", "wrong"))).rejects.toThrow(/WRONGPASS/);
    });

    describe("the connection document, used by an application as it is", () => {
        it("ioredis with the rediss:// URL, the document's CA and servername: PING, SET, GET", async () => {
            expect(doc.url.startsWith("rediss://")).toBe(true);
            expect(doc.tls.serverName).toBe("localhost");
            const key = `k-${randomBytes(4).toString("hex")}`;
            const replies = await withClient(applicationClient(doc, pw.hostPort), async (r) => [await r.ping(), await r.set(key, "v1"), await r.get(key)]);
            expect(replies).toEqual(["PONG", "OK", "v1"]);
        });

        it("its password is the server's requirepass (the registered DFLY_requirepass), and a different one is refused", async () => {
            expect(doc.password).toBe(env(platform.cache, "DFLY_requirepass"));
            const [requirepass, again, wrong] = await withClient(applicationClient(doc, pw.hostPort), async (r) => [
                await r.config("GET", "requirepass"),
                await r.call("AUTH", doc.password!),
                await r.call("AUTH", `${doc.password}x`).catch((e: Error) => e.message),
            ]);
            expect(requirepass).toEqual(["requirepass", doc.password]);
            expect(again).toBe("OK");
            expect(wrong).toMatch(/WRONGPASS/);
        });

        it("mutual TLS: ioredis with the document's client certificate", async () => {
            expect(mtlsDoc.tls.clientCertificate).toEqual(platform.app);
            expect(mtlsDoc.password).toBe(env(platform.cacheMutualTls, "DFLY_requirepass"));
            expect(await withClient(applicationClient(mtlsDoc, mtls.hostPort), (r) => r.ping())).toBe("PONG");
        });
    });

    describe("the registered healthcheck, run inside the container as Docker runs it (against the redis stand-in)", () => {
        /**
         * `/bin/sh -c` as root (the image has no USER) with the container's env, which holds the registered
         * DFLY_requirepass the command reads. `issuerCaPem`, when given, is bind-mounted over the uploaded
         * issuer CA in a mount namespace private to this one command.
         */
        async function runHealthcheck(server: RunningStandIn, healthcheck: string, issuerCaPem?: string) {
            if (issuerCaPem === undefined) return server.container.exec(["sh", "-c", healthcheck]);
            const swapped = `/tmp/issuer-ca-${randomBytes(4).toString("hex")}.crt`;
            await server.container.exec(["sh", "-c", `cat > ${swapped}`], { input: issuerCaPem });
            return server.container.exec(["unshare", "--mount", "--", "sh", "-c", `mount --bind ${swapped} ${ISSUER_CA} && exec sh -c "$0"`, healthcheck]);
        }

        it("is redis-cli over TLS with the uploaded issuer CA, reading the password from DFLY_requirepass", async () => {
            expect(platform.cache.healthcheck).toMatch(/^REDISCLI_AUTH="\$DFLY_requirepass" redis-cli --tls --cacert \/etc\/dragonfly\/tls\/issuer-ca\.crt /);
            expect(upload(platform.cache, ISSUER_CA)).toBe(platform.caPem);
            expect((await pw.container.exec(["sh", "-c", 'test "$DFLY_requirepass" = "$0"', doc.password!])).code).toBe(0);
        });

        it.each([
            ["cache", () => pw],
            ["cacheMutualTls", () => mtls],
        ] as const)("%s: succeeds against the running server", async (variant, server) => {
            const r = await runHealthcheck(server(), platform[variant].healthcheck);
            expect(r, r.stderr).toMatchObject({ code: 0 });
        });

        // Control pair: the same wrapper with the real issuer CA passes, so only the CA's content differs.
        it.each([
            ["cache", () => pw],
            ["cacheMutualTls", () => mtls],
        ] as const)("%s: fails when the issuer CA is swapped for a foreign CA, passes with the real one", async (variant, server) => {
            expect(await runHealthcheck(server(), platform[variant].healthcheck, platform.caPem)).toMatchObject({ code: 0 });
            const r = await runHealthcheck(server(), platform[variant].healthcheck, platform.foreign.caPem);
            expect(r.code).not.toBe(0);
            expect(r.stderr).toMatch(/certificate verify failed/);
        });

        it("fails without the password in the container's env", async () => {
            const r = await pw.container.exec(["sh", "-c", platform.cache.healthcheck], { env: { DFLY_requirepass: "" } });
            expect(r.code).not.toBe(0);
        });
    });

    describe("with the client CA configured (Dragonfly then demands a client certificate)", () => {
        const base = () => ({ host: "127.0.0.1", port: mtls.hostPort, ca: platform.caPem, servername: MTLS_SAN_NAME });

        it("refuses a handshake without a client certificate", async () => {
            const r = await tlsHandshake(base());
            expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/certificate required/) });
            await expect(withClient(connect({ port: mtls.hostPort, password: mtlsDoc.password!, ca: platform.caPem, servername: MTLS_SAN_NAME }), (c) => c.ping()))
                .rejects.toThrow(/alert certificate required/);
        });

        it("refuses a client certificate from another CA", async () => {
            const r = await tlsHandshake({ ...base(), cert: platform.foreign.certPem, key: platform.foreign.privateKeyPem });
            expect(r).toMatchObject({ ok: false, error: expect.stringMatching(/unknown ca/) });
        });

        it("accepts the issued client certificate, and still needs the password", async () => {
            const r = await tlsHandshake({ ...base(), cert: platform.app.certPem, key: platform.app.privateKeyPem });
            expect(r).toMatchObject({ ok: true, authorized: true, protocol: "TLSv1.3" });
            const opts = { port: mtls.hostPort, ca: platform.caPem, servername: MTLS_SAN_NAME, cert: platform.app };
            expect(await withClient(connect({ ...opts, password: mtlsDoc.password! }), (c) => c.ping())).toBe("PONG");
            await expect(withClient(connect(opts), (c) => c.ping())).rejects.toThrow(/NOAUTH/);
        });
    });
});
