/**
 * The README's CA key rollover under live traffic, each phase delivered to a RUNNING server by rewriting
 * its TLS files and reloading it in place (ca-rollover-servers.ts: PostgreSQL SIGHUP, `nginx -s reload`,
 * redis-server `CONFIG SET tls-*`), while a client keeps one connection busy and opens new ones in a loop.
 * After each `pulumi up` the client picks up the phase's connection document (its trust and its client
 * certificate); new connections use it, the persistent one keeps what it was opened with. Counted: every
 * request; zero may fail. Each reload is confirmed before the next phase: phase 1 by a generation-2 client
 * certificate being accepted, phase 2 by the served certificate's fingerprint, phase 3 by a generation-1
 * client certificate being refused. The control skips phase 1 (issuing switched before clients trust the
 * new CA) and must see new connections fail.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as https from "node:https";
import * as os from "node:os";
import * as path from "node:path";
import type Redis from "ioredis";
import type { Client } from "pg";
import { afterAll, beforeAll, expect, it } from "vitest";
import { HEALTHCHECK_PATH } from "../../components/nginx/defaults";
import { delay } from "../harness/process";
import { describeWithServers } from "../harness/requirements";
import { runRolloverPhases, type RolloverPhase } from "../pki/fixture";
import {
    type ClientTls, openPg, openRedis, removePostgresVolume, requestOnce, type RunningServer, type ServerName, servedFingerprint, type ServerTls, startServer,
} from "./ca-rollover-servers";

const SERVERS: ServerName[] = ["postgres", "nginx", "redis-server"];
/** How long traffic runs after each phase is confirmed, before the next. */
const SETTLE_MS = 800;

interface Counts { sent: number; failed: number; persistentSent: number; persistentFailed: number; errors: string[] }

/** One request on a new connection with `doc`: node-postgres, an HTTPS GET of nginx's health path, or ioredis SET/GET. */
function newConnectionRequest(server: RunningServer, doc: ClientTls, tmp: string, id: string): Promise<unknown> {
    if (server.name === "postgres") return requestOnce("pg", server.port, doc, tmp, id);
    if (server.name === "redis-server") return requestOnce("ioredis", server.port, doc, tmp, id);
    return new Promise((resolve, reject) => {
        const req = https.get(
            { host: "127.0.0.1", port: server.port, path: HEALTHCHECK_PATH, agent: false, ca: doc.trustPem, cert: doc.client.certPem, key: doc.client.privateKeyPem, timeout: 10_000 },
            (res) => {
                res.resume();
                res.on("end", () => (res.statusCode === 204 ? resolve(res.statusCode) : reject(new Error(`HTTP ${res.statusCode}`))));
            },
        );
        req.on("error", reject);
    });
}

/**
 * Traffic against `server`: new connections in a loop with whatever `doc()` returns at the time, and (for
 * PostgreSQL and redis-server) one persistent connection opened with the first document, used every 20 ms.
 * nginx closes idle keep-alive connections on reload by design (graceful shutdown of the old workers), so
 * it has no persistent connection to count.
 */
async function startTraffic(server: RunningServer, doc: () => ClientTls, tmp: string): Promise<{ counts: Counts; stop: () => Promise<Counts> }> {
    const counts: Counts = { sent: 0, failed: 0, persistentSent: 0, persistentFailed: 0, errors: [] };
    let running = true;
    const persistent: Client | Redis | undefined =
        server.name === "postgres" ? await openPg(server.port, doc()) : server.name === "redis-server" ? await openRedis(server.port, doc()) : undefined;
    const loops = [
        (async () => {
            for (let i = 0; running; i++) {
                counts.sent++;
                try {
                    await newConnectionRequest(server, doc(), tmp, `${server.name}-${i}`);
                } catch (e) {
                    counts.failed++;
                    counts.errors.push(`new connection ${i}: ${(e as Error).message.slice(0, 120)}`);
                }
                await delay(10);
            }
        })(),
        (async () => {
            while (running && persistent) {
                counts.persistentSent++;
                try {
                    if (server.name === "postgres") await (persistent as Client).query("SELECT 1");
                    else await (persistent as Redis).ping();
                } catch (e) {
                    counts.persistentFailed++;
                    counts.errors.push(`persistent: ${(e as Error).message.slice(0, 120)}`);
                }
                await delay(20);
            }
        })(),
    ];
    return {
        counts,
        stop: async () => {
            running = false;
            await Promise.all(loops);
            if (server.name === "postgres") await (persistent as Client).end().catch(() => undefined);
            else (persistent as Redis | undefined)?.disconnect();
            return counts;
        },
    };
}

/** Polls `check` until it holds; throws naming `what` after 15 s. */
async function until(check: () => Promise<boolean>, what: string): Promise<void> {
    const deadline = Date.now() + 15_000;
    while (!(await check().catch(() => false))) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await delay(100);
    }
}

