/**
 * Real servers and clients for the CA key rollover tests (ca-rollover.test.ts, ca-rollover-live.test.ts).
 * Each server is configured by its component's renderer with mutual TLS and a client CA bundle, and can
 * be handed new TLS files and reloaded in place the way each server reloads (issue 11 §1): PostgreSQL on
 * SIGHUP (it keeps the old context if the new one fails), nginx on `nginx -s reload`, redis-server (for
 * Dragonfly) on `CONFIG SET tls-cert-file …` with the same paths (7.0.1+, src/config.c applyTlsCfg).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import * as tls from "node:tls";
import Redis from "ioredis";
import { Client } from "pg";
import { dragonflyArgs, dragonflyEnvs, dragonflyUploads, DRAGONFLY_CLIENT_CA_PATH, DRAGONFLY_SERVER_CERT_PATH, DRAGONFLY_SERVER_KEY_PATH } from "../../components/dragonfly/config";
import { nginxUploads } from "../../components/nginx/config";
import { CLIENT_CA_PATH, HEALTHCHECK_PATH, SERVER_CERT_PATH, SERVER_KEY_PATH } from "../../components/nginx/defaults";
import {
    POSTGRES_CLIENT_CA_PATH, POSTGRES_SERVER_CERT_PATH, POSTGRES_SERVER_KEY_PATH, postgresCommand, postgresEnvs, postgresUploads,
} from "../../components/postgres/config";
import { DRAGONFLY_FLAGS } from "../dragonfly-model";
import { startNginxContainer } from "../harness/images/nginx";
import { createPostgresVolume, LOCAL_PG_BIN, type PostgresVolume, startPostgresImage } from "../harness/images/postgres";
import { startRedisStandIn } from "../harness/images/redis";
import type { Container } from "../harness/namespace";
import { runProcess } from "../harness/process";

export type ServerName = "postgres" | "nginx" | "redis-server";
export type ClientName = "psql" | "pg" | "curl" | "ioredis";
export const CLIENTS_OF: Record<ServerName, ClientName[]> = { postgres: ["psql", "pg"], nginx: ["curl"], "redis-server": ["ioredis"] };

export const APP = "app";
const APP_PASSWORD = crypto.randomBytes(18).toString("base64url");
const SUPERUSER_PASSWORD = crypto.randomBytes(18).toString("base64url");
const CACHE_PASSWORD = crypto.randomBytes(18).toString("base64url");

export interface Pem { readonly certPem: string; readonly privateKeyPem: string }
/** What a server is given: its certificate and key, and the CA bundle it checks client certificates against. */
export interface ServerTls { readonly server: Pem; readonly clientCaPem: string }
/** What a client holds (its connection document's TLS part): the CAs it trusts and its client certificate. */
export interface ClientTls { readonly trustPem: string; readonly client: Pem }

export interface RunningServer {
    readonly name: ServerName;
    readonly port: number;
    readonly container: Container;
    /** Writes new TLS files in place and reloads the server, as a delivery would (`via`: a client's TLS, for redis's CONFIG SET). */
    reload(next: ServerTls, via: ClientTls): Promise<void>;
    stop(): Promise<void>;
}

const oneLine = (s: string) => s.replace(/\s+/g, " ").trim().slice(0, 140);

async function writeInContainer(container: Container, file: string, content: string): Promise<void> {
    // `cat >` into the existing file keeps its owner and mode (0600 for keys).
    const r = await container.exec(["sh", "-c", 'cat > "$0"', file], { input: content });
    if (r.code !== 0) throw new Error(`writing ${file}: ${r.stderr}`);
}

/** PostgreSQL needs one data directory across its starts in a test file: initdb (and the app role) once. */
let pgVolume: PostgresVolume | undefined;
export function removePostgresVolume(): void {
    pgVolume?.remove();
    pgVolume = undefined;
}

