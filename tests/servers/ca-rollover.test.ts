/**
 * The README's CA key rollover on REAL servers and clients. The phase CAs and leaves are the
 * components' own: the root program's PKI run once per phase under the emulator, each run continuing
 * the last as a stack does (tests/pki/fixture.ts runRolloverPhases). Each server is configured by its
 * component's renderer with mutual TLS and that phase's `trustBundlePem` as its client CA, and
 * presents the old or the new server leaf; each client presents the client leaf of the same generation
 * and trusts the old CA, the new CA or the phase's bundle. A row works exactly when both sides trust
 * the other's issuer: the server's bundle holds the client leaf's generation, and the client's trust
 * holds the server leaf's.
 * Servers: PostgreSQL 15 (psql, node-postgres), nginx 1.22 (curl), redis-server 7.0 in Dragonfly's
 * place (ioredis), each started from the renderer's command, env and files (harness/images).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import Redis from "ioredis";
import { Client } from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { dragonflyArgs, dragonflyEnvs, dragonflyUploads } from "../../components/dragonfly/config";
import { nginxUploads } from "../../components/nginx/config";
import { HEALTHCHECK_PATH } from "../../components/nginx/defaults";
import { postgresCommand, postgresEnvs, postgresUploads } from "../../components/postgres/config";
import { DRAGONFLY_FLAGS } from "../dragonfly-model";
import { startNginxContainer } from "../harness/images/nginx";
import { createPostgresVolume, LOCAL_PG_BIN, type PostgresVolume, startPostgresImage } from "../harness/images/postgres";
import { startRedisStandIn } from "../harness/images/redis";
import { runProcess } from "../harness/process";
import { describeWithServers } from "../harness/requirements";
import { runRolloverPhases, type IssuedPems, type RolloverPhase } from "../pki/fixture";

type Generation = 1 | 2;
type Leaf = "old" | "new";
type Trust = "old" | "new" | "bundle";
type ClientName = "psql" | "pg" | "curl" | "ioredis";
type ServerName = "postgres" | "nginx" | "redis-server";

interface Row {
    readonly phase: string;
    readonly leaf: Leaf;
    readonly trust: Trust;
    readonly client: ClientName;
    readonly server: ServerName;
    readonly expected: "works" | "fails";
    readonly observed: "works" | "fails";
    /** The client's answer, or why it failed, in a line. */
    readonly detail: string;
}

const CLIENTS_OF: Record<ServerName, ClientName[]> = { postgres: ["psql", "pg"], nginx: ["curl"], "redis-server": ["ioredis"] };
const APP = "app";
const APP_PASSWORD = crypto.randomBytes(18).toString("base64url");
const SUPERUSER_PASSWORD = crypto.randomBytes(18).toString("base64url");
const CACHE_PASSWORD = crypto.randomBytes(18).toString("base64url");
const LEAF_GENERATION: Record<Leaf, Generation> = { old: 1, new: 2 };
/** The phases of the runbook (tests/pki/fixture.ts ROLLOVER_PHASES), without the starting point. */
const MATRIX_PHASES = [1, 2, 3] as const;

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim().slice(0, 140);

