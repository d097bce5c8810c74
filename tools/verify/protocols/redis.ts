/**
 * The Redis protocol (RESP2) as far as the probes speak it: AUTH and PING, and CLUSTER SHARDS/SLOTS
 * to walk a cluster (cluster.ts). Works for Redis, Valkey, ElastiCache and Dragonfly.
 */
import type { Reader } from "../net";
import type { GateOutcome, RequestOutcome, Target } from "../types";
import { type Conversation, noNegotiation, type ServiceProtocol } from "./protocol";

/** A command as a RESP array of bulk strings. */
export function encodeCommand(...args: string[]): Buffer {
    const parts = [`*${args.length}\r\n`];
    for (const a of args) parts.push(`$${Buffer.byteLength(a)}\r\n${a}\r\n`);
    return Buffer.from(parts.join(""));
}

export type RespReply =
    | { readonly type: "simple" | "error" | "integer"; readonly value: string }
    | { readonly type: "bulk"; readonly value: string | null }
    /** Not RESP at all (e.g. a TLS alert record sent to a plaintext client). */
    | { readonly type: "other"; readonly value: string };

const MAX_SHOWN = 120;

export async function readReply(reader: Reader): Promise<RespReply> {
    const first = (await reader.read(1)).toString("latin1");
    const kinds: Record<string, "simple" | "error" | "integer" | "bulk"> = { "+": "simple", "-": "error", ":": "integer", $: "bulk" };
    const type = kinds[first];
    if (!type) {
        return { type: "other", value: `${reader.pending + 1} bytes starting with 0x${first.charCodeAt(0).toString(16).padStart(2, "0")}` };
    }
    const line = (await reader.readUntil("\r\n", 4096)).toString("utf8").slice(0, -2);
    if (type !== "bulk") return { type, value: line.slice(0, MAX_SHOWN) };
    const length = Number(line);
    if (!Number.isInteger(length) || length < -1) return { type: "other", value: `bad bulk length ${JSON.stringify(line.slice(0, 20))}` };
    if (length === -1) return { type, value: null };
    const body = await reader.read(length + 2);
    return { type, value: body.subarray(0, length).toString("utf8").slice(0, MAX_SHOWN) };
}

export function showReply(r: RespReply): string {
    switch (r.type) {
        case "simple":
            return `+${r.value}`;
        case "error":
            return `-${r.value}`;
        case "integer":
            return `:${r.value}`;
        case "bulk":
            return r.value === null ? "(nil)" : JSON.stringify(r.value);
        case "other":
            return r.value;
    }
}

/** A RESP2 value with arrays: what CLUSTER SHARDS and CLUSTER SLOTS answer. */
export type RespValue = string | number | null | { readonly error: string } | RespValue[];

const MAX_DEPTH = 8;
const MAX_ELEMENTS = 100_000;

/** One RESP2 value, arrays included (nested at most MAX_DEPTH deep), bulk strings whole. */
export async function readValue(reader: Reader, depth = 0): Promise<RespValue> {
    const first = (await reader.read(1)).toString("latin1");
    const line = (await reader.readUntil("\r\n", 4096)).toString("utf8").slice(0, -2);
    switch (first) {
        case "+":
            return line;
        case "-":
            return { error: line.slice(0, MAX_SHOWN) };
        case ":":
            return Number(line);
        case "$": {
            const length = Number(line);
            if (length === -1) return null;
            if (!Number.isInteger(length) || length < 0) throw new Error(`bad RESP bulk length ${JSON.stringify(line.slice(0, 20))}`);
            return (await reader.read(length + 2)).subarray(0, length).toString("utf8");
        }
        case "*": {
            const count = Number(line);
            if (count === -1) return null;
            if (!Number.isInteger(count) || count < 0 || count > MAX_ELEMENTS || depth >= MAX_DEPTH) throw new Error(`RESP array of ${JSON.stringify(line.slice(0, 20))} at depth ${depth} refused`);
            const items: RespValue[] = [];
            for (let i = 0; i < count; i++) items.push(await readValue(reader, depth + 1));
            return items;
        }
        default:
            throw new Error(`not RESP: a reply starting with 0x${first.charCodeAt(0).toString(16).padStart(2, "0")}`);
    }
}

/** Sends a command and reads its whole reply. */
export async function query(c: Conversation, ...args: string[]): Promise<RespValue> {
    c.socket.write(encodeCommand(...args));
    return readValue(c.reader);
}

/** AUTH with the target's credentials; null when accepted (or none are held), else what was answered. */
export async function authenticate(c: Conversation, target: Target): Promise<string | null> {
    if (target.password === null) return null;
    const reply = await command(c, ...(target.username ? ["AUTH", target.username, target.password] : ["AUTH", target.password]));
    return reply.type === "simple" && reply.value === "OK" ? null : `AUTH refused: ${showReply(reply)}`;
}

async function command(c: Conversation, ...args: string[]): Promise<RespReply> {
    c.socket.write(encodeCommand(...args));
    return readReply(c.reader);
}

/** A reply means the server ran the command loop for this client, whatever it answered. */
function served(r: RespReply, what: string): GateOutcome {
    return r.type === "other"
        ? { verdict: "refused", detail: `${what}: answered ${r.value}, not RESP` }
        : { verdict: "served", detail: `${what}: answered ${showReply(r)}` };
}

export const redisProtocol: ServiceProtocol = {
    beforeTls: noNegotiation,

    async request(c, target): Promise<RequestOutcome> {
        const refused = await authenticate(c, target);
        if (refused) return { ok: false, detail: refused };
        const authDetail = target.password === null ? "no password in the document, AUTH not sent" : "AUTH accepted";
        const ping = await command(c, "PING");
        if (ping.type === "simple" && ping.value === "PONG") return { ok: true, detail: `${authDetail}, PING answered +PONG` };
        return { ok: false, detail: `${authDetail}, PING answered ${showReply(ping)}` };
    },

    async withoutClientCertificate(c): Promise<GateOutcome> {
        return served(await command(c, "PING"), "PING without client certificate");
    },

    async plaintext(c): Promise<GateOutcome> {
        // Inline command: what a plaintext client or `nc` would send.
        c.socket.write("PING\r\n");
        const reply = await readReply(c.reader);
        if (reply.type === "simple" && reply.value === "PONG") return { verdict: "served", detail: "plaintext PING answered +PONG" };
        if (reply.type === "error" && /^NOAUTH/.test(reply.value)) {
            return { verdict: "served", detail: `plaintext PING answered -${reply.value}: the server speaks Redis in plaintext, so AUTH would travel unencrypted` };
        }
        // Dragonfly's TLS port answers "-ERR Bad TLS header, ..." before closing (dragonflydb/dragonfly src/facade/dragonfly_connection.cc).
        return { verdict: "refused", detail: `plaintext PING answered ${showReply(reply)}, no PONG` };
    },

    plaintextSilence: "refused",
};
