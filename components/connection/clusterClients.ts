/**
 * Client options for redis documents of either topology, built in the application from the stored
 * document (functions such as `dnsLookup` live here, never in the document).
 *
 * A Redis Cluster answers CLUSTER SLOTS/SHARDS with each node's announced host name, and a TLS client
 * must verify every node against the name it dials:
 *  - ioredis resolves its startup nodes' host names to IPs before connecting (luin/ioredis
 *    lib/cluster/index.ts `resolveStartupNodeHostnames` with the `dnsLookup` option, default
 *    `dns.lookup`; its README on `dnsLookup`: "useful ... when AWS ElastiCache used with TLS
 *    enabled"), so the seed (ElastiCache's configuration endpoint) would be dialled by IP and node
 *    would check its certificate against the IP; the identity `dnsLookup` keeps the host name. The
 *    nodes it then discovers are dialled by the names CLUSTER SLOTS announces.
 *  - a fixed `servername` makes every node be checked against that one name, which fails every node
 *    whose certificate carries only its own name; so no `servername` is set, and node's `tls.connect`
 *    checks each connection against the host it dialled (`checkServerIdentity(servername || host)`).
 * node-redis connects with the discovered `{host, port}` merged over `defaults` (redis/node-redis
 * packages/client/lib/cluster/cluster-slots.ts `#clientOptionsDefaults`), so the TLS options go there.
 */
import type { ConnectionDocument, ConnectionEndpoint } from "./document";
import { type DocumentTlsOptions, tlsOptions } from "./clients";
import { isCluster, requireRedis, seedsOf } from "./topology";

/**
 * TLS options for one node of a cluster: for `node-host` verification (the default for a cluster)
 * the document's CA, minimum version and client certificate and no server name, so each node is
 * checked against the host it is reached by; for `server-name`, the document's fixed name.
 */
export function nodeTlsOptions(document: ConnectionDocument): DocumentTlsOptions {
    if (document.topology?.nodeNameVerification !== "node-host") return tlsOptions(document);
    const { servername: _servername, checkServerIdentity: _check, ...perNode } = tlsOptions(document);
    return perNode;
}

/** ioredis `Cluster` options from a cluster document. */
export interface IoredisClusterOptions {
    /** The identity: keeps each seed's host name, so TLS checks the seed's certificate against it. */
    readonly dnsLookup: (address: string, callback: (err: Error | null, address: string) => void) => void;
    readonly redisOptions: {
        readonly username?: string;
        readonly password?: string;
        readonly tls: DocumentTlsOptions;
    };
}

export type IoredisConnection =
    /** `new Redis(url, options)`. */
    | { readonly mode: "standalone"; readonly url: string; readonly options: { readonly tls: DocumentTlsOptions } }
    /** `new Cluster(startupNodes, options)`. */
    | { readonly mode: "cluster"; readonly startupNodes: ConnectionEndpoint[]; readonly options: IoredisClusterOptions };

const credentials = (document: ConnectionDocument) => ({
    ...(document.username ? { username: document.username } : {}),
    ...(document.password ? { password: document.password } : {}),
});

/**
 * ioredis arguments for a redis document of either topology: `new Redis(url, options)` for a
 * standalone document, `new Cluster(startupNodes, options)` for a cluster.
 */
export function ioredisConnection(document: ConnectionDocument): IoredisConnection {
    requireRedis("ioredisConnection", document);
    if (!isCluster(document)) return { mode: "standalone", url: document.url, options: { tls: tlsOptions(document) } };
    return {
        mode: "cluster",
        startupNodes: seedsOf(document),
        options: {
            dnsLookup: (address, callback) => callback(null, address),
            redisOptions: { ...credentials(document), tls: nodeTlsOptions(document) },
        },
    };
}

/** node-redis socket options: TLS on, with the document's TLS options. */
export type NodeRedisSocketOptions = DocumentTlsOptions & { readonly tls: true; readonly host?: string; readonly port?: number };

export type NodeRedisConnection =
    /** `createClient(options)`. */
    | { readonly mode: "standalone"; readonly options: { readonly url: string; readonly socket: NodeRedisSocketOptions } }
    /** `createCluster(options)`: the seeds as `rootNodes`, credentials and TLS in `defaults` for every node. */
    | {
          readonly mode: "cluster";
          readonly options: {
              readonly rootNodes: Array<{ readonly socket: { readonly host: string; readonly port: number } }>;
              readonly defaults: { readonly username?: string; readonly password?: string; readonly socket: NodeRedisSocketOptions };
          };
      };

/** node-redis (`redis`) options for a redis document of either topology. */
export function nodeRedisConnection(document: ConnectionDocument): NodeRedisConnection {
    requireRedis("nodeRedisConnection", document);
    if (!isCluster(document)) return { mode: "standalone", options: { url: document.url, socket: { tls: true, ...tlsOptions(document) } } };
    return {
        mode: "cluster",
        options: {
            rootNodes: seedsOf(document).map((seed) => ({ socket: seed })),
            defaults: { ...credentials(document), socket: { tls: true, ...nodeTlsOptions(document) } },
        },
    };
}
