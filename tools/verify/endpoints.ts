/**
 * `--endpoint` URLs as targets: `redis://` / `rediss://`, `postgres://` / `postgresql://`, `https://`,
 * with the trust, server name and client certificate given on the command line. User and password may
 * come in the URL (percent-encoded) or, for the password, from an environment variable.
 */
import { InputError } from "./documents";
import type { ClientCertificate, ServiceKind, Target } from "./types";

const SCHEMES: Record<string, { service: ServiceKind; defaultPort: number }> = {
    "redis:": { service: "redis", defaultPort: 6379 },
    "rediss:": { service: "redis", defaultPort: 6379 },
    "postgres:": { service: "postgres", defaultPort: 5432 },
    "postgresql:": { service: "postgres", defaultPort: 5432 },
    "https:": { service: "https", defaultPort: 443 },
};

export interface EndpointOptions {
    /** PEM the server must chain to; the public roots when absent. */
    readonly caPem?: string;
    /** @default - the URL's host */
    readonly serverName?: string;
    readonly clientCertificate?: ClientCertificate;
    readonly expectMutualTls: boolean;
    /** Overrides a password in the URL. */
    readonly password?: string;
}

/** The URL without user or password, as shown in reports: `scheme://host:port`. */
export function endpointLabel(url: URL, port: number): string {
    return `${url.protocol}//${url.hostname}:${port}`;
}

export function targetFromEndpoint(text: string, o: EndpointOptions): Target {
    let url: URL;
    try {
        url = new URL(text);
    } catch {
        // The text may hold a password: say only what is wrong with its shape.
        throw new InputError([`--endpoint: not a URL; write it as e.g. \`redis://host:6379\`, \`postgres://user@host:5432/db\` or \`https://host:443\`.`]);
    }
    const scheme = SCHEMES[url.protocol];
    if (!scheme) {
        const hint = url.protocol === "http:" ? " (plain HTTP is not TLS; use https://)" : "";
        throw new InputError([`--endpoint: scheme \`${url.protocol}\` is not one of ${Object.keys(SCHEMES).map((s) => `${s}//`).join(", ")}${hint}.`]);
    }
    const host = url.hostname.replace(/^\[(.*)\]$/, "$1");
    if (!host) throw new InputError([`--endpoint ${url.protocol}//: no host.`]);
    const port = url.port ? Number(url.port) : scheme.defaultPort;
    const database = scheme.service === "postgres" && url.pathname.length > 1 ? decodeURIComponent(url.pathname.slice(1)) : null;
    return {
        name: endpointLabel(url, port),
        service: scheme.service,
        host,
        port,
        serverName: o.serverName ?? host,
        ca: o.caPem !== undefined ? { type: "pem", pem: o.caPem } : { type: "public-roots" },
        clientCertificate: o.clientCertificate ?? null,
        expectMutualTls: o.expectMutualTls,
        documentMinVersion: null,
        username: url.username ? decodeURIComponent(url.username) : null,
        password: o.password ?? (url.password ? decodeURIComponent(url.password) : null),
        database,
    };
}
