/**
 * Live traffic for the rotation test: one connection kept busy (requests back to back on it) and a loop
 * opening new connections (a full handshake and one request each), every request counted, every new
 * handshake's certificate fingerprint recorded with its time. Clients take nothing but the connection
 * document (components/connection/clients.ts), as an application would.
 */
import * as https from "node:https";
import type { TLSSocket } from "node:tls";
import Redis from "ioredis";
import { Client } from "pg";
import type { ConnectionDocument } from "../../components";
import { ioredisOptions, pgClientConfig, tlsOptions } from "../../components/connection/clients";
import { HEALTHCHECK_PATH } from "../../components/nginx/defaults";

export interface LoadCounts {
    sent: number;
    failed: number;
    errors: string[];
    /** Requests on the one long-lived connection, and how many succeeded. */
    persistentSent: number;
    persistentOk: number;
    /** How often the server closed the long-lived connection cleanly (nginx's old workers do, after a response). */
    persistentReopened: number;
    /** Requests retried once because the server closed an idle keep-alive connection before answering (HTTP/1.1 §9.3.1). */
    retriedOnClosedKeepAlive: number;
    /** Every new connection's handshake: when it completed and the certificate it got. */
    handshakes: Array<{ at: number; fingerprint: string }>;
}

export interface Load {
    readonly counts: LoadCounts;
    stop(): Promise<LoadCounts>;
}

const fingerprintOf = (socket: TLSSocket | undefined) => socket?.getPeerCertificate().fingerprint256 ?? "(no TLS socket)";

type Kind = "postgres" | "redis" | "https";

/** One request on a new connection; returns the handshake's fingerprint. */
export async function oneShot(kind: Kind, doc: ConnectionDocument): Promise<string> {
    if (kind === "postgres") {
        const client = new Client({ ...pgClientConfig(doc), connectionTimeoutMillis: 5000 });
        client.on("error", () => undefined);
        await client.connect();
        try {
            const fingerprint = fingerprintOf((client as unknown as { connection: { stream: TLSSocket } }).connection.stream);
            await client.query("SELECT 1");
            return fingerprint;
        } finally {
            await client.end().catch(() => undefined);
        }
    }
    if (kind === "redis") {
        const { url, options } = ioredisOptions(doc);
        const client = new Redis(url, { ...options, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0, connectTimeout: 5000 });
        // ioredis rejects connect() with "Connection is closed."; the TLS error itself comes as an 'error' event.
        let cause: Error | undefined;
        client.on("error", (e: Error) => (cause ??= e));
        await client.connect().catch((e: Error) => {
            throw cause ?? e;
        });
        try {
            const fingerprint = fingerprintOf(client.stream as TLSSocket);
            if ((await client.ping()) !== "PONG") throw new Error("PING did not answer PONG");
            return fingerprint;
        } finally {
            client.disconnect();
        }
    }
    return (await httpsGet(doc, false)).fingerprint;
}

function httpsGet(doc: ConnectionDocument, agent: https.Agent | false): Promise<{ fingerprint: string; reused: boolean; closing: boolean }> {
    return new Promise((resolve, reject) => {
        const req = https.get({ ...tlsOptions(doc), host: doc.host, port: doc.port, path: HEALTHCHECK_PATH, agent, timeout: 5000 }, (res) => {
            res.resume();
            res.on("end", () => {
                if (res.statusCode !== 204) reject(new Error(`status ${res.statusCode}`));
                else resolve({ fingerprint: fingerprintOf(res.socket as TLSSocket), reused: (req as unknown as { reusedSocket: boolean }).reusedSocket, closing: res.headers.connection === "close" });
            });
        });
        req.on("timeout", () => req.destroy(new Error("timeout")));
        req.on("error", (e) => {
            Object.assign(e, { reusedSocket: (req as unknown as { reusedSocket: boolean }).reusedSocket });
            reject(e);
        });
    });
}

/** The long-lived connection: requests back to back until stopped. */
async function persistent(kind: Kind, doc: ConnectionDocument, counts: LoadCounts, running: () => boolean): Promise<void> {
    const record = async (request: () => Promise<unknown>) => {
        counts.sent++;
        counts.persistentSent++;
        try {
            await request();
            counts.persistentOk++;
        } catch (e) {
            counts.failed++;
            if (counts.errors.length < 20) counts.errors.push(`persistent: ${(e as Error).message}`);
            // A dead connection rejects at once: without a pause this loop would never let I/O run.
            await new Promise((r) => setTimeout(r, 10));
        }
    };
    if (kind === "postgres") {
        const client = new Client({ ...pgClientConfig(doc), connectionTimeoutMillis: 5000 });
        client.on("error", () => undefined);
        await client.connect();
        while (running()) await record(() => client.query("SELECT 1"));
        await client.end().catch(() => undefined);
    } else if (kind === "redis") {
        const { url, options } = ioredisOptions(doc);
        const client = new Redis(url, { ...options, lazyConnect: true, retryStrategy: () => null, maxRetriesPerRequest: 0 });
        client.on("error", () => undefined);
        await client.connect();
        while (running()) await record(() => client.ping());
        client.disconnect();
    } else {
        const agent = new https.Agent({ keepAlive: true, maxSockets: 1 });
        while (running()) {
            await record(async () => {
                try {
                    const r = await httpsGet(doc, agent);
                    if (r.closing) counts.persistentReopened++;
                } catch (e) {
                    // A browser's rule: an idempotent request on a reused keep-alive connection that the server
                    // closed before answering is sent again once, on a new connection.
                    if (!(e as { reusedSocket?: boolean }).reusedSocket) throw e;
                    counts.retriedOnClosedKeepAlive++;
                    await httpsGet(doc, agent);
                }
            });
        }
        agent.destroy();
    }
}

/** New connections one after another until stopped. */
async function churn(kind: Kind, doc: ConnectionDocument, counts: LoadCounts, running: () => boolean): Promise<void> {
    while (running()) {
        counts.sent++;
        try {
            counts.handshakes.push({ at: Date.now(), fingerprint: await oneShot(kind, doc) });
        } catch (e) {
            counts.failed++;
            if (counts.errors.length < 20) counts.errors.push(`new connection: ${(e as Error).message}`);
            await new Promise((r) => setTimeout(r, 10));
        }
    }
}

export function startLoad(kind: Kind, doc: ConnectionDocument): Load {
    const counts: LoadCounts = { sent: 0, failed: 0, errors: [], persistentSent: 0, persistentOk: 0, persistentReopened: 0, retriedOnClosedKeepAlive: 0, handshakes: [] };
    let run = true;
    const running = () => run;
    const done = Promise.all([persistent(kind, doc, counts, running), churn(kind, doc, counts, running)]);
    return {
        counts,
        stop: async () => {
            run = false;
            await done;
            return counts;
        },
    };
}
