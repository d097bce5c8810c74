/**
 * The probes of one target, all run at once, each under its own deadline:
 * - one handshake per TLS version, offering only that version at security level 0, so that a refusal
 *   is the server's and not Debian's OpenSSL default refusing TLS 1.0/1.1 on the client side
 *   (OpenSSL 3 disables TLS 1.0 and 1.1 from security level 1, its default: SSL_CTX_set_security_level(3));
 * - the session a client with the target's settings opens: chain and host name checked separately,
 *   then, only if both hold, the authenticated first request;
 * - when mutual TLS is expected, the first request over a session without client certificate (a TLS
 *   1.3 server rejects the certificate after the client's handshake is done, so only a request shows it);
 * - the protocol spoken in plaintext to the TLS port;
 * - once the TLS 1.2 probe has reached the server, one handshake per TLS 1.2 suite (cipher-probes.ts).
 * Probes return what they saw; they never throw.
 */
import * as tls from "node:tls";
import { certificateFacts, chainOf } from "./chain";
import { probeCipherSuites } from "./cipher-probes";
import { clientCredentials, openTls, PROTOCOLS, trust } from "./connect";
import { connectTcp, describeError, ProbeTimeout, Reader, withDeadline } from "./net";
import { NoTlsOffered } from "./protocols/postgres";
import {
    type CipherSuite, type CipherSuitesOutcome, type GateOutcome, type Observation, type SessionOutcome, type Target, TLS_VERSIONS, type TlsVersion,
    type VersionOutcome, VERSION_NAMES,
} from "./types";

export { PROTOCOLS };

/** Every cipher OpenSSL has, at security level 0: the client offers what a legacy server could pick. */
export const PROBE_CIPHERS = "DEFAULT:@SECLEVEL=0";

/** Does the server complete a handshake offering only `version`? */
export async function probeVersion(target: Target, version: TlsVersion, timeoutMs: number): Promise<VersionOutcome> {
    let handshaking = false;
    try {
        return await withDeadline(timeoutMs, async (deadline) => {
            const socket = await openTls(
                target,
                { minVersion: version, maxVersion: version, ciphers: PROBE_CIPHERS, rejectUnauthorized: false, ...clientCredentials(target) },
                deadline,
                () => (handshaking = true),
            );
            const negotiated = socket.getProtocol();
            if (negotiated !== version) return { result: "error", detail: `offered ${VERSION_NAMES[version]} only, but the session is ${negotiated}` };
            return { result: "accepted", detail: `${VERSION_NAMES[version]} with ${socket.getCipher().name}` };
        });
    } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (!handshaking || e instanceof ProbeTimeout || e instanceof NoTlsOffered) return { result: "error", detail: describeError(e) };
        // The client could not even offer the version: nothing was learnt about the server.
        if (code === "ERR_SSL_NO_PROTOCOLS_AVAILABLE") return { result: "error", detail: `this client cannot offer ${VERSION_NAMES[version]}` };
        // The server picked the version and then asked for a certificate the probe lacked (TLS 1.3 alert 116).
        if (code === "ERR_SSL_TLSV13_ALERT_CERTIFICATE_REQUIRED") return { result: "accepted", detail: `${VERSION_NAMES[version]}, then a client certificate was demanded` };
        return { result: "refused", detail: describeError(e) };
    }
}

/** The session a client with the target's settings opens, and its first request if the server verified. */
export async function probeSession(target: Target, timeoutMs: number): Promise<SessionOutcome> {
    let established: Extract<SessionOutcome, { established: true }> | undefined;
    try {
        return await withDeadline(timeoutMs, async (deadline): Promise<SessionOutcome> => {
            const socket = await openTls(
                target,
                {
                    ...trust(target),
                    ...clientCredentials(target),
                    minVersion: target.documentMinVersion ?? "TLSv1.2",
                    // Verified below, chain and name apart, so the report can say which one failed.
                    rejectUnauthorized: false,
                    checkServerIdentity: () => undefined,
                },
                deadline,
            );
            const identity = tls.checkServerIdentity(target.serverName, socket.getPeerCertificate());
            const peer = socket.getPeerX509Certificate();
            established = {
                established: true,
                protocol: socket.getProtocol() ?? "unknown",
                chainVerified: socket.authorized,
                chainError: socket.authorized ? null : String(socket.authorizationError ?? "not verified"),
                identityError: identity ? identity.message : null,
                certificate: peer ? certificateFacts(peer) : null,
                chain: chainOf(socket, target),
                request: null,
            };
            // Credentials go only to a server that proved who it is.
            if (!established.chainVerified || established.identityError) return established;
            try {
                return { ...established, request: await PROTOCOLS[target.service].request({ socket, reader: new Reader(socket) }, target) };
            } catch (e) {
                return { ...established, request: { ok: false, detail: describeError(e) } };
            }
        });
    } catch (e) {
        if (established) return { ...established, request: { ok: false, detail: describeError(e) } };
        return { established: false, error: describeError(e) };
    }
}

