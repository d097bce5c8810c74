/**
 * Connections for the probes: every probe runs under a deadline that destroys its sockets when it
 * expires, so a server that accepts and never answers costs at most the timeout and never hangs the
 * run. `Reader` turns a socket into "give me N bytes / a line", failing with the reason the socket
 * ended (the deadline's, a TLS alert, a reset).
 */
import * as net from "node:net";
import * as tls from "node:tls";

export class ProbeTimeout extends Error {
    constructor(ms: number) {
        super(`no answer within ${ms} ms`);
        this.name = "ProbeTimeout";
    }
}

/** Sockets owned by one probe; all destroyed when the probe ends or its time is up. */
export class Deadline {
    private readonly sockets = new Set<net.Socket>();
    private readonly timer: NodeJS.Timeout;
    private expiredWith: ProbeTimeout | undefined;
    /** Rejects when the time is up. */
    readonly expired: Promise<never>;

    constructor(readonly ms: number) {
        let reject!: (e: Error) => void;
        this.expired = new Promise<never>((_, r) => (reject = r));
        this.expired.catch(() => undefined);
        this.timer = setTimeout(() => {
            this.expiredWith = new ProbeTimeout(ms);
            this.destroyAll(this.expiredWith);
            reject(this.expiredWith);
        }, ms);
    }

    track<S extends net.Socket>(socket: S): S {
        // Errors reach the probe through its own listeners or the deadline; none may go unhandled.
        socket.on("error", () => undefined);
        this.sockets.add(socket);
        if (this.expiredWith) socket.destroy(this.expiredWith);
        return socket;
    }

    /** Newest first: a TLS socket goes before the TCP socket it wraps (the other order crashes node 20's TLSWrap). */
    private destroyAll(error?: Error): void {
        for (const s of [...this.sockets].reverse()) s.destroy(error);
    }

    dispose(): void {
        clearTimeout(this.timer);
        this.destroyAll();
        this.sockets.clear();
    }
}

/** Runs `fn` with a fresh deadline; its sockets are gone when this settles, whatever `fn` does. */
export async function withDeadline<T>(ms: number, fn: (deadline: Deadline) => Promise<T>): Promise<T> {
    const deadline = new Deadline(ms);
    try {
        return await Promise.race([fn(deadline), deadline.expired]);
    } finally {
        deadline.dispose();
    }
}

/** Buffered reads from a socket; a read fails once the socket has ended and the bytes are not there. */
export class Reader {
    private buffer = Buffer.alloc(0);
    private ended: Error | undefined;
    private wake: (() => void) | undefined;

    constructor(socket: net.Socket) {
        socket.on("data", (d: Buffer) => {
            this.buffer = Buffer.concat([this.buffer, d]);
            this.notify();
        });
        socket.on("error", (e) => this.end(e));
        socket.on("end", () => this.end(new Error("connection closed by the server")));
        socket.on("close", () => this.end(new Error("connection closed by the server")));
    }

    private end(e: Error): void {
        this.ended ??= e;
        this.notify();
    }

    private notify(): void {
        const wake = this.wake;
        this.wake = undefined;
        wake?.();
    }

    /** Bytes received and not yet read. */
    get pending(): number {
        return this.buffer.length;
    }

    private async waitFor(ready: () => boolean): Promise<void> {
        while (!ready()) {
            if (this.ended) throw this.ended;
            await new Promise<void>((resolve) => (this.wake = resolve));
        }
    }

    async read(n: number): Promise<Buffer> {
        await this.waitFor(() => this.buffer.length >= n);
        const out = this.buffer.subarray(0, n);
        this.buffer = this.buffer.subarray(n);
        return out;
    }

    /** Bytes up to and including `delimiter`; fails once more than `max` bytes came without it. */
    async readUntil(delimiter: string, max = 64 * 1024): Promise<Buffer> {
        let at = -1;
        await this.waitFor(() => {
            at = this.buffer.indexOf(delimiter);
            if (at < 0 && this.buffer.length > max) throw new Error(`no ${JSON.stringify(delimiter)} within ${max} bytes`);
            return at >= 0;
        });
        return this.read(at + delimiter.length);
    }

    /** Everything until the server closes, at most `max` bytes. */
    async readToEnd(max = 64 * 1024): Promise<Buffer> {
        try {
            await this.waitFor(() => this.buffer.length >= max);
        } catch {
            // ended: what arrived is the answer
        }
        return this.read(Math.min(this.buffer.length, max));
    }
}

export function connectTcp(host: string, port: number, deadline: Deadline): Promise<net.Socket> {
    return new Promise((resolve, reject) => {
        const socket = deadline.track(net.connect({ host, port }));
        socket.once("connect", () => {
            socket.removeListener("error", reject);
            resolve(socket);
        });
        socket.once("error", reject);
    });
}

/** TLS over an already connected socket; resolves at `secureConnect`. `onTls` sees the TLS socket at once, so a caller can read what a failed handshake had negotiated. */
export function startTls(socket: net.Socket, options: tls.ConnectionOptions, deadline: Deadline, onTls: (secure: tls.TLSSocket) => void = () => undefined): Promise<tls.TLSSocket> {
    return new Promise((resolve, reject) => {
        const secure = deadline.track(tls.connect({ ...options, socket }));
        onTls(secure);
        const fail = (e: Error) => reject(e);
        const closed = () => reject(new Error("connection closed by the server during the TLS handshake"));
        secure.once("error", fail);
        secure.once("close", closed);
        secure.once("secureConnect", () => {
            secure.removeListener("error", fail);
            secure.removeListener("close", closed);
            resolve(secure);
        });
    });
}

/** SNI must not be an IP address (RFC 6066 §3); the identity check still uses the name. */
export { sniFor } from "../../components/shared/hosts";

/** A short, readable reason for a socket or TLS error (the TLS alert when there is one). */
export function describeError(e: unknown): string {
    const err = e as NodeJS.ErrnoException & { reason?: string };
    if (err instanceof ProbeTimeout) return err.message;
    switch (err.code) {
        case "ECONNREFUSED":
            return "connection refused";
        case "ECONNRESET":
            return "connection reset by the server";
        case "EHOSTUNREACH":
        case "ENETUNREACH":
            return "host unreachable";
        case "ENOTFOUND":
        case "EAI_AGAIN":
            return `host name not found (${err.code})`;
        default:
            break;
    }
    const alert = /alert ([a-z ]+?)(?::|$)/.exec(err.reason ?? err.message ?? "");
    if (alert) return `TLS alert "${alert[1]}"`;
    if (err.reason) return err.reason;
    return String(err.message ?? e).split("\n")[0]!.slice(0, 200);
}