/** Starts `name` with mutual TLS from its component's renderer, `initial` as its certificate and client CA. */
export async function startServer(name: ServerName, initial: ServerTls, label: string): Promise<RunningServer> {
    switch (name) {
        case "postgres": {
            const input = { user: APP, database: APP, mutualTls: true, clientCaCertPem: initial.clientCaPem };
            const material = { serverCertPem: initial.server.certPem, serverKeyPem: initial.server.privateKeyPem, superuserPassword: SUPERUSER_PASSWORD, appPassword: APP_PASSWORD };
            pgVolume ??= createPostgresVolume();
            const pg = await startPostgresImage({ command: postgresCommand(input), envs: postgresEnvs(), uploads: postgresUploads(input, material), port: 5432 }, pgVolume, { name: label });
            return {
                name, port: pg.hostPort, container: pg.container, stop: () => pg.stop(),
                reload: async (next) => {
                    await writeInContainer(pg.container, POSTGRES_SERVER_CERT_PATH, next.server.certPem);
                    await writeInContainer(pg.container, POSTGRES_SERVER_KEY_PATH, next.server.privateKeyPem);
                    await writeInContainer(pg.container, POSTGRES_CLIENT_CA_PATH, next.clientCaPem);
                    process.kill(pg.container.pid, "SIGHUP"); // the postmaster: PID 1 of the container
                },
            };
        }
        case "nginx": {
            const input = { verifyClient: true, clientCaCertPem: initial.clientCaPem, serverNames: ["localhost"] };
            const container = await startNginxContainer({ command: ["nginx", "-g", "daemon off;"], uploads: nginxUploads(input, { serverCertPem: initial.server.certPem, serverKeyPem: initial.server.privateKeyPem }), publish: [443, 80] });
            return {
                name, port: container.ports[443]!, container, stop: () => container.stop(),
                reload: async (next) => {
                    await writeInContainer(container, SERVER_CERT_PATH, next.server.certPem);
                    await writeInContainer(container, SERVER_KEY_PATH, next.server.privateKeyPem);
                    await writeInContainer(container, CLIENT_CA_PATH, next.clientCaPem);
                    const r = await container.exec(["nginx", "-s", "reload"]);
                    if (r.code !== 0) throw new Error(`nginx -s reload: ${r.stderr}`);
                },
            };
        }
        case "redis-server": {
            const input = { maxMemory: "512mb", clientCaCertPem: initial.clientCaPem };
            const standIn = await startRedisStandIn(
                { command: dragonflyArgs(input), envs: dragonflyEnvs(CACHE_PASSWORD), uploads: dragonflyUploads(input, initial.server.certPem, initial.server.privateKeyPem) },
                DRAGONFLY_FLAGS,
                { name: label },
            );
            return {
                name, port: standIn.hostPort, container: standIn.container, stop: () => standIn.stop(),
                reload: async (next, via) => {
                    await writeInContainer(standIn.container, DRAGONFLY_SERVER_CERT_PATH, next.server.certPem);
                    await writeInContainer(standIn.container, DRAGONFLY_SERVER_KEY_PATH, next.server.privateKeyPem);
                    await writeInContainer(standIn.container, DRAGONFLY_CLIENT_CA_PATH, next.clientCaPem);
                    // Over a client connection: the admin's own, with the certificate the client holds now.
                    const admin = await openRedis(standIn.hostPort, via);
                    try {
                        const answer = await admin.call("CONFIG", "SET", "tls-cert-file", DRAGONFLY_SERVER_CERT_PATH, "tls-key-file", DRAGONFLY_SERVER_KEY_PATH, "tls-ca-cert-file", DRAGONFLY_CLIENT_CA_PATH);
                        if (answer !== "OK") throw new Error(`redis CONFIG SET answered ${String(answer)}`);
                    } finally {
                        admin.disconnect();
                    }
                },
            };
        }
    }
}

/** A file for clients that take paths (libpq refuses a key readable by others). */
function pemFile(dir: string, name: string, pem: string): string {
    const file = path.join(dir, name);
    fs.writeFileSync(file, pem, { mode: 0o600 });
    return file;
}