export type Gate = "withoutClientCertificate" | "plaintext";

/** A client the server should turn away: one without certificate, or one without TLS. */
export async function probeGate(target: Target, gate: Gate, timeoutMs: number): Promise<GateOutcome> {
    const protocol = PROTOCOLS[target.service];
    const what = gate === "plaintext" ? "plaintext" : "without client certificate";
    let connected = false;
    try {
        return await withDeadline(timeoutMs, async (deadline) => {
            let socket;
            if (gate === "plaintext") {
                socket = await connectTcp(target.host, target.port, deadline);
                connected = true;
            } else {
                socket = await openTls(target, { ...trust(target), minVersion: "TLSv1.2", rejectUnauthorized: false }, deadline, () => (connected = true));
            }
            return await protocol[gate]({ socket, reader: new Reader(socket) }, target);
        });
    } catch (e) {
        if (e instanceof ProbeTimeout && connected && gate === "plaintext") {
            return { verdict: protocol.plaintextSilence, detail: `${what}: ${describeError(e)}` };
        }
        if (!connected || e instanceof ProbeTimeout || e instanceof NoTlsOffered) return { verdict: "unknown", detail: `${what}: ${describeError(e)}` };
        // A TLS alert, a reset or a hang-up before any answer: turned away.
        return { verdict: "refused", detail: `${what}: ${describeError(e)}` };
    }
}

export interface ObserveOptions {
    /** Deadline of each probe. */
    readonly timeoutMs: number;
    /** The TLS 1.2 suites to offer one at a time (ciphers.ts listTls12Suites), or why there are none. */
    readonly tls12Suites: readonly CipherSuite[] | Error;
    /** TLS 1.2 suite handshakes at once. @default - DEFAULT_CIPHER_CONCURRENCY (8) */
    readonly cipherConcurrency?: number;
}

/**
 * The suites are probed once the TLS 1.2 probe has reached the server (accepted or refused: a server
 * that refuses DEFAULT's suites may still take one outside it), so an unreachable one costs nothing more.
 */
async function cipherSuites(target: Target, tls12: Promise<VersionOutcome>, o: ObserveOptions): Promise<CipherSuitesOutcome> {
    const version = await tls12;
    if (version.result === "error") return { probed: false, detail: `not probed: the TLS 1.2 probe got no verdict (${version.detail})` };
    if (o.tls12Suites instanceof Error) return { probed: false, detail: o.tls12Suites.message };
    return probeCipherSuites(target, o.tls12Suites, { timeoutMs: o.timeoutMs, concurrency: o.cipherConcurrency });
}

export async function observe(target: Target, o: ObserveOptions): Promise<Observation> {
    const versionProbes = new Map(TLS_VERSIONS.map((v) => [v, probeVersion(target, v, o.timeoutMs)] as const));
    const [versions, session, withoutClientCertificate, plaintext, suites] = await Promise.all([
        Promise.all(TLS_VERSIONS.map(async (v) => [v, await versionProbes.get(v)!] as const)),
        probeSession(target, o.timeoutMs),
        target.expectMutualTls ? probeGate(target, "withoutClientCertificate", o.timeoutMs) : Promise.resolve(null),
        probeGate(target, "plaintext", o.timeoutMs),
        cipherSuites(target, versionProbes.get("TLSv1.2")!, o),
    ]);
    return { versions: Object.fromEntries(versions) as Record<TlsVersion, VersionOutcome>, session, withoutClientCertificate, plaintext, cipherSuites: suites };
}
