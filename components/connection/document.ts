/**
 * The connection document: one versioned JSON shape per service, identical in every environment, so
 * an application reads its cache, database and proxy the same way in dev and prod. Every key is
 * always present (null where it does not apply), so documents of two environments have the same keys.
 * Schema v2 keeps every v1 key unchanged and adds `topology` and `reader`; reader.ts reads both.
 */

export const CONNECTION_SCHEMA_VERSION = 2;

export const TOPOLOGY_MODES = ["standalone", "cluster"] as const;
export type TopologyMode = (typeof TOPOLOGY_MODES)[number];

export const NODE_NAME_VERIFICATIONS = ["server-name", "node-host"] as const;
export type NodeNameVerification = (typeof NODE_NAME_VERIFICATIONS)[number];

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
    readonly topology: ConnectionTopology;
    /** A read-only endpoint (RDS reader endpoint over read replicas); null where there is none. */
    readonly reader?: ConnectionReader;
}

export interface ConnectionEndpoint {
    readonly host: string;
    readonly port: number;
}

/**
 * A read-only endpoint: where a client sends reads that may lag the writer. A client verifies its
 * certificate against `host` (the reader's own name), with the document's CA and minimum version.
 */
export interface ConnectionReader extends ConnectionEndpoint {
    /** The document's `url` with the reader's host and port. */
    readonly url: string;
}

/** What a client connects to: one endpoint or a Redis Cluster. */
export interface ConnectionTopology {
    /** `standalone`: one endpoint (host:port). `cluster`: a Redis Cluster; `seeds` are where discovery starts. */
    readonly mode: TopologyMode | string;
    /**
     * Where a client starts: for standalone the document's own host:port, for an ElastiCache cluster
     * its configuration endpoint.
     */
    readonly seeds: ConnectionEndpoint[];
    /**
     * How each node's certificate name is checked: `server-name` = every connection verifies
     * `tls.serverName` (standalone); `node-host` = each node is verified against the host name it is
     * reached by (the names the cluster announces in CLUSTER SLOTS/SHARDS), never a fixed server name.
     */
    readonly nodeNameVerification: NodeNameVerification | string;
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
    /** @default - standalone, seeds = [{host, port}], nodeNameVerification server-name */
    readonly topology?: TopologyInput | null;
    /** @default - none */
    readonly reader?: ConnectionEndpoint | null;
}

export interface TopologyInput {
    /** `standalone` or `cluster` (Redis Cluster; redis documents only). */
    readonly mode: TopologyMode;
    /** @default - [{host, port}] of the document */
    readonly seeds?: ConnectionEndpoint[];
    /** @default - `server-name` for standalone, `node-host` for cluster */
    readonly nodeNameVerification?: NodeNameVerification;
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

const validPort = (port: unknown) => Number.isInteger(port) && (port as number) >= 1 && (port as number) <= 65535;

/** Every problem of `topology` and `reader`, so one error names them all. */
function topologyProblems(service: ServiceKind, input: ConnectionInput): string[] {
    const problems: string[] = [];
    const bad = (path: string, value: unknown, expected: string) => problems.push(`\`${path}\` is ${JSON.stringify(value)}; expected ${expected}`);
    const endpoint = (path: string, e: ConnectionEndpoint) => {
        if (typeof e?.host !== "string" || e.host === "") bad(`${path}.host`, e?.host, "a host name or IP address");
        if (!validPort(e?.port)) bad(`${path}.port`, e?.port, "a whole number from 1 to 65535");
    };
    const t = input.topology;
    if (t) {
        if (!TOPOLOGY_MODES.includes(t.mode)) bad("topology.mode", t.mode, `one of ${TOPOLOGY_MODES.join(", ")}`);
        if (t.mode === "cluster" && service !== "redis") bad("topology.mode", t.mode, `\`standalone\` for a ${service} document (only redis has a cluster mode)`);
        if (t.seeds !== undefined) {
            if (!Array.isArray(t.seeds) || t.seeds.length === 0) bad("topology.seeds", t.seeds, "at least one {host, port}, or leave it out for the document's own host:port");
            else t.seeds.forEach((seed, i) => endpoint(`topology.seeds[${i}]`, seed));
        }
        if (t.nodeNameVerification !== undefined && !NODE_NAME_VERIFICATIONS.includes(t.nodeNameVerification)) {
            bad("topology.nodeNameVerification", t.nodeNameVerification, `one of ${NODE_NAME_VERIFICATIONS.join(", ")}, or leave it out for the mode's default`);
        }
    }
    if (input.reader) endpoint("reader", input.reader);
    return problems;
}

function topology(input: ConnectionInput): ConnectionTopology {
    const mode = input.topology?.mode ?? "standalone";
    return {
        mode,
        seeds: (input.topology?.seeds ?? [{ host: input.host, port: input.port }]).map((s) => ({ host: s.host, port: s.port })),
        nodeNameVerification: input.topology?.nodeNameVerification ?? (mode === "cluster" ? "node-host" : "server-name"),
    };
}

function document(service: ServiceKind, url: string, input: ConnectionInput, readerUrl?: (reader: ConnectionEndpoint) => string): ConnectionDocument {
    const problems = topologyProblems(service, input);
    if (problems.length > 0) {
        throw new Error(`${service}Connection: ${problems.length === 1 ? "a bad argument" : `${problems.length} bad arguments`}:\n  ${problems.join(";\n  ")}.`);
    }
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
        topology: topology(input),
        reader: input.reader && readerUrl ? { host: input.reader.host, port: input.reader.port, url: readerUrl(input.reader) } : ABSENT,
    };
}

/** `rediss://[user]:password@host:port/0`: TLS, AUTH with the password (and user, for ACL users). */
export function redisConnection(input: ConnectionInput): ConnectionDocument {
    return document("redis", buildUrl("rediss", input, "/0", {}), { ...input, database: null }, (r) => buildUrl("rediss", { ...input, ...r }, "/0", {}));
}

/**
 * `postgres://user:password@host:port/db?sslmode=verify-full`: verify-full is the only mode that
 * checks both chain and host name in libpq, and the only one node-postgres will keep meaning the same
 * (libpq fe-secure-openssl.c, brianc/node-postgres#3473).
 */
export function postgresConnection(input: ConnectionInput & { readonly database: string }): ConnectionDocument {
    const url = (at: ConnectionInput) => buildUrl("postgres", at, `/${encodeURIComponent(input.database)}`, { sslmode: "verify-full" });
    return document("postgres", url(input), input, (r) => url({ ...input, ...r }));
}

/** `https://host:port/`. */
export function httpsConnection(input: ConnectionInput): ConnectionDocument {
    const url = (at: ConnectionInput) => buildUrl("https", { ...at, username: null, password: null }, "/", {});
    return document("https", url(input), { ...input, database: null }, (r) => url({ ...input, ...r }));
}
