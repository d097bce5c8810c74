/**
 * HTTP(S) clients and a test upstream for the nginx server tests.
 */
import { createHash, randomBytes } from "node:crypto";
import * as http from "node:http";
import * as https from "node:https";
import type * as net from "node:net";
import type { Background, Container } from "../harness/namespace";
import { delay } from "../harness/process";

export const WEBSOCKET_GUID = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"; // RFC 6455 §1.3

/**
 * A backend that echoes what it received as JSON: plain requests in the body, WebSocket upgrades (after
 * doing the RFC 6455 handshake itself) in one text frame. Logs `REQUEST <url>` / `UPGRADE <url>` to stdout.
 */
const UPSTREAM_SCRIPT = `
const http = require("http"), crypto = require("crypto");
const server = http.createServer((req, res) => {
  console.log("REQUEST " + req.url);
  res.setHeader("content-type", "application/json");
  res.end(JSON.stringify({ url: req.url, headers: req.headers }));
});
server.on("upgrade", (req, socket) => {
  console.log("UPGRADE " + req.url);
  const accept = crypto.createHash("sha1").update(req.headers["sec-websocket-key"] + "${WEBSOCKET_GUID}").digest("base64");
  socket.write("HTTP/1.1 101 Switching Protocols\\r\\nUpgrade: websocket\\r\\nConnection: Upgrade\\r\\nSec-WebSocket-Accept: " + accept + "\\r\\n\\r\\n");
  const payload = Buffer.from(JSON.stringify({ url: req.url, headers: req.headers }));
  socket.write(Buffer.concat([Buffer.from([0x81, 126, payload.length >> 8, payload.length & 255]), payload]));
});
server.listen(Number(process.argv[1]), "127.0.0.1");
`;

/** Starts the echo upstream inside `container` on `port` and waits until it listens. */
export async function startEchoUpstream(container: Container, port: number): Promise<Background> {
    const upstream = container.background(["node", "-e", UPSTREAM_SCRIPT, String(port)]);
    for (let i = 0; i < 100 && !container.listeningPorts().includes(port); i++) await delay(50);
    if (!container.listeningPorts().includes(port)) throw new Error(`echo upstream did not listen on ${port}:\n${upstream.output()}`);
    return upstream;
}

export interface Response {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    readonly body: string;
}

export interface TlsClientOptions {
    /** CA PEM the client trusts. */
    readonly ca: string;
    /** Name verified against the server certificate and sent as SNI. @default - localhost */
    readonly servername?: string;
    readonly cert?: string;
    readonly key?: string;
}

function collect(req: http.ClientRequest): Promise<Response> {
    return new Promise((resolve, reject) => {
        req.setTimeout(10_000, () => req.destroy(new Error("request timed out")));
        req.on("error", reject);
        req.on("response", (res) => {
            let body = "";
            res.on("data", (d: Buffer) => (body += d.toString()));
            res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
        });
        req.end();
    });
}

export function httpGet(port: number, path: string, headers: http.OutgoingHttpHeaders = {}): Promise<Response> {
    return collect(http.request({ host: "127.0.0.1", port, path, headers, agent: false }));
}

export function httpsGet(port: number, path: string, tlsOptions: TlsClientOptions, headers: http.OutgoingHttpHeaders = {}): Promise<Response> {
    return collect(https.request({
        host: "127.0.0.1", port, path, headers, agent: false,
        ca: tlsOptions.ca, cert: tlsOptions.cert, key: tlsOptions.key, servername: tlsOptions.servername ?? "localhost",
    }));
}

/** GET `url` with exactly the given TLS options (no defaults added here). */
export function httpsGetUrl(url: string | URL, options: https.RequestOptions): Promise<Response> {
    return collect(https.request(url, { ...options, agent: false }));
}

export interface WebSocketResult {
    readonly status: number;
    readonly headers: http.IncomingHttpHeaders;
    /** Whether Sec-WebSocket-Accept matches our key (RFC 6455 §4.2.2), i.e. the upstream did the handshake. */
    readonly acceptValid: boolean;
    /** Text of the first frame the upstream sent. */
    readonly firstMessage: string;
}

/** Opens a WebSocket over TLS (raw RFC 6455 handshake) and reads the first text frame. */
export function websocketOverTls(port: number, path: string, tlsOptions: TlsClientOptions, headers: http.OutgoingHttpHeaders = {}): Promise<WebSocketResult> {
    const key = randomBytes(16).toString("base64");
    const req = https.request({
        host: "127.0.0.1", port, path, agent: false, ca: tlsOptions.ca, servername: tlsOptions.servername ?? "localhost",
        headers: { ...headers, Connection: "Upgrade", Upgrade: "websocket", "Sec-WebSocket-Key": key, "Sec-WebSocket-Version": "13" },
    });
    return new Promise((resolve, reject) => {
        req.setTimeout(10_000, () => req.destroy(new Error("upgrade timed out")));
        req.on("error", reject);
        req.on("response", (res) => reject(new Error(`expected 101, got ${res.statusCode}`)));
        req.on("upgrade", (res, socket: net.Socket, head: Buffer) => {
            let buf = head;
            const tryFrame = () => {
                if (buf.length < 4) return;
                const length = buf.readUInt16BE(2); // the upstream always uses the 16-bit length form
                if (buf.length < 4 + length) return;
                socket.destroy();
                const expectedAccept = createHash("sha1").update(key + WEBSOCKET_GUID).digest("base64");
                resolve({
                    status: res.statusCode ?? 0,
                    headers: res.headers,
                    acceptValid: res.headers["sec-websocket-accept"] === expectedAccept,
                    firstMessage: buf.subarray(4, 4 + length).toString(),
                });
            };
            socket.on("data", (d: Buffer) => {
                buf = Buffer.concat([buf, d]);
                tryFrame();
            });
            socket.on("error", reject);
            tryFrame();
        });
        req.end();
    });
}
