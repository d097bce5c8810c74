/**
 * HTTP/1.1 as far as the probes speak it: one `GET /` with `Connection: close`, its status line,
 * headers and (small) body.
 */
import * as net from "node:net";
import type { Reader } from "../net";
import type { GateOutcome, RequestOutcome, Target } from "../types";
import { type Conversation, noNegotiation, type ServiceProtocol } from "./protocol";

const MAX_BODY = 64 * 1024;
/** Statuses with which a server turns away a client without certificate (nginx maps its 495/496 to 400). */
const REFUSAL_STATUSES = new Set([400, 401, 403, 495, 496]);
/** nginx's page for a missing or rejected client certificate: "No required SSL certificate was sent", "The SSL certificate error". */
const CLIENT_CERTIFICATE_PAGE = /SSL certificate/i;

export interface HttpResponse {
    readonly status: number;
    /** Lower-case names; repeated headers joined with ", ". */
    readonly headers: ReadonlyMap<string, string>;
    readonly body: string;
}

export function hostHeader(target: Pick<Target, "serverName" | "port">): string {
    const host = net.isIPv6(target.serverName) ? `[${target.serverName}]` : target.serverName;
    return target.port === 443 ? host : `${host}:${target.port}`;
}

export function getRequest(host: string): string {
    return `GET / HTTP/1.1\r\nHost: ${host}\r\nUser-Agent: tls-platform-verify\r\nAccept: */*\r\nConnection: close\r\n\r\n`;
}

/** Status line and headers; null when the text is not an HTTP/1.x response head. */
export function parseHead(text: string): { status: number; headers: Map<string, string> } | null {
    const [statusLine, ...lines] = text.split("\r\n");
    const m = /^HTTP\/1\.[01] (\d{3})(?: .*)?$/.exec(statusLine ?? "");
    if (!m) return null;
    const headers = new Map<string, string>();
    for (const line of lines) {
        const colon = line.indexOf(":");
        if (colon <= 0) continue;
        const name = line.slice(0, colon).trim().toLowerCase();
        const value = line.slice(colon + 1).trim();
        headers.set(name, headers.has(name) ? `${headers.get(name)}, ${value}` : value);
    }
    return { status: Number(m[1]), headers };
}

/** The response to what was just sent; throws when the answer is not HTTP. */
export async function readResponse(reader: Reader): Promise<HttpResponse> {
    const start = (await reader.read(5)).toString("latin1");
    if (start !== "HTTP/") throw new NotHttp(`the answer is not HTTP (starts with 0x${Buffer.from(start, "latin1").subarray(0, 1).toString("hex")})`);
    const rest = (await reader.readUntil("\r\n\r\n")).toString("latin1");
    const head = parseHead(start + rest.slice(0, -4));
    if (!head) throw new NotHttp("the answer is not an HTTP/1.x response");
    const length = Number(head.headers.get("content-length") ?? "NaN");
    let body = "";
    if (Number.isInteger(length) && length <= MAX_BODY) body = (await reader.read(length)).toString("utf8");
    else if (head.headers.get("content-length") === undefined) body = (await reader.readToEnd(MAX_BODY)).toString("utf8");
    return { ...head, body };
}

export class NotHttp extends Error {}

/** `400 (No required SSL certificate was sent)`: the status and the page's title, if any. */
export function describeResponse(r: HttpResponse): string {
    const title = /<title>\s*(?:\d{3}\s+)?([^<]{1,100}?)\s*<\/title>/i.exec(r.body)?.[1];
    return `HTTP ${r.status}${title ? ` (${title})` : ""}`;
}

async function get(c: Conversation, target: Target): Promise<HttpResponse> {
    c.socket.write(getRequest(hostHeader(target)));
    return readResponse(c.reader);
}

export const httpsProtocol: ServiceProtocol = {
    beforeTls: noNegotiation,

    async request(c, target): Promise<RequestOutcome> {
        const r = await get(c, target);
        const hsts = r.headers.get("strict-transport-security") ?? null;
        if (r.status === 400 && CLIENT_CERTIFICATE_PAGE.test(r.body)) {
            const why = target.clientCertificate ? "refused the client certificate" : "demands a client certificate, and none was given";
            return { ok: false, detail: `GET / answered ${describeResponse(r)}: the server ${why}`, hsts };
        }
        return { ok: true, detail: `GET / answered ${describeResponse(r)}`, hsts };
    },

    async withoutClientCertificate(c, target): Promise<GateOutcome> {
        const r = await get(c, target);
        const verdict = REFUSAL_STATUSES.has(r.status) ? "refused" : "served";
        return { verdict, detail: `GET / without client certificate answered ${describeResponse(r)}` };
    },

    async plaintext(c, target): Promise<GateOutcome> {
        try {
            const r = await get(c, target);
            // nginx answers 400 "The plain HTTP request was sent to HTTPS port" (its internal 497).
            const verdict = r.status === 400 ? "refused" : "served";
            return { verdict, detail: `plain HTTP GET / answered ${describeResponse(r)}` };
        } catch (e) {
            if (e instanceof NotHttp) return { verdict: "refused", detail: `plain HTTP GET /: ${e.message}` };
            throw e;
        }
    },

    plaintextSilence: "unknown",
};
