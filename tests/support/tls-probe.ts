/**
 * TLS probes for real-server tests.
 *
 * `probeTlsVersion` answers "does this server complete a handshake at exactly this protocol version?" with
 * `openssl s_client` at `@SECLEVEL=0`: Debian's OpenSSL 3 refuses TLS 1.0/1.1 at its default security
 * level on the CLIENT side whatever the server allows, so a default probe would report "refused" for any
 * server and prove nothing (shared/reference/testing-notes.md). Pair every "refused" assertion with a
 * negative control (a server configured to accept the version, which the same probe reports as accepted).
 *
 * A refusal is only reported when the server answered with a TLS alert. A dropped connection prints the
 * same `New, (NONE), Cipher is (NONE)` line as a real refusal, so it is an error here, not a "refused".
 */
import { spawn } from "node:child_process";
import * as net from "node:net";
import * as tls from "node:tls";

export type TlsVersion = "TLSv1" | "TLSv1.1" | "TLSv1.2" | "TLSv1.3";

const S_CLIENT_VERSION_FLAG: Record<TlsVersion, string> = {
    TLSv1: "-tls1",
    "TLSv1.1": "-tls1_1",
    "TLSv1.2": "-tls1_2",
    "TLSv1.3": "-tls1_3",
};

export interface ProbeOptions {
    readonly host: string;
    readonly port: number;
    /** The only protocol version the client offers. */
    readonly version: TlsVersion;
    /** OpenSSL TLS 1.2-and-below cipher list the client offers (security level 0 is appended). @default - DEFAULT */
    readonly ciphers?: string;
    /** Key-exchange groups the client offers, OpenSSL names (`-groups`). @default - OpenSSL's defaults */
    readonly groups?: string;
    /** SNI name. @default - none sent */
    readonly servername?: string;
    /** Protocol-specific upgrade before the handshake (PostgreSQL's SSLRequest). */
    readonly starttls?: "postgres";
    /** @default - 10 s */
    readonly timeoutMs?: number;
}

export interface ProbeResult {
    /** The handshake completed at `version`. */
    readonly accepted: boolean;
    /** Negotiated protocol when accepted, e.g. `TLSv1.2`. */
    readonly protocol?: string;
    /** Negotiated cipher when accepted. */
    readonly cipher?: string;
    /** The server's alert when refused, e.g. `protocol version`. */
    readonly alert?: string;
    /** Full s_client output, for failure messages. */
    readonly output: string;
}

/** Runs `openssl` with closed stdin (so s_client hangs up after the handshake); rejects after `timeoutMs`. */
export function runOpenssl(args: readonly string[], timeoutMs: number): Promise<{ code: number | null; output: string }> {
    return new Promise((resolve, reject) => {
        const child = spawn("openssl", args, { stdio: ["ignore", "pipe", "pipe"] });
        let output = "";
        child.stdout.on("data", (d: Buffer) => (output += d.toString()));
        child.stderr.on("data", (d: Buffer) => (output += d.toString()));
        const timer = setTimeout(() => {
            child.kill("SIGKILL");
            reject(new Error(`openssl ${args.join(" ")} did not finish within ${timeoutMs} ms:\n${output}`));
        }, timeoutMs);
        child.on("error", (e) => {
            clearTimeout(timer);
            reject(e);
        });
        child.on("close", (code) => {
            clearTimeout(timer);
            resolve({ code, output });
        });
    });
}

