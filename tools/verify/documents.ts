/**
 * Connection documents (schema v1 and v2, components/connection/document.ts) as targets: from a JSON text
 * holding one document, an array of them, or an object of name → document (a stack's `connections`
 * output). A stack's documents are found in stack.ts, those in Secrets Manager read in secrets.ts. Every
 * problem of every document is reported at once; a message never quotes a password, key or URL (which
 * holds the password).
 */
import { NODE_NAME_VERIFICATIONS, SERVICE_KINDS, TOPOLOGY_MODES } from "../../components/connection/document";
import { READABLE_SCHEMA_VERSIONS } from "../../components/connection/reader";
import type { ClientCertificate, ServiceKind, Target, Trust } from "./types";

/**
 * A document as this verifier reads it, once validated. Readers are tolerant where the schema allows
 * it: a key that is null in the JSON may also be missing (Pulumi's schema has no null, so a document
 * built in another language may leave it out).
 */
export interface DocumentV1 {
    readonly service: ServiceKind;
    readonly host: string;
    readonly port: number;
    readonly username?: string | null;
    readonly password?: string | null;
    readonly database?: string | null;
    readonly tls: {
        readonly minVersion: "TLSv1.2" | "TLSv1.3";
        readonly serverName: string;
        readonly ca: Trust;
        readonly clientCertificate?: ClientCertificate | null;
    };
    /** Schema v2; a v1 document is standalone. */
    readonly topology?: {
        readonly mode: "standalone" | "cluster";
        readonly seeds: ReadonlyArray<{ readonly host: string; readonly port: number }>;
        readonly nodeNameVerification: "server-name" | "node-host";
    };
}

export class InputError extends Error {
    constructor(readonly problems: readonly string[]) {
        super(problems.join("\n"));
        this.name = "InputError";
    }
}

/** A document's fields that must never be quoted back. */
const SECRET_FIELDS = new Set(["password", "url", "privateKeyPem"]);

function show(path: string, value: unknown): string {
    if (SECRET_FIELDS.has(path.split(".").pop()!)) return "(value hidden)";
    const text = JSON.stringify(value);
    return text === undefined ? "undefined" : text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

type Json = Record<string, unknown>;
export const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);
const isPem = (v: unknown) => typeof v === "string" && v.includes("-----BEGIN ");

const VERSIONS = READABLE_SCHEMA_VERSIONS.join(" or ");
const validPort = (v: unknown) => Number.isInteger(v) && (v as number) >= 1 && (v as number) <= 65535;

/** Problems of a v2 document's `topology` and `reader`. */
function v2Problems(d: Json, bad: (path: string, v: unknown, expected: string) => void): void {
    const t = d.topology;
    if (!isObject(t)) {
        bad("topology", t, "an object with mode, seeds and nodeNameVerification (schema v2)");
    } else {
        if (!TOPOLOGY_MODES.includes(t.mode as never)) bad("topology.mode", t.mode, `one of ${TOPOLOGY_MODES.join(", ")}`);
        else if (t.mode === "cluster" && d.service !== "redis") bad("topology.mode", t.mode, "`standalone` (only redis has a cluster mode)");
        if (!Array.isArray(t.seeds) || t.seeds.length === 0) bad("topology.seeds", t.seeds, "at least one {host, port}");
        else t.seeds.forEach((s, i) => {
            if (!isObject(s) || typeof s.host !== "string" || s.host === "" || !validPort(s.port)) bad(`topology.seeds[${i}]`, s, "{host, port}");
        });
        if (!NODE_NAME_VERIFICATIONS.includes(t.nodeNameVerification as never)) bad("topology.nodeNameVerification", t.nodeNameVerification, `one of ${NODE_NAME_VERIFICATIONS.join(", ")}`);
    }
    const r = d.reader;
    if (r !== null && r !== undefined && !(isObject(r) && typeof r.host === "string" && r.host !== "" && validPort(r.port) && typeof r.url === "string")) {
        bad("reader", isObject(r) ? { host: r.host, port: r.port } : r, "null or {host, port, url}");
    }
}

