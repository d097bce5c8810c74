/**
 * Rotation by reload on REAL servers, with live traffic (issue 11 §1). Three emulated `pulumi up`s of the
 * same dev components with one CA: A (first deploy), B (a renewal: new leaf, same everything else) and D
 * (another renewal, used for the refused-reload case). From A: the TLS volume is filled by running A's
 * registered writer command, the server starts from A's container inputs with the volume mounted read-only
 * at its TLS directory, and A's reload command runs. Then, under load, B's writer and reload commands run
 * against the SAME running server — exactly the command strings and stdin the components registered, run by
 * /bin/sh as the command provider runs them, with a `docker` stand-in (tests/harness/docker-standin.js)
 * that carries out only the calls they make. Counted: every request; zero may fail.
 * Servers: PostgreSQL 15 (mutual TLS, the dev default), nginx 1.22, redis-server 7.0 for Dragonfly (its
 * reload `CONFIG SET tls true` rewritten to redis's `CONFIG SET tls-cert-file …`, tests/harness/images/redis.ts).
 */
import { X509Certificate } from "node:crypto";
import * as net from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectionDocument } from "../../components";
import { tlsPayload } from "../../components/shared/rotation/files";
import { DRAGONFLY_FLAGS } from "../dragonfly-model";
import { installEmulator } from "../emulator";
import { createPostgresVolume, type PostgresVolume, startPostgresImage } from "../harness/images/postgres";
import { startNginxContainer } from "../harness/images/nginx";
import { redisReloadRewrite, startRedisStandIn } from "../harness/images/redis";
import type { Container } from "../harness/namespace";
import { delay } from "../harness/process";
import { describeWithServers } from "../harness/requirements";
import { decodeTlsPayload, type DockerStandIn, dockerStandIn } from "../harness/volumes";
import { type RegisteredContainer, registeredContainer } from "../platform/fixture";
import { createCa } from "../support/test-pki";
import { type LoadCounts, startLoad } from "./rotation-load";

type Kind = "postgres" | "redis" | "https";
const KINDS: Kind[] = ["postgres", "redis", "https"];

async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((r) => server.close(r));
    return port;
}

const localIds = (user: string) => {
    const { execFileSync } = require("node:child_process") as typeof import("node:child_process");
    return `${execFileSync("id", ["-u", user], { encoding: "utf8" }).trim()}:${execFileSync("id", ["-g", user], { encoding: "utf8" }).trim()}`;
};

interface Deployment { readonly postgres: RegisteredContainer; readonly redis: RegisteredContainer; readonly https: RegisteredContainer }

/** One emulated `pulumi up` of the three services, with the given CA and fixed host ports. */
async function deploy(ca: { certPem: string; privateKeyPem: string }, ports: Record<Kind | "http", number>): Promise<Deployment> {
    const emulator = await installEmulator({ stack: "dev" });
    const c = await import("../../components");
    const network = "backend";
    const db = new c.PostgresDatabase("db", { ca, network, hostPort: ports.postgres, mutualTls: true });
    const cache = new c.DragonflyCache("cache", { ca, network, hostPort: ports.redis });
    const proxy = new c.NginxProxy("proxy", { ca, network, hostPort: ports.https, httpHostPort: ports.http, upstreams: [{ name: "app", url: "http://127.0.0.1:9" }] });
    return { postgres: await registeredContainer(emulator, db), redis: await registeredContainer(emulator, cache), https: await registeredContainer(emulator, proxy) };
}

const fingerprintOf = (r: RegisteredContainer) => new X509Certificate(decodeTlsPayload(r.tls.deliver.stdin).find((f) => f.name === "server.crt")!.content).fingerprint256;
const generationOf = (r: RegisteredContainer) => r.tls.deliver.stdin.split("\n")[0]!;
const envRecord = (envs: readonly string[]) => Object.fromEntries(envs.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));