export async function probeTlsVersion(o: ProbeOptions): Promise<ProbeResult> {
    const args = ["s_client", "-connect", `${o.host}:${o.port}`, S_CLIENT_VERSION_FLAG[o.version], "-cipher", `${o.ciphers ?? "DEFAULT"}:@SECLEVEL=0`];
    if (o.groups) args.push("-groups", o.groups);
    if (o.servername) args.push("-servername", o.servername);
    else args.push("-noservername");
    if (o.starttls) args.push("-starttls", o.starttls);
    const { output } = await runOpenssl(args, o.timeoutMs ?? 10_000);

    // The "New, <v>" line names the CIPHER's version (SSL_CIPHER_get_version: "TLSv1.0" for a TLS 1.1
    // handshake with an AES-SHA suite), so the protocol comes from the session block. For TLS 1.3 that block
    // only appears if the session ticket arrived before s_client hung up, but TLS 1.3 suites exist only in 1.3.
    const accepted = /^New, (TLSv[\d.]+), Cipher is (\S+)$/m.exec(output);
    if (accepted) {
        const protocol = /^\s+Protocol\s+: (\S+)$/m.exec(output)?.[1] ?? (accepted[1] === "TLSv1.3" ? "TLSv1.3" : undefined);
        if (protocol !== o.version) {
            throw new Error(`asked s_client for ${o.version} only but the session says ${protocol}:\n${output}`);
        }
        return { accepted: true, protocol, cipher: accepted[2], output };
    }
    const alert = /alert ([a-z ]+?):[^\n]*SSL alert number \d+/.exec(output);
    if (/^New, \(NONE\), Cipher is \(NONE\)$/m.test(output) && alert) {
        return { accepted: false, alert: alert[1], output };
    }
    throw new Error(`no TLS verdict from ${o.host}:${o.port} for ${o.version} (connection failed or closed without a TLS alert):\n${output}`);
}

export interface HandshakeOptions {
    readonly host: string;
    readonly port: number;
    /** Trusted CA PEM(s). @default - node's bundled roots */
    readonly ca?: string | readonly string[];
    /** Client certificate PEM. */
    readonly cert?: string;
    /** Client key PEM. */
    readonly key?: string;
    /** Name checked against the server certificate, sent as SNI unless it is an IP. @default - host */
    readonly servername?: string;
    readonly minVersion?: tls.SecureVersion;
    readonly maxVersion?: tls.SecureVersion;
    readonly ciphers?: string;
    /** How long to keep listening after the handshake: a TLS 1.3 server rejects a client certificate after
     * the client considers the handshake done. @default - 300 ms */
    readonly settleMs?: number;
    /** @default - 10 s */
    readonly timeoutMs?: number;
}

export interface HandshakeResult {
    /** Handshake completed, server certificate verified against `ca` and `servername`, no alert afterwards. */
    readonly ok: boolean;
    /** Why not, e.g. `Hostname/IP does not match certificate's altnames: ...` or an alert. */
    readonly error?: string;
    /** Whether the server certificate chain verified (name check excluded), when a handshake happened. */
    readonly authorized?: boolean;
    readonly protocol?: string;
}

/** One TLS handshake with node's `tls.connect`, verifying the server like a careful client would. */
export function tlsHandshake(o: HandshakeOptions): Promise<HandshakeResult> {
    return new Promise((resolve) => {
        let settled = false;
        let timer: NodeJS.Timeout | undefined;
        const finish = (r: HandshakeResult) => {
            if (settled) return;
            settled = true;
            clearTimeout(timer);
            socket.destroy();
            resolve(r);
        };
        const socket = tls.connect({
            host: o.host,
            port: o.port,
            ca: o.ca as string | string[] | undefined,
            cert: o.cert,
            key: o.key,
            // SNI must not be an IP address (RFC 6066 §3; node warns), but the identity check still uses it.
            servername: o.servername && !net.isIP(o.servername) ? o.servername : undefined,
            checkServerIdentity: (_host, cert) => tls.checkServerIdentity(o.servername ?? o.host, cert),
            minVersion: o.minVersion,
            maxVersion: o.maxVersion,
            ciphers: o.ciphers,
            rejectUnauthorized: true,
        });
        let handshake: { authorized: boolean; protocol: string } | undefined;
        timer = setTimeout(() => finish({ ok: false, error: `timed out after ${o.timeoutMs ?? 10_000} ms`, ...handshake }), o.timeoutMs ?? 10_000);
        socket.on("secureConnect", () => {
            handshake = { authorized: socket.authorized, protocol: socket.getProtocol() ?? "unknown" };
            setTimeout(() => finish({ ok: true, ...handshake }), o.settleMs ?? 300);
        });
        socket.on("data", () => undefined); // keep reading so a post-handshake alert surfaces as "error"
        socket.on("error", (e) => finish({ ok: false, error: e.message, ...handshake }));
        socket.on("close", () => finish({ ok: false, error: "connection closed by the server", ...handshake }));
    });
}
