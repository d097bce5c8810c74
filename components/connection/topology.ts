import type { ConnectionDocument, ConnectionEndpoint } from "./document";

/** Throws unless the document is for redis, naming the helper that was called. */
export function requireRedis(helper: string, document: ConnectionDocument): void {
    if (document.service !== "redis") {
        throw new Error(`${helper}: the document is for ${document.service}, not redis`);
    }
}

/** A document whose topology is a Redis Cluster (a document without `topology`, such as v1, is standalone). */
export const isCluster = (document: ConnectionDocument): boolean => document.topology?.mode === "cluster";

/** Where a client starts: the topology's seeds, or the document's own host:port. */
export const seedsOf = (document: ConnectionDocument): ConnectionEndpoint[] =>
    (document.topology?.seeds ?? [{ host: document.host, port: document.port }]).map(({ host, port }) => ({ host, port }));