describeWithServers("CA key rollover: every phase × old/new leaf × old/new/bundle trust on PostgreSQL, nginx and redis-server with psql, pg, curl and ioredis", ["root", "postgres", "nginx", "redis", "curl", "openssl", "socat", "unshare"], () => {
    let phases: RolloverPhase[];
    let tmp: string;
    let volume: PostgresVolume | undefined;
    const rows: Row[] = [];
    const started = Date.now();

    /** Writes a PEM for a client that takes paths (libpq refuses a key readable by others). */
    const pemFile = (name: string, pem: string) => {
        const file = path.join(tmp, name);
        fs.writeFileSync(file, pem, { mode: 0o600 });
        return file;
    };
    const caOf = (generation: Generation) => (generation === 1 ? phases[1]!.caCertPem : phases[2]!.caCertPem);
    const leafOf = (leaf: Leaf) => (leaf === "old" ? phases[1]! : phases[2]!);
    const trustPem = (phase: number, trust: Trust) => (trust === "bundle" ? phases[phase]!.trustBundlePem : caOf(trust === "old" ? 1 : 2));
    const generationsIn = (bundle: string) => (bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((pem) => (new crypto.X509Certificate(pem).subject.endsWith(" G2") ? 2 : 1));
    const expectation = (phase: number, leaf: Leaf, trust: Trust): Row["expected"] => {
        const generation = LEAF_GENERATION[leaf];
        return generationsIn(phases[phase]!.trustBundlePem).includes(generation) && generationsIn(trustPem(phase, trust)).includes(generation) ? "works" : "fails";
    };

    beforeAll(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ca-rollover-"));
        phases = await runRolloverPhases();
        // The leaves the rows call old and new: generation 1's (phase 1) and generation 2's (phase 2).
        expect(new crypto.X509Certificate(leafOf("old").server.certPem).issuer).toBe("CN=tls-platform rollover CA");
        expect(new crypto.X509Certificate(leafOf("new").server.certPem).issuer).toBe("CN=tls-platform rollover CA G2");
        expect(phases.map((p) => generationsIn(p.trustBundlePem))).toEqual([[1], [1, 2], [1, 2], [2]]);
    });

    afterAll(() => {
        volume?.remove();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    /** One client's attempt: a query (SELECT, PING/SET/GET, GET of nginx's own health path) over mutual TLS. */
    async function attempt(client: ClientName, port: number, trust: string, leaf: IssuedPems, id: string): Promise<{ ok: boolean; detail: string }> {
        const [caFile, certFile, keyFile] = [pemFile(`${id}-trust.pem`, trust), pemFile(`${id}-client.crt`, leaf.certPem), pemFile(`${id}-client.key`, leaf.privateKeyPem)];
        try {
            switch (client) {
                case "psql": {
                    const conninfo = `host=127.0.0.1 port=${port} dbname=${APP} user=${APP} sslmode=verify-full sslrootcert=${caFile} sslcert=${certFile} sslkey=${keyFile}`;
                    const r = await runProcess([`${LOCAL_PG_BIN}/psql`, "-X", "-A", "-t", "-c", "SELECT current_user", "-d", conninfo], {
                        env: { PATH: process.env.PATH, PGCONNECT_TIMEOUT: "10", PGGSSENCMODE: "disable", PGPASSWORD: APP_PASSWORD },
                        timeoutMs: 20_000,
                    });
                    return { ok: r.code === 0 && r.stdout.trim() === APP, detail: oneLine(r.code === 0 ? r.stdout : r.stderr) };
                }
                case "pg": {
                    const c = new Client({ host: "127.0.0.1", port, user: APP, password: APP_PASSWORD, database: APP, connectionTimeoutMillis: 10_000, ssl: { ca: trust, cert: leaf.certPem, key: leaf.privateKeyPem } });
                    c.on("error", () => undefined); // a post-handshake alert arrives as an 'error' event too
                    await c.connect();
                    try {
                        const user = (await c.query("SELECT current_user AS u")).rows[0]?.u as string;
                        return { ok: user === APP, detail: user };
                    } finally {
                        await c.end().catch(() => undefined);
                    }
                }
                case "curl": {
                    const r = await runProcess(
                        ["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "--cacert", caFile, "--cert", certFile, "--key", keyFile, `https://127.0.0.1:${port}${HEALTHCHECK_PATH}`],
                        { env: { PATH: process.env.PATH }, timeoutMs: 20_000 },
                    );
                    // nginx answers its health path with 204 itself (components/nginx/config.ts), and a client
                    // certificate it cannot verify with 400 after the handshake (ngx_http_request.c, "The SSL certificate error").
                    return { ok: r.code === 0 && r.stdout === "204", detail: oneLine(`exit ${r.code}, HTTP ${r.stdout || "none"} ${r.stderr}`) };
                }
                case "ioredis": {
                    const redis = new Redis(`rediss://:${CACHE_PASSWORD}@127.0.0.1:${port}/0`, {
                        tls: { ca: trust, cert: leaf.certPem, key: leaf.privateKeyPem },
                        lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 5000, enableOfflineQueue: false, enableReadyCheck: false,
                    });
                    const errors: Error[] = [];
                    redis.on("error", (e: Error) => errors.push(e));
                    try {
                        await redis.connect();
                        await redis.set(`rollover:${id}`, id);
                        const value = await redis.get(`rollover:${id}`);
                        return { ok: value === id, detail: `GET ${value}` };
                    } catch (e) {
                        throw errors[0] ?? e;
                    } finally {
                        redis.disconnect();
                    }
                }
            }
        } catch (e) {
            return { ok: false, detail: oneLine((e as Error).message) };
        }
    }

    /** Starts `server` with `phase`'s bundle as client CA and the `leaf` server certificate; returns its port and stop. */
    async function start(server: ServerName, phase: number, leaf: Leaf): Promise<{ port: number; stop: () => Promise<void> }> {
        const clientCaCertPem = phases[phase]!.trustBundlePem;
        const { server: cert } = leafOf(leaf);
        switch (server) {
            case "postgres": {
                const input = { user: APP, database: APP, mutualTls: true, clientCaCertPem };
                const material = { serverCertPem: cert.certPem, serverKeyPem: cert.privateKeyPem, superuserPassword: SUPERUSER_PASSWORD, appPassword: APP_PASSWORD };
                // One data directory for every start: initdb (and the app role) once, then each start only loads the TLS files.
                volume ??= createPostgresVolume();
                const pg = await startPostgresImage({ command: postgresCommand(input), envs: postgresEnvs(), uploads: postgresUploads(input, material), port: 5432 }, volume, { name: `rollover-pg-${phase}-${leaf}` });
                return { port: pg.hostPort, stop: () => pg.stop() };
            }
            case "nginx": {
                const input = { verifyClient: true, clientCaCertPem, serverNames: ["localhost"] };
                const container = await startNginxContainer({ command: ["nginx", "-g", "daemon off;"], uploads: nginxUploads(input, { serverCertPem: cert.certPem, serverKeyPem: cert.privateKeyPem }), publish: [443, 80] });
                return { port: container.ports[443]!, stop: () => container.stop() };
            }
            case "redis-server": {
                const input = { maxMemory: "512mb", clientCaCertPem };
                const standIn = await startRedisStandIn(
                    { command: dragonflyArgs(input), envs: dragonflyEnvs(CACHE_PASSWORD), uploads: dragonflyUploads(input, cert.certPem, cert.privateKeyPem) },
                    DRAGONFLY_FLAGS,
                    { name: `rollover-redis-${phase}-${leaf}` },
                );
                return { port: standIn.hostPort, stop: () => standIn.stop() };
            }
        }
    }

    /** Every row of one server: a start per phase and leaf, every trust and client against it. */
    async function serverRows(server: ServerName): Promise<Row[]> {
        const found: Row[] = [];
        for (const phase of MATRIX_PHASES) {
            for (const leaf of ["old", "new"] as const) {
                const running = await start(server, phase, leaf);
                try {
                    for (const trust of ["old", "new", "bundle"] as const) {
                        for (const client of CLIENTS_OF[server]) {
                            const { ok, detail } = await attempt(client, running.port, trustPem(phase, trust), leafOf(leaf).client, `${server}-${phase}-${leaf}-${trust}-${client}`);
                            found.push({ phase: phases[phase]!.phase, leaf, trust, client, server, expected: expectation(phase, leaf, trust), observed: ok ? "works" : "fails", detail });
                        }
                    }
                } finally {
                    await running.stop();
                }
            }
        }
        return found;
    }

    it("works exactly where both sides trust the other's issuer, and fails everywhere else, for every phase, leaf, trust and client", async () => {
        // PostgreSQL alone (its data directory is shared by its starts); nginx and redis-server beside it.
        const results = await Promise.allSettled([serverRows("postgres"), serverRows("nginx"), serverRows("redis-server")]);
        for (const r of results) {
            if (r.status === "rejected") throw r.reason;
            rows.push(...r.value);
        }
        const table = rows.map((r) => [r.phase, r.leaf, r.trust, r.client, r.server, r.expected, r.observed, r.detail].join(" | "));
        console.log(
            [
                `CA rollover matrix: ${rows.length} rows, ${rows.filter((r) => r.observed === "works").length} work, ${rows.filter((r) => r.observed === "fails").length} fail, ${rows.filter((r) => r.observed !== r.expected).length} unexpected, in ${Date.now() - started} ms`,
                "phase | leaf | trust | client | server | expected | observed | detail",
                ...table,
            ].join("\n"),
        );
        expect(rows).toHaveLength(MATRIX_PHASES.length * 2 * 3 * 4);
        expect(rows.filter((r) => r.observed !== r.expected).map((r) => `${r.phase} ${r.leaf} leaf, ${r.trust} trust, ${r.client}: expected ${r.expected}, ${r.observed}: ${r.detail}`)).toEqual([]);
        // The rows that carry the rollover: the overlap (phase 2) serves both leaves to bundle clients.
        for (const leaf of ["old", "new"] as const) {
            expect(rows.filter((r) => r.phase.startsWith("2") && r.leaf === leaf && r.trust === "bundle").every((r) => r.observed === "works")).toBe(true);
        }
        // And after the drop (phase 3) nothing of generation 1 gets through, whatever the client trusts.
        expect(rows.filter((r) => r.phase.startsWith("3") && r.leaf === "old").every((r) => r.observed === "fails")).toBe(true);
    }, 300_000);
});
