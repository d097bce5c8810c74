/**
 * The PostgreSQL frontend/backend protocol 3.0, as far as the probes speak it: SSLRequest, the startup
 * message, and password authentication (SCRAM-SHA-256, MD5, cleartext) up to ReadyForQuery.
 */
import { createHash } from "node:crypto";
import type * as net from "node:net";
import type { Reader } from "../net";
import type { GateOutcome, RequestOutcome, Target } from "../types";
import type { Conversation, ServiceProtocol } from "./protocol";
import { clientFinal, clientFirst, serverFinalValid, type ClientFinal, type ClientFirst } from "./scram";

/** Int32 8, Int32 80877103 (NEGOTIATE_SSL_CODE = PG_PROTOCOL(1234,5679), postgres/postgres src/include/libpq/pqcomm.h). */
export const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);
const PROTOCOL_3_0 = 196608;
const MAX_MESSAGE = 1 << 20;
export const APPLICATION_NAME = "tls-platform-verify";
/** The role named in startup packets when a target has no user (the refusal comes before any role lookup). */
export const FALLBACK_USER = "postgres";

export class NoTlsOffered extends Error {}

/** Sends the SSLRequest and reads the one-byte answer: 'S' continues with TLS, 'N' means no TLS. */
export function sslRequest(socket: net.Socket): Promise<void> {
    return new Promise((resolve, reject) => {
        const done = (e?: Error) => {
            socket.removeListener("data", onData).removeListener("error", done).removeListener("close", onClose);
            if (e) reject(e);
            else resolve();
        };
        const onClose = () => done(new Error("connection closed by the server after the SSLRequest"));
        const onData = (d: Buffer) => {
            // More than the one byte would be data injected before the handshake (CVE-2021-23222).
            if (d.length !== 1) return done(new Error(`the server answered the SSLRequest with ${d.length} bytes instead of one`));
            if (d[0] === 0x53) return done(); // 'S'
            if (d[0] === 0x4e) return done(new NoTlsOffered("the server answered the SSLRequest with 'N': it offers no TLS"));
            return done(new Error(`the server answered the SSLRequest with 0x${d[0]!.toString(16)}, not 'S' or 'N'`));
        };
        socket.on("data", onData).on("error", done).on("close", onClose);
        socket.write(SSL_REQUEST);
    });
}

function message(type: string, body: Buffer): Buffer {
    const header = Buffer.alloc(5);
    header.write(type, 0, "latin1");
    header.writeInt32BE(body.length + 4, 1);
    return Buffer.concat([header, body]);
}

const cstring = (s: string) => Buffer.from(`${s}\0`, "utf8");

export function startupMessage(user: string, database: string | null): Buffer {
    const params = ["user", user, ...(database ? ["database", database] : []), "application_name", APPLICATION_NAME];
    const body = Buffer.concat([Buffer.alloc(4), ...params.map(cstring), Buffer.from([0])]);
    body.writeInt32BE(PROTOCOL_3_0, 0);
    const length = Buffer.alloc(4);
    length.writeInt32BE(body.length + 4, 0);
    return Buffer.concat([length, body]);
}

const TERMINATE = message("X", Buffer.alloc(0));

export interface BackendMessage {
    readonly type: string;
    readonly body: Buffer;
}

export async function readMessage(reader: Reader): Promise<BackendMessage> {
    const header = await reader.read(5);
    const type = header.toString("latin1", 0, 1);
    const length = header.readInt32BE(1);
    if (!/^[A-Za-z]$/.test(type) || length < 4 || length > MAX_MESSAGE) {
        throw new Error(`not a PostgreSQL message (type 0x${header[0]!.toString(16)}, length ${length})`);
    }
    return { type, body: await reader.read(length - 4) };
}

/** "FATAL 28000: message" from an ErrorResponse body. */
export function errorText(body: Buffer): string {
    const fields = new Map<string, string>();
    let at = 0;
    while (at < body.length && body[at] !== 0) {
        const end = body.indexOf(0, at + 1);
        if (end < 0) break;
        fields.set(String.fromCharCode(body[at]!), body.toString("utf8", at + 1, end));
        at = end + 1;
    }
    return `${fields.get("V") ?? fields.get("S") ?? "ERROR"} ${fields.get("C") ?? "?"}: ${fields.get("M") ?? "(no message)"}`;
}