const succeeds = (p: Promise<unknown>) => p.then(() => true, () => false);

describeWithServers("CA key rollover under live traffic, each phase reloaded into running PostgreSQL, nginx and redis-server", ["root", "postgres", "nginx", "redis", "openssl", "socat", "unshare"], () => {
    let phases: RolloverPhase[];
    let tmp: string;
    const results: Record<string, unknown> = {};

    beforeAll(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ca-rollover-live-"));
        phases = await runRolloverPhases();
    });

    afterAll(() => {
        console.log(`CA_ROLLOVER_LIVE_COUNTS ${JSON.stringify(results)}`);
        removePostgresVolume();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    const old = () => phases[1]!; // generation 1's leaves (issued before the rollover)
    const renewed = () => phases[2]!; // generation 2's leaves (phase 2 re-issued them)
    /** What the servers and the client hold after `phase`'s `pulumi up`. */
    const serverAt = (phase: number): ServerTls => ({ server: (phase >= 2 ? renewed() : old()).server, clientCaPem: phases[phase]!.trustBundlePem });
    const clientAt = (phase: number): ClientTls => ({ trustPem: phases[phase]!.trustBundlePem, client: (phase >= 2 ? renewed() : old()).client });
    const fingerprint = (pem: string) => new crypto.X509Certificate(pem).fingerprint256;

    /** The three phases against one running server, under traffic; returns the counts. */
    async function rollOver(name: ServerName): Promise<Counts> {
        const server = await startServer(name, serverAt(0), `reload-${name}`);
        let doc = clientAt(0);
        try {
            const traffic = await startTraffic(server, () => doc, tmp);
            await delay(SETTLE_MS);
            const probe = (d: ClientTls) => succeeds(newConnectionRequest(server, d, tmp, `${name}-probe`));
            for (const phase of [1, 2, 3]) {
                await server.reload(serverAt(phase), doc);
                if (phase === 1) await until(() => probe({ trustPem: phases[1]!.trustBundlePem, client: renewed().client }), "phase 1: a generation-2 client certificate accepted");
                if (phase === 2) await until(async () => (await servedFingerprint(server)) === fingerprint(renewed().server.certPem), "phase 2: the generation-2 server certificate served");
                if (phase === 3) await until(async () => !(await probe({ trustPem: phases[3]!.trustBundlePem, client: old().client })), "phase 3: a generation-1 client certificate refused");
                doc = clientAt(phase); // the application picks up the phase's connection document
                await delay(SETTLE_MS);
            }
            return await traffic.stop();
        } finally {
            await server.stop();
        }
    }

    /** The control: issuing switched (phases 1 and 2 in one `pulumi up`) while clients still trust generation 1 alone. */
    async function skipPhaseOne(name: ServerName): Promise<Counts> {
        const server = await startServer(name, serverAt(0), `reload-skip-${name}`);
        try {
            const traffic = await startTraffic(server, () => clientAt(0), tmp);
            await delay(SETTLE_MS);
            await server.reload(serverAt(2), clientAt(0));
            await until(async () => (await servedFingerprint(server)) === fingerprint(renewed().server.certPem), "the generation-2 server certificate served");
            await delay(SETTLE_MS);
            return await traffic.stop();
        } finally {
            await server.stop();
        }
    }

    it("zero failed requests on every server across the three phases, new and persistent connections; skipping phase 1 fails new connections", async () => {
        // PostgreSQL's starts share one data directory, so its two runs go one after the other.
        const runs = await Promise.allSettled(SERVERS.map(async (name) => ({ name, rollover: await rollOver(name), skipped: await skipPhaseOne(name) })));
        for (const run of runs) {
            if (run.status === "rejected") throw run.reason;
            const { name, rollover, skipped } = run.value;
            results[name] = {
                rollover: { sent: rollover.sent, failed: rollover.failed, persistentSent: rollover.persistentSent, persistentFailed: rollover.persistentFailed },
                skippedPhase1: { sent: skipped.sent, failed: skipped.failed, persistentSent: skipped.persistentSent, persistentFailed: skipped.persistentFailed },
            };
        }
        for (const run of runs) {
            const { name, rollover, skipped } = (run as PromiseFulfilledResult<{ name: ServerName; rollover: Counts; skipped: Counts }>).value;
            expect(rollover.errors, name).toEqual([]);
            expect(rollover.failed, name).toBe(0);
            expect(rollover.sent, name).toBeGreaterThanOrEqual(10);
            if (name !== "nginx") expect(rollover.persistentSent, name).toBeGreaterThanOrEqual(10);
            // The control: new connections made with generation 1's trust alone fail once generation 2 serves.
            expect(skipped.failed, name).toBeGreaterThan(0);
        }
    }, 240_000);
});
