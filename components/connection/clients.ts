import { checkServerIdentity, type PeerCertificate, type SecureVersion } from "node:tls";
import { sniFor } from "../shared/hosts";
import type { ConnectionDocument } from "./document";
import { isCluster, requireRedis } from "./topology";

/** Node TLS options for a document: its CA (or the public roots), server name, minimum version, client certificate. */
export interface DocumentTlsOptions {
    readonly ca?: string;
    /** SNI and the name checked; absent for an IP, which SNI may not carry. */
    readonly servername?: string;
    /** For an IP server name: check the certificate's IP SANs against it, whatever host was dialled. */
    readonly checkServerIdentity?: (host: string, cert: PeerCertificate) => Error | undefined;
    readonly minVersion: SecureVersion;
    readonly cert?: string;
    readonly key?: string;
    readonly rejectUnauthorized: true;
}

export function tlsOptions(document: ConnectionDocument): DocumentTlsOptions {
    const client = document.tls.clientCertificate;
    return {
        ...(document.tls.ca.type === "pem" ? { ca: document.tls.ca.pem } : {}),
        // SNI may not carry an IP (RFC 6066 §3; node warns, DEP0123). Without servername node would
        // check the certificate against the host it dialled; the document's name is what must match.
        ...(sniFor(document.tls.serverName) !== undefined
            ? { servername: document.tls.serverName }
            : { checkServerIdentity: (_host: string, cert: PeerCertificate) => checkServerIdentity(document.tls.serverName, cert) }),
        minVersion: document.tls.minVersion as SecureVersion,
        ...(client ? { cert: client.certPem, key: client.privateKeyPem } : {}),
        rejectUnauthorized: true,
    };
}

/**
 * A node-postgres (`pg`) client config for a postgres document. pg merges the parsed URL over the
 * config and turns `sslmode=verify-full` into `ssl: {}`, which drops an explicit `ssl` object and
 * with it the document's CA (pg 8.23, brianc/node-postgres#3473); so the URL goes without `sslmode`
 * and verify-full is stated as node's own TLS options (chain and host name are always checked).
 */
export function pgClientConfig(document: ConnectionDocument): { connectionString: string; ssl: DocumentTlsOptions } {
    if (document.service !== "postgres") {
        throw new Error(`pgClientConfig: the document is for ${document.service}, not postgres`);
    }
    const url = new URL(document.url);
    url.searchParams.delete("sslmode");
    return { connectionString: url.toString(), ssl: tlsOptions(document) };
}

/**
 * `new Redis(url, options)` arguments (ioredis) for a standalone redis document: TLS from the
 * document, AUTH from the URL. A cluster document needs `ioredisConnection` (ioredis `Cluster`).
 */
export function ioredisOptions(document: ConnectionDocument): { url: string; options: { tls: DocumentTlsOptions } } {
    requireRedis("ioredisOptions", document);
    if (isCluster(document)) {
        throw new Error("ioredisOptions: the document is a Redis Cluster (`topology.mode` cluster); use ioredisConnection, which gives ioredis `Cluster` options");
    }
    return { url: document.url, options: { tls: tlsOptions(document) } };
}