/** Starts the real server for `r` with its TLS volume bound read-only, reachable by the docker stand-in. */
async function startServer(kind: Kind, r: RegisteredContainer, volumeHostPath: string, pgVolume: PostgresVolume): Promise<{ container: Container; stop: () => Promise<void> }> {
    const binds = [{ hostPath: volumeHostPath, containerPath: r.tls.dir, readOnly: r.tls.readOnly }];
    const port = r.ports[0]!;
    if (kind === "postgres") {
        const pg = await startPostgresImage({ command: r.command, envs: r.envs, uploads: r.configUploads, port: port.internal }, pgVolume, { name: "rotation-db", binds, hostPort: port.external });
        return { container: pg.container, stop: pg.stop };
    }
    if (kind === "redis") {
        const df = await startRedisStandIn({ command: r.command, envs: r.envs, uploads: r.configUploads }, DRAGONFLY_FLAGS, { name: "rotation-cache", binds, hostPort: port.external });
        return { container: df.container, stop: df.stop };
    }
    const container = await startNginxContainer({ command: r.command, uploads: r.configUploads, binds, hostPorts: Object.fromEntries(r.ports.map((p) => [p.internal, p.external])) });
    return { container, stop: () => container.stop() };
}

async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await delay(20);
    }
}

const results: Record<string, unknown> = {};

