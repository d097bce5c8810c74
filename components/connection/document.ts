/**
 * The connection document: one versioned JSON shape per service, identical in every environment, so
 * an application reads its cache, database and proxy the same way in dev and prod. Every key is
 * always present (null where it does not apply), so documents of two environments have the same keys.
 */

export const CONNECTION_SCHEMA_VERSION = 1;

export const SERVICE_KINDS = ["redis", "postgres", "https"] as const;
export type ServiceKind = (typeof SERVICE_KINDS)[number];

export const TRUST_ANCHOR_TYPES = ["pem", "public-roots"] as const;

/**
 * Whom the client trusts: `{ type: "pem", pem }`, the project's CA bundle, or
 * `{ type: "public-roots" }`, the public roots (e.g. ElastiCache's Amazon certificates).
 */
export interface TrustAnchor {
    readonly type: (typeof TRUST_ANCHOR_TYPES)[number] | string;
    /** The CA bundle, PEM, when `type` is `pem`. */
    readonly pem?: string;
}

/**
 * JSON null: an absent value in a document keeps its key, so documents of every environment have the
 * same keys. The TypeScript types say "optional" instead of "| null" because Pulumi's component schema
 * (which other languages consume) has no null: absent is how it says null.
 */
const ABSENT = null as unknown as undefined;

export interface ClientCertificate {
    readonly certPem: string;
    readonly privateKeyPem: string;
}

export interface ConnectionDocument {
    /** `CONNECTION_SCHEMA_VERSION`. */
    readonly schemaVersion: number;
    /** One of `SERVICE_KINDS`. */
    readonly service: ServiceKind | string;
    /** Everything a client needs in one string; user and password percent-encoded. */
    readonly url: string;
    readonly host: string;
    readonly port: number;
    /** null where the service has no user name. */
    readonly username?: string;
    /** null where the service has no password. */
    readonly password?: string;
    /** PostgreSQL database name; null for other services. */
    readonly database?: string;
    readonly tls: ConnectionTls;
}

/** How to speak TLS to a service. */
export interface ConnectionTls {
    /** The lowest TLS version the server accepts: `TLSv1.2` or `TLSv1.3`. */
    readonly minVersion: "TLSv1.2" | "TLSv1.3" | string;
    /** The name to verify the server certificate against (SNI and host check). */
    readonly serverName: string;
    readonly ca: TrustAnchor;
    /** Present when the server demands mutual TLS; null otherwise. */
    readonly clientCertificate?: ClientCertificate;
}

export interface ConnectionInput {
    readonly host: string;
    readonly port: number;
    readonly username?: string | null;
    readonly password?: string | null;
    readonly database?: string | null;
    readonly minTlsVersion?: "TLSv1.2" | "TLSv1.3";
    /** @default - `host` */
    readonly serverName?: string;
    readonly ca: TrustAnchor;
    readonly clientCertificate?: ClientCertificate | null;
}

/**
 * Builds the service's URL with WHATWG `URL`, percent-encoding user and password fully
 * (`encodeURIComponent`): a generated password may hold `#`, `&`, `^`, `<` or `>`, which the URL
 * setters alone would leave partly raw.
 */
function buildUrl(scheme: string, input: ConnectionInput, path: string, query: Record<string, string>): string {
    const url = new URL(`${scheme}://placeholder`);
    url.hostname = input.host.includes(":") && !input.host.startsWith("[") ? `[${input.host}]` : input.host;
    url.port = String(input.port);
    if (input.username) {
        url.username = encodeURIComponent(input.username);
    }
    if (input.password) {
        url.password = encodeURIComponent(input.password);
    }
    url.pathname = path;
    for (const [k, v] of Object.entries(query)) {
        url.searchParams.set(k, v);
    }
    return url.toString();
}

function document(service: ServiceKind, url: string, input: ConnectionInput): ConnectionDocument {
    return {
        schemaVersion: CONNECTION_SCHEMA_VERSION,
        service,
        url,
        host: input.host,
        port: input.port,
        username: input.username ?? ABSENT,
        password: input.password ?? ABSENT,
        database: input.database ?? ABSENT,
        tls: {
            minVersion: input.minTlsVersion ?? "TLSv1.2",
            serverName: input.serverName ?? input.host,
            ca: input.ca,
            clientCertificate: input.clientCertificate ?? ABSENT,
        },
    };
}

/** `rediss://[user]:password@host:port/0`: TLS, AUTH with the password (and user, for ACL users). */
export function redisConnection(input: ConnectionInput): ConnectionDocument {
    return document("redis", buildUrl("rediss", input, "/0", {}), { ...input, database: null });
}

/**
 * `postgres://user:password@host:port/db?sslmode=verify-full`: verify-full is the only mode that
 * checks both chain and host name in libpq, and the only one node-postgres will keep meaning the same
 * (libpq fe-secure-openssl.c, brianc/node-postgres#3473).
 */
export function postgresConnection(input: ConnectionInput & { readonly database: string }): ConnectionDocument {
    return document("postgres", buildUrl("postgres", input, `/${encodeURIComponent(input.database)}`, { sslmode: "verify-full" }), input);
}

/** `https://host:port/`. */
export function httpsConnection(input: ConnectionInput): ConnectionDocument {
    return document("https", buildUrl("https", { ...input, username: null, password: null }, "/", {}), { ...input, database: null });
}
