/**
 * Run by cluster.ts `run` in a child node inside the cluster's namespaces (where the node names
 * resolve), with `{ scenario, document, prefix, count }` as JSON on stdin; prints one JSON result.
 * Scenarios: the helpers' ioredis and node-redis clients writing and reading `count` keys and counting
 * on which node each key is stored; and the two controls (ioredis without the identity dnsLookup,
 * and a fixed server name), which report the errors they meet.
 */
import { readFileSync } from "node:fs";
import { checkServerIdentity, type PeerCertificate } from "node:tls";
import { Cluster } from "ioredis";
import { createCluster } from "redis";
import { ioredisConnection, nodeRedisConnection } from "../../components/connection/clusterClients";
import type { ConnectionDocument } from "../../components/connection/document";

interface Input {
    readonly scenario: "ioredis" | "node-redis" | "ioredis-without-dns-lookup";
    readonly document: ConnectionDocument;
    readonly prefix: string;
    readonly count: number;
}

export interface ClientResult {
    /** Keys read back with the value written. */
    readonly readBack: number;
    /** Per master `host:port` (as the client reached it): how many of this run's keys it holds. */
    readonly keysPerNode: Record<string, number>;
    /** Errors met, `code: message`, deduplicated (controls). */
    readonly errors: string[];
}

const input = JSON.parse(readFileSync(0, "utf8")) as Input;
const keys = Array.from({ length: input.count }, (_, i) => `${input.prefix}:${i}`);
const errors = new Set<string>();
const note = (e: unknown) => {
    const err = e as NodeJS.ErrnoException & { lastNodeError?: NodeJS.ErrnoException };
    errors.add(`${err.code ?? err.name}: ${err.message}`);
    if (err.lastNodeError) note(err.lastNodeError);
};

async function withIoredis(options: ConstructorParameters<typeof Cluster>[1], startupNodes: ConstructorParameters<typeof Cluster>[0]): Promise<ClientResult> {
    // Fail fast for the controls: no retries of the slots refresh or of a node connection.
    const cluster = new Cluster(startupNodes, { ...options, clusterRetryStrategy: () => null, redisOptions: { ...options!.redisOptions, maxRetriesPerRequest: 0 } });
    cluster.on("error", note);
    cluster.on("node error", note);
    cluster.on("+node", (node: import("ioredis").Redis) => node.on("error", note));
    let readBack = 0;
    const keysPerNode: Record<string, number> = {};
    try {
        for (const key of keys) {
            try {
                await cluster.set(key, `v-${key}`);
                if ((await cluster.get(key)) === `v-${key}`) readBack++;
            } catch (e) {
                // A control has shown what it shows; ioredis would retry every further key's slot refresh.
                note(e);
                break;
            }
        }
        for (const node of cluster.nodes("master")) {
            const found = await node.keys(`${input.prefix}:*`).catch((e) => (note(e), []));
            keysPerNode[`${node.options.host}:${node.options.port}`] = found.length;
        }
    } finally {
        cluster.disconnect();
    }
    return { readBack, keysPerNode, errors: [...errors] };
}

async function withNodeRedis(document: ConnectionDocument): Promise<ClientResult> {
    const c = nodeRedisConnection(document);
    if (c.mode !== "cluster") throw new Error("expected a cluster document");
    const cluster = createCluster(c.options);
    cluster.on("error", note);
    await cluster.connect();
    let readBack = 0;
    const keysPerNode: Record<string, number> = {};
    try {
        for (const key of keys) {
            await cluster.set(key, `v-${key}`);
            if ((await cluster.get(key)) === `v-${key}`) readBack++;
        }
        for (const master of cluster.masters) {
            const client = await cluster.nodeClient(master);
            keysPerNode[`${master.host}:${master.port}`] = (await client.keys(`${input.prefix}:*`)).length;
        }
    } finally {
        cluster.destroy();
    }
    return { readBack, keysPerNode, errors: [...errors] };
}

async function main(): Promise<ClientResult> {
    if (input.scenario === "node-redis") return withNodeRedis(input.document);
    const c = ioredisConnection(input.document);
    if (c.mode !== "cluster") throw new Error("expected a cluster document");
    if (input.scenario === "ioredis") return withIoredis(c.options, c.startupNodes);
    // The control: everything from the helper except the identity dnsLookup, so ioredis's default
    // (dns.lookup) turns the seed's name into its IP before connecting.
    // ioredis fetches the slots over a "refresher" connection whose errors it does not re-emit, so the
    // certificate check is observed where node makes it: node's own checkServerIdentity, recorded.
    const { dnsLookup: _identity, ...withoutLookup } = c.options;
    const observed = (host: string, cert: PeerCertificate) => {
        const err = checkServerIdentity(host, cert);
        if (err) note(err);
        return err;
    };
    return withIoredis({ ...withoutLookup, redisOptions: { ...withoutLookup.redisOptions, tls: { ...withoutLookup.redisOptions.tls, checkServerIdentity: observed } } } as typeof c.options, c.startupNodes);
}

main().then(
    // Exit once written: ioredis keeps a 2 s timer for a connector it gave up on.
    (result) => process.stdout.write(JSON.stringify(result), () => process.exit(0)),
    (e) => {
        process.stderr.write(`${(e as Error).stack ?? e}\n`);
        process.exitCode = 1;
    },
);