/** One request on a new connection: a SELECT, SET/GET, or a GET of nginx's own health path. Throws on failure. */
export async function requestOnce(client: ClientName, port: number, doc: ClientTls, tmp: string, id: string): Promise<string> {
    switch (client) {
        case "psql": {
            const [ca, cert, key] = [pemFile(tmp, `${id}-trust.pem`, doc.trustPem), pemFile(tmp, `${id}.crt`, doc.client.certPem), pemFile(tmp, `${id}.key`, doc.client.privateKeyPem)];
            const conninfo = `host=127.0.0.1 port=${port} dbname=${APP} user=${APP} sslmode=verify-full sslrootcert=${ca} sslcert=${cert} sslkey=${key}`;
            const r = await runProcess([`${LOCAL_PG_BIN}/psql`, "-X", "-A", "-t", "-c", "SELECT current_user", "-d", conninfo], {
                env: { PATH: process.env.PATH, PGCONNECT_TIMEOUT: "10", PGGSSENCMODE: "disable", PGPASSWORD: APP_PASSWORD },
                timeoutMs: 20_000,
            });
            if (r.code !== 0 || r.stdout.trim() !== APP) throw new Error(oneLine(r.stderr || r.stdout));
            return r.stdout.trim();
        }
        case "pg": {
            const c = new Client({ host: "127.0.0.1", port, user: APP, password: APP_PASSWORD, database: APP, connectionTimeoutMillis: 10_000, ssl: { ca: doc.trustPem, cert: doc.client.certPem, key: doc.client.privateKeyPem } });
            c.on("error", () => undefined); // a post-handshake alert arrives as an 'error' event too
            await c.connect();
            try {
                return (await c.query("SELECT current_user AS u")).rows[0]?.u as string;
            } finally {
                await c.end().catch(() => undefined);
            }
        }
        case "curl": {
            const [ca, cert, key] = [pemFile(tmp, `${id}-trust.pem`, doc.trustPem), pemFile(tmp, `${id}.crt`, doc.client.certPem), pemFile(tmp, `${id}.key`, doc.client.privateKeyPem)];
            const r = await runProcess(["curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "10", "--cacert", ca, "--cert", cert, "--key", key, `https://127.0.0.1:${port}${HEALTHCHECK_PATH}`], {
                env: { PATH: process.env.PATH },
                timeoutMs: 20_000,
            });
            // nginx answers its health path with 204 itself (components/nginx/config.ts), and a client
            // certificate it cannot verify with 400 after the handshake (ngx_http_request.c, "The SSL certificate error").
            if (r.code !== 0 || r.stdout !== "204") throw new Error(oneLine(`exit ${r.code}, HTTP ${r.stdout || "none"} ${r.stderr}`));
            return `HTTP ${r.stdout}`;
        }
        case "ioredis": {
            const redis = await openRedis(port, doc);
            try {
                await redis.set(`rollover:${id}`, id);
                const value = await redis.get(`rollover:${id}`);
                if (value !== id) throw new Error(`GET ${value}`);
                return `GET ${value}`;
            } finally {
                redis.disconnect();
            }
        }
    }
}

/** ioredis connected over rediss:// with `doc`; its cause of failure comes from the 'error' event. */
export async function openRedis(port: number, doc: ClientTls): Promise<Redis> {
    const redis = new Redis(`rediss://:${CACHE_PASSWORD}@127.0.0.1:${port}/0`, {
        tls: { ca: doc.trustPem, cert: doc.client.certPem, key: doc.client.privateKeyPem },
        lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 5000, enableOfflineQueue: false, enableReadyCheck: false,
    });
    const errors: Error[] = [];
    redis.on("error", (e: Error) => errors.push(e));
    try {
        await redis.connect();
        // Under TLS 1.3 a refused client certificate arrives after the handshake: the first command sees it.
        await redis.ping();
    } catch (e) {
        redis.disconnect();
        throw errors[0] ?? e;
    }
    return redis;
}

/** A persistent node-postgres connection, opened with `doc`. */
export async function openPg(port: number, doc: ClientTls): Promise<Client> {
    const c = new Client({ host: "127.0.0.1", port, user: APP, password: APP_PASSWORD, database: APP, connectionTimeoutMillis: 10_000, ssl: { ca: doc.trustPem, cert: doc.client.certPem, key: doc.client.privateKeyPem } });
    c.on("error", () => undefined);
    await c.connect();
    return c;
}

/**
 * The SHA-256 fingerprint of the certificate `server` serves to a new handshake. PostgreSQL speaks TLS
 * after its SSLRequest, so it is read with `openssl s_client -starttls postgres`.
 */
export async function servedFingerprint(server: RunningServer): Promise<string> {
    if (server.name === "postgres") {
        const r = await runProcess(["openssl", "s_client", "-connect", `127.0.0.1:${server.port}`, "-starttls", "postgres", "-noservername"], { env: { PATH: process.env.PATH }, input: "", timeoutMs: 10_000 });
        const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(r.stdout)?.[0];
        if (!pem) throw new Error(`no certificate from s_client: ${oneLine(r.stdout + r.stderr)}`);
        return new crypto.X509Certificate(pem).fingerprint256;
    }
    return new Promise((resolve, reject) => {
        const socket = tls.connect({ host: "127.0.0.1", port: server.port, rejectUnauthorized: false }, () => {
            const fingerprint = new crypto.X509Certificate(socket.getPeerX509Certificate()!.raw).fingerprint256;
            socket.destroy();
            resolve(fingerprint);
        });
        socket.on("error", reject);
    });
}
