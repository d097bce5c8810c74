/**
 * Reads a stored connection document of any schema this library has written (v1 and v2) and returns
 * it in the current (v2) shape, saying which version it got: an application reads one shape whatever
 * wrote the secret. A v1 document is a standalone endpoint with no reader.
 */
import { CONNECTION_SCHEMA_VERSION, type ConnectionDocument } from "./document";

export const READABLE_SCHEMA_VERSIONS = [1, 2] as const;

export interface ReadConnectionDocument {
    /** The version the stored document declared. */
    readonly schemaVersion: (typeof READABLE_SCHEMA_VERSIONS)[number];
    /** The document in the v2 shape (`schemaVersion` 2). */
    readonly document: ConnectionDocument;
}

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isEndpoint = (v: unknown) => isObject(v) && typeof v.host === "string" && v.host !== "" && Number.isInteger(v.port);

/** Names a value in an error without quoting a secret: the URL and password carry the password. */
function describe(value: unknown): string {
    const text = JSON.stringify(value);
    return text === undefined ? "undefined" : text.length > 40 ? `${text.slice(0, 37)}...` : text;
}

/**
 * `readConnectionDocument(jsonOrObject)`: a JSON text or a parsed object. Accepts schema v1 and v2;
 * anything else (another version, a missing key) is refused with one error naming every problem.
 */
export function readConnectionDocument(jsonOrObject: string | object): ReadConnectionDocument {
    let value: unknown = jsonOrObject;
    if (typeof jsonOrObject === "string") {
        try {
            value = JSON.parse(jsonOrObject);
        } catch (e) {
            throw new Error(`readConnectionDocument: not JSON (${(e as Error).message}); expected a connection document.`);
        }
    }
    if (!isObject(value)) {
        throw new Error(`readConnectionDocument: got ${describe(value)}; expected a connection document (an object with \`schemaVersion\` ${READABLE_SCHEMA_VERSIONS.join(" or ")}).`);
    }
    const version = value.schemaVersion;
    if (!READABLE_SCHEMA_VERSIONS.includes(version as never)) {
        throw new Error(
            `readConnectionDocument: \`schemaVersion\` is ${describe(version)}; this library reads schema ${READABLE_SCHEMA_VERSIONS.join(" and ")}. ` +
                `A newer document needs a newer tls-platform; a document without \`schemaVersion\` is not a connection document.`,
        );
    }
    const problems: string[] = [];
    const need = (ok: boolean, key: string, expected: string) => ok || problems.push(`\`${key}\` is ${key === "url" ? "(value hidden)" : describe(value[key])}; expected ${expected}`);
    need(typeof value.service === "string", "service", "a service kind (redis, postgres, https)");
    need(typeof value.url === "string", "url", "a URL string");
    need(typeof value.host === "string" && value.host !== "", "host", "a host name or IP address");
    need(Number.isInteger(value.port), "port", "a port number");
    need(isObject(value.tls) && typeof value.tls.serverName === "string" && isObject(value.tls.ca), "tls", "an object with minVersion, serverName, ca and clientCertificate");
    if (version === 2) {
        const t = value.topology;
        need(isObject(t) && typeof t.mode === "string" && Array.isArray(t.seeds) && t.seeds.length > 0 && t.seeds.every(isEndpoint) && typeof t.nodeNameVerification === "string",
            "topology", "an object with mode, seeds (at least one {host, port}) and nodeNameVerification");
        need(value.reader === null || value.reader === undefined || (isEndpoint(value.reader) && typeof (value.reader as Json).url === "string"), "reader", "null or {host, port, url}");
    }
    if (problems.length > 0) {
        throw new Error(`readConnectionDocument: a schema v${version} document with ${problems.length === 1 ? "a bad key" : `${problems.length} bad keys`}:\n  ${problems.join(";\n  ")}.`);
    }
    const d = value as unknown as ConnectionDocument;
    const document: ConnectionDocument =
        version === 1
            ? {
                  ...d,
                  schemaVersion: CONNECTION_SCHEMA_VERSION,
                  topology: { mode: "standalone", seeds: [{ host: d.host, port: d.port }], nodeNameVerification: "server-name" },
                  reader: null as unknown as undefined,
              }
            : { ...d, reader: d.reader ?? (null as unknown as undefined) };
    return { schemaVersion: version as 1 | 2, document };
}