/** Problems of one document; empty when it is a valid schema v1 or v2 document. */
export function validateDocument(value: unknown, where: string): string[] {
    const problems: string[] = [];
    const bad = (path: string, v: unknown, expected: string) => problems.push(`${where}: \`${path}\` is ${show(path, v)}; expected ${expected}.`);
    if (!isObject(value)) return [`${where}: is ${show("", value)}; expected a connection document (an object with \`schemaVersion\`: ${VERSIONS}).`];
    const d = value;
    if (!READABLE_SCHEMA_VERSIONS.includes(d.schemaVersion as never)) bad("schemaVersion", d.schemaVersion, `${VERSIONS} (this verifier reads schema v1 and v2)`);
    if (d.schemaVersion === 2) v2Problems(d, bad);
    if (!SERVICE_KINDS.includes(d.service as never)) bad("service", d.service, `one of ${SERVICE_KINDS.join(", ")}`);
    if (typeof d.host !== "string" || d.host === "") bad("host", d.host, "a host name or IP address");
    if (!validPort(d.port)) bad("port", d.port, "a whole number from 1 to 65535");
    for (const key of ["username", "password", "database"] as const) {
        if (d[key] !== null && d[key] !== undefined && typeof d[key] !== "string") bad(key, d[key], "a string or null");
    }
    if (typeof d.url !== "string") bad("url", d.url, "a string");
    if (!isObject(d.tls)) {
        bad("tls", d.tls, "an object with minVersion, serverName, ca and clientCertificate");
        return problems;
    }
    const t = d.tls;
    if (t.minVersion !== "TLSv1.2" && t.minVersion !== "TLSv1.3") bad("tls.minVersion", t.minVersion, "`TLSv1.2` or `TLSv1.3`");
    if (typeof t.serverName !== "string" || t.serverName === "") bad("tls.serverName", t.serverName, "the name in the server certificate");
    const ca = t.ca;
    if (!isObject(ca) || (ca.type !== "public-roots" && !(ca.type === "pem" && isPem(ca.pem)))) {
        bad("tls.ca", isObject(ca) ? { type: ca.type } : ca, '`{ "type": "pem", "pem": "-----BEGIN CERTIFICATE-----..." }` or `{ "type": "public-roots" }`');
    }
    const client = t.clientCertificate;
    if (client !== null && client !== undefined && !(isObject(client) && isPem(client.certPem) && isPem(client.privateKeyPem))) {
        problems.push(`${where}: \`tls.clientCertificate\` is neither null nor an object with PEM \`certPem\` and \`privateKeyPem\`.`);
    }
    return problems;
}

export function targetFromDocument(name: string, d: DocumentV1): Target {
    const client = d.tls.clientCertificate ?? null;
    return {
        name,
        service: d.service,
        host: d.host,
        port: d.port,
        serverName: d.tls.serverName,
        ca: d.tls.ca.type === "pem" ? { type: "pem", pem: d.tls.ca.pem } : { type: "public-roots" },
        clientCertificate: client && { certPem: client.certPem, privateKeyPem: client.privateKeyPem },
        expectMutualTls: client !== null,
        documentMinVersion: d.tls.minVersion,
        username: d.username ?? null,
        password: d.password ?? null,
        database: d.database ?? null,
        ...(d.topology?.mode === "cluster" ? { cluster: { seeds: d.topology.seeds, nodeNameVerification: d.topology.nodeNameVerification } } : {}),
    };
}

const defaultName = (d: DocumentV1) => `${d.service}@${d.host}:${d.port}`;

/**
 * Targets from JSON: one document, an array of documents, or `{ name: document }`. `origin` names the
 * source in messages and, when given, prefixes names (`dev/cache`).
 */
export function targetsFromJson(text: string, origin: string, namePrefix = ""): Target[] {
    let parsed: unknown;
    try {
        parsed = JSON.parse(text);
    } catch (e) {
        throw new InputError([`${origin}: not JSON (${(e as Error).message}); expected a connection document, an array of them, or an object of name → document.`]);
    }
    let entries: Array<[string | undefined, string, unknown]>; // [name, where, value]
    if (Array.isArray(parsed)) entries = parsed.map((v, i) => [undefined, `${origin}[${i}]`, v]);
    else if (isObject(parsed) && "schemaVersion" in parsed) entries = [[undefined, origin, parsed]];
    else if (isObject(parsed)) entries = Object.entries(parsed).map(([k, v]) => [k, `${origin}.${k}`, v]);
    else throw new InputError([`${origin}: is ${show("", parsed)}; expected a connection document, an array of them, or an object of name → document.`]);
    if (entries.length === 0) throw new InputError([`${origin}: holds no connection documents.`]);
    const problems = entries.flatMap(([, where, v]) => validateDocument(v, where));
    if (problems.length > 0) throw new InputError(problems);
    return entries.map(([name, , v]) => {
        const d = v as DocumentV1;
        return targetFromDocument(`${namePrefix}${name ?? defaultName(d)}`, d);
    });
}