const AUTH_NAMES: Record<number, string> = { 0: "ok", 2: "Kerberos", 3: "cleartext password", 5: "MD5 password", 7: "GSS", 9: "SSPI", 10: "SASL" };
const authName = (code: number) => AUTH_NAMES[code] ?? `method ${code}`;

/** The first message after a startup packet, as a gate: an authentication request means "served". */
async function startupGate(c: Conversation, target: Target, what: string): Promise<GateOutcome> {
    c.socket.write(startupMessage(target.username ?? FALLBACK_USER, target.database));
    const m = await readMessage(c.reader);
    c.socket.write(TERMINATE);
    if (m.type === "E") return { verdict: "refused", detail: `${what}: ${errorText(m.body)}` };
    if (m.type === "R") return { verdict: "served", detail: `${what}: the server went on to authentication (${authName(m.body.readInt32BE(0))})` };
    return { verdict: "unknown", detail: `${what}: unexpected message '${m.type}'` };
}

function md5Password(password: string, user: string, salt: Buffer): string {
    const inner = createHash("md5").update(password + user).digest("hex");
    return `md5${createHash("md5").update(Buffer.concat([Buffer.from(inner), salt])).digest("hex")}`;
}

function saslInitial(mechanism: string, data: string): Buffer {
    const payload = Buffer.from(data, "utf8");
    const length = Buffer.alloc(4);
    length.writeInt32BE(payload.length, 0);
    return message("p", Buffer.concat([cstring(mechanism), length, payload]));
}

/** Logs in with the target's user, password and database, up to ReadyForQuery. */
async function login(c: Conversation, target: Target): Promise<RequestOutcome> {
    if (!target.username) return { ok: false, detail: "no user in the document or URL, so no login was attempted" };
    const user = target.username;
    c.socket.write(startupMessage(user, target.database));
    let scram: { first: ClientFirst; final?: ClientFinal } | undefined;
    let method = "no password";
    const needPassword = (): string => {
        if (target.password === null) throw new Error("the server asks for a password but none was given");
        return target.password;
    };
    for (;;) {
        const m = await readMessage(c.reader);
        if (m.type === "E") return { ok: false, detail: `login as ${user} refused: ${errorText(m.body)}` };
        if (m.type === "Z") {
            c.socket.write(TERMINATE);
            return { ok: true, detail: `logged in as ${user}${target.database ? ` to ${target.database}` : ""} (${method})` };
        }
        if (m.type !== "R") continue; // ParameterStatus, BackendKeyData, NoticeResponse
        const code = m.body.readInt32BE(0);
        switch (code) {
            case 0:
                break;
            case 3:
                method = "cleartext password";
                c.socket.write(message("p", cstring(needPassword())));
                break;
            case 5:
                method = "MD5";
                c.socket.write(message("p", cstring(md5Password(needPassword(), user, m.body.subarray(4, 8)))));
                break;
            case 10: {
                const mechanisms = m.body.toString("utf8", 4).split("\0").filter(Boolean);
                if (!mechanisms.includes("SCRAM-SHA-256")) return { ok: false, detail: `the server offers SASL ${mechanisms.join(", ")}, not SCRAM-SHA-256` };
                method = "SCRAM-SHA-256";
                needPassword();
                scram = { first: clientFirst() };
                c.socket.write(saslInitial("SCRAM-SHA-256", scram.first.message));
                break;
            }
            case 11:
                if (!scram) throw new Error("SASLContinue without SASL");
                scram.final = clientFinal(needPassword(), scram.first, m.body.toString("utf8", 4));
                c.socket.write(message("p", Buffer.from(scram.final.message, "utf8")));
                break;
            case 12:
                if (!scram?.final || !serverFinalValid(m.body.toString("utf8", 4), scram.final)) {
                    return { ok: false, detail: "SCRAM: the server's signature is wrong: it does not know this password's verifier" };
                }
                break;
            default:
                return { ok: false, detail: `the server asks for ${authName(code)} authentication, which this verifier does not speak` };
        }
    }
}

export const postgresProtocol: ServiceProtocol = {
    beforeTls: sslRequest,
    request: login,
    withoutClientCertificate: (c, target) => startupGate(c, target, "startup without client certificate"),
    plaintext: (c, target) => startupGate(c, target, "plaintext startup (no SSLRequest)"),
    plaintextSilence: "unknown",
};
