/**
 * An application, as its team would write it, run by cluster.ts `run` inside the cluster's namespaces:
 * it gets its cache's connection document as the secret string Secrets Manager would hand it (stdin),
 * reads it with `readConnectionDocument`, and opens its client through the package's helpers, the same
 * code for a standalone cache and a cluster. Then it does an application's work: sessions with a TTL,
 * per-user counters, and a cart updated in one transaction (both keys in one hash slot, `{user:N}`).
 * Its keys start with `prefix` (an RBAC user may touch only its own, `~<user>:*`); it uses no
 * `@dangerous` command, so the access string ElastiCache users get is enough. Prints what it saw.
 */
import { readFileSync } from "node:fs";
import Redis, { Cluster } from "ioredis";
import { createClient, createCluster } from "redis";
import { ioredisConnection, nodeRedisConnection } from "../../components/connection/clusterClients";
import { readConnectionDocument } from "../../components/connection/reader";

const USERS = 12;
const { library, secretString, prefix } = JSON.parse(readFileSync(0, "utf8")) as { library: "ioredis" | "node-redis"; secretString: string; prefix: string };
const { schemaVersion, document } = readConnectionDocument(secretString);

/** What any cache client here offers the application. */
interface Cache {
    set(key: string, value: string, ttlSeconds: number): Promise<unknown>;
    get(key: string): Promise<string | null>;
    incr(key: string): Promise<number>;
    /** Both keys in one transaction (MULTI/EXEC): they must share a hash slot in a cluster. */
    cart(items: string, total: string): Promise<unknown>;
    close(): Promise<void>;
}

function ioredisCache(): Cache {
    const c = ioredisConnection(document);
    const client = c.mode === "cluster" ? new Cluster(c.startupNodes, c.options) : new Redis(c.url, c.options);
    return {
        set: (k, v, ttl) => client.set(k, v, "EX", ttl),
        get: (k) => client.get(k),
        incr: (k) => client.incr(k),
        cart: (items, total) => client.multi().set(items, "book,pen").set(total, "12.50").exec(),
        close: async () => void client.disconnect(),
    };
}

async function nodeRedisCache(): Promise<Cache> {
    const c = nodeRedisConnection(document);
    if (c.mode === "standalone") {
        const client = await createClient(c.options).connect();
        return {
            set: (k, v, ttl) => client.set(k, v, { EX: ttl }),
            get: (k) => client.get(k),
            incr: (k) => client.incr(k),
            cart: (items, total) => client.multi().set(items, "book,pen").set(total, "12.50").exec(),
            close: async () => void client.destroy(),
        };
    }
    const cluster = await createCluster(c.options).connect();
    return {
        set: (k, v, ttl) => cluster.set(k, v, { EX: ttl }),
        get: (k) => cluster.get(k),
        incr: (k) => cluster.incr(k),
        cart: (items, total) => cluster.multi().set(items, "book,pen").set(total, "12.50").exec(),
        close: async () => void cluster.destroy(),
    };
}

async function main() {
    const cache = library === "ioredis" ? ioredisCache() : await nodeRedisCache();
    try {
        for (let u = 0; u < USERS; u++) {
            await cache.set(`${prefix}:session:${u}`, `user-${u}`, 60);
            await cache.incr(`${prefix}:visits:${u}`);
            await cache.incr(`${prefix}:visits:${u}`);
        }
        await cache.cart(`${prefix}:{user:7}:cart`, `${prefix}:{user:7}:total`);
        const sessions = await Promise.all(Array.from({ length: USERS }, (_, u) => cache.get(`${prefix}:session:${u}`)));
        const visits = await Promise.all(Array.from({ length: USERS }, (_, u) => cache.get(`${prefix}:visits:${u}`)));
        return {
            schemaVersion,
            topology: document.topology.mode,
            sessionsRead: sessions.filter((s, u) => s === `user-${u}`).length,
            visits: [...new Set(visits)],
            cart: [await cache.get(`${prefix}:{user:7}:cart`), await cache.get(`${prefix}:{user:7}:total`)],
        };
    } finally {
        await cache.close();
    }
}

main().then(
    (result) => process.stdout.write(JSON.stringify(result), () => process.exit(0)),
    (e) => {
        process.stderr.write(`${(e as Error).stack ?? e}\n`);
        process.exit(1);
    },
);
