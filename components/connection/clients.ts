import { isIP } from "node:net";
import type { SecureVersion } from "node:tls";
import type { ConnectionDocument } from "./document";

/** Node TLS options for a document: its CA (or the public roots), server name, minimum version, client certificate. */
export interface DocumentTlsOptions {
    readonly ca?: string;
    /** SNI and the name checked; absent for an IP, which node then checks against the IP SANs as the host. */
    readonly servername?: string;
    readonly minVersion: SecureVersion;
    readonly cert?: string;
    readonly key?: string;
    readonly rejectUnauthorized: true;
}

export function tlsOptions(document: ConnectionDocument): DocumentTlsOptions {
    const client = document.tls.clientCertificate;
    return {
        ...(document.tls.ca.type === "pem" ? { ca: document.tls.ca.pem } : {}),
        // SNI may not carry an IP (RFC 6066 §3; node warns, DEP0123): with none, node checks the
        // certificate against the connection's host, which is then the same IP.
        ...(isIP(document.tls.serverName) === 0 ? { servername: document.tls.serverName } : {}),
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

/** `new Redis(url, options)` arguments (ioredis) for a redis document: TLS from the document, AUTH from the URL. */
export function ioredisOptions(document: ConnectionDocument): { url: string; options: { tls: DocumentTlsOptions } } {
    if (document.service !== "redis") {
        throw new Error(`ioredisOptions: the document is for ${document.service}, not redis`);
    }
    return { url: document.url, options: { tls: tlsOptions(document) } };
}