describeWithServers("rotation by reload on real servers, under live traffic", ["root", "postgres", "redis", "nginx", "socat", "unshare"], () => {
    let a: Deployment;
    let b: Deployment;
    let d: Deployment;

    beforeAll(async () => {
        const ports = { postgres: await freePort(), redis: await freePort(), https: await freePort(), http: await freePort() };
        // One CA for the three deployments (a renewal keeps its CA), made outside them.
        const authority = createCa("rotation test CA");
        const ca = { certPem: authority.certPem, privateKeyPem: authority.keyPem };
        a = await deploy(ca, ports);
        b = await deploy(ca, ports);
        d = await deploy(ca, ports);
    }, 60_000);

    afterAll(() => {
        // The figures for the note: requests sent and failed per server, across the rotation.
        console.log(`ROTATION_COUNTS ${JSON.stringify(results)}`);
    });

    it("three deployments differ only in the certificate: same container inputs, same commands but the fingerprint and generation", () => {
        for (const kind of KINDS) {
            expect(b[kind].configUploads.filter((u) => !/password/.test(u.file))).toEqual(a[kind].configUploads.filter((u) => !/password/.test(u.file)));
            expect(b[kind].command).toEqual(a[kind].command);
            expect(b[kind].tls.deliver.command).toBe(a[kind].tls.deliver.command);
            expect(fingerprintOf(b[kind])).not.toBe(fingerprintOf(a[kind]));
            expect(b[kind].tls.reload.command.replace(/[0-9a-f]{64}|[0-9a-f]{16}/g, "")).toBe(a[kind].tls.reload.command.replace(/[0-9a-f]{64}|[0-9a-f]{16}/g, ""));
        }
    });

    describe.each(KINDS)("%s", (kind) => {
        let docker: DockerStandIn;
        let server: { container: Container; stop: () => Promise<void> } | undefined;
        let pgVolume: PostgresVolume;
        let document: ConnectionDocument;

        beforeAll(async () => {
            docker = dockerStandIn();
            pgVolume = createPostgresVolume();
            const r = a[kind];
            document = r.connection;
            const ids: Record<string, string> = kind === "postgres" ? { "999:999": localIds("postgres") } : kind === "redis" ? { "999:999": localIds("redis") } : { "0:0": "0:0" };
            const volume = docker.addVolume(r.tls.volumeName, ids);
            const written = await docker.run(r.tls.deliver.command, r.tls.deliver.stdin);
            expect(written.code, written.stderr).toBe(0);
            server = await startServer(kind, r, volume, pgVolume);
            docker.addContainer(r.name, server.container, envRecord(r.envs), kind === "redis" ? [redisReloadRewrite(r, DRAGONFLY_FLAGS)] : []);
            const reloaded = await docker.run(r.tls.reload.command, r.tls.reload.stdin);
            expect(reloaded.code, reloaded.stderr).toBe(0);
            expect(reloaded.stdout).toContain(`serves generation ${generationOf(r)}`);
        }, 90_000);

        afterAll(async () => {
            await server?.stop();
            pgVolume?.remove();
            docker?.remove();
        });

        it("renews with zero failed requests: old connections keep working, new handshakes get the new certificate; a key that does not match is refused and the old certificate keeps serving", async () => {
            const load = startLoad(kind, document);
            await until(() => load.counts.handshakes.length >= 5 && load.counts.persistentOk >= 5, "traffic before the renewal");
            const renewalStarted = Date.now();

            const deliver = await docker.run(b[kind].tls.deliver.command, b[kind].tls.deliver.stdin);
            expect(deliver.code, deliver.stderr).toBe(0);
            const reload = await docker.run(b[kind].tls.reload.command, b[kind].tls.reload.stdin);
            expect(reload.code, reload.stderr).toBe(0);
            expect(reload.stdout).toContain(`serves generation ${generationOf(b[kind])}`);
            const renewed = Date.now();
            await until(() => load.counts.handshakes.filter((h) => h.at > renewed).length >= 5, "new handshakes after the renewal");

            // Refused: D's new certificate with a key that is not its own (the component itself refuses such a pair
            // before delivering; here the pair is forced into the volume to see what the servers and the step do).
            const files = decodeTlsPayload(d[kind].tls.deliver.stdin).map((f) => (f.name === "server.key" ? { ...f, content: decodeTlsPayload(a[kind].tls.deliver.stdin).find((g) => g.name === "server.key")!.content } : f));
            const mismatched = tlsPayload(files);
            expect((await docker.run(d[kind].tls.deliver.command, mismatched.stdin)).code).toBe(0);
            const shortWait = d[kind].tls.reload.command.replace(/ 30$/, " 3");
            expect(shortWait).not.toBe(d[kind].tls.reload.command);
            const refused = await docker.run(shortWait, d[kind].tls.reload.stdin);
            expect(refused.code).not.toBe(0);
            // Each refuses in its own way: Dragonfly answers the CONFIG SET with an error; `nginx -s reload` loads the
            // configuration itself first and exits with its [emerg]; PostgreSQL takes the SIGHUP, logs and keeps its old
            // context, which only the served-certificate check sees.
            const why = {
                redis: /Dragonfly refused the reload/,
                https: /\[emerg\].*server\.key.*key values mismatch/,
                postgres: new RegExp(`does not serve the delivered certificate .*it serves sha256 ${fingerprintOf(b[kind]).replace(/:/g, "").toLowerCase()}`),
            }[kind];
            expect(refused.stderr).toMatch(why);
            const refusedAt = Date.now();
            await until(() => load.counts.handshakes.filter((h) => h.at > refusedAt).length >= 5, "new handshakes after the refused reload");

            const counts: LoadCounts = await load.stop();
            results[kind] = {
                sent: counts.sent, failed: counts.failed, persistentSent: counts.persistentSent, persistentOk: counts.persistentOk,
                persistentReopened: counts.persistentReopened, retriedOnClosedKeepAlive: counts.retriedOnClosedKeepAlive, newHandshakes: counts.handshakes.length,
            };
            expect(counts.errors).toEqual([]);
            expect(counts.failed).toBe(0);
            expect(counts.persistentOk).toBe(counts.persistentSent);
            const before = counts.handshakes.filter((h) => h.at < renewalStarted);
            const after = counts.handshakes.filter((h) => h.at > renewed);
            expect(new Set(before.map((h) => h.fingerprint))).toEqual(new Set([fingerprintOf(a[kind])]));
            expect(new Set(after.map((h) => h.fingerprint))).toEqual(new Set([fingerprintOf(b[kind])]));
        }, 120_000);
    });
});
