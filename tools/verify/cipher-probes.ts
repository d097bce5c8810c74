/**
 * Which TLS 1.2 suites a server accepts: one handshake per candidate suite (ciphers.ts), each offering
 * TLS 1.2 and that suite alone at security level 0 (so that the client's own OpenSSL refuses nothing),
 * through the service's own start (PostgreSQL's SSLRequest) and with the target's client certificate.
 * A suite the server's ServerHello chose counts as accepted even when the server then ends the
 * handshake (for want of a client certificate). Only the server's TLS alert counts as a refusal; a
 * handshake cut short without one is tried again, up to SUITE_ATTEMPTS times, and is otherwise
 * reported as undetermined, never as refused. At most
 * `concurrency` handshakes run at once, each under its own deadline; the first probe that cannot reach
 * the server stops the rest, so an unreachable server costs one timeout, not one per suite.
 */
import type * as tls from "node:tls";
import { offerable } from "./ciphers";
import { clientCredentials, openTls } from "./connect";
import { describeError, ProbeTimeout, withDeadline } from "./net";
import { NoTlsOffered } from "./protocols/postgres";
import type { CipherSuite, CipherSuitesOutcome, Target } from "./types";

/** Handshakes at once per server: enough to finish ~90 suites in well under a second on loopback, few enough for a small server. */
export const DEFAULT_CIPHER_CONCURRENCY = 8;

export type SuiteOutcome =
    | { readonly result: "accepted" }
    | { readonly result: "refused"; readonly detail: string }
    | { readonly result: "error"; readonly detail: string; readonly unreachable: boolean };

/** Does the server complete a TLS 1.2 handshake offering only `suite`? */
export async function probeSuite(target: Target, suite: CipherSuite, timeoutMs: number): Promise<SuiteOutcome> {
    let handshaking = false;
    let secure: tls.TLSSocket | undefined;
    try {
        return await withDeadline(timeoutMs, async (deadline): Promise<SuiteOutcome> => {
            const socket = await openTls(
                target,
                { minVersion: "TLSv1.2", maxVersion: "TLSv1.2", ciphers: `${suite.name}:@SECLEVEL=0`, rejectUnauthorized: false, ...clientCredentials(target) },
                deadline,
                () => (handshaking = true),
                (s) => (secure = s),
            );
            const protocol = socket.getProtocol();
            const cipher = socket.getCipher().name;
            if (protocol !== "TLSv1.2" || cipher !== suite.name) {
                return { result: "error", detail: `offered ${suite.name} at TLSv1.2 only, but the session is ${protocol} with ${cipher}`, unreachable: false };
            }
            return { result: "accepted" };
        });
    } catch (e) {
        if (e instanceof ProbeTimeout || e instanceof NoTlsOffered || (!handshaking && UNREACHABLE_CODES.has((e as NodeJS.ErrnoException).code ?? ""))) {
            return { result: "error", detail: describeError(e), unreachable: true };
        }
        // Only a TLS alert (handshake_failure: no shared suite) is the server's refusal. A reset or a
        // hang-up without one may have overtaken an alert, or dropped an accepted handshake: no verdict.
        if (isTlsAlert(e)) {
            // The server chose the suite (its ServerHello named it) and then ended the handshake for
            // another reason, e.g. a client certificate it demands: it does offer the suite.
            if (chosenSuite(secure) === suite.name) return { result: "accepted" };
            return { result: "refused", detail: describeError(e) };
        }
        return { result: "error", detail: describeError(e), unreachable: false };
    }
}

/**
 * An alert the server sent: OpenSSL reports a received alert from ssl3_read_bytes as "... SSL alert
 * number 40" (openssl/openssl ssl/record/rec_layer_s3.c), and node names it ERR_SSL_SSLV3_ALERT_* (OpenSSL
 * 3.0) or ERR_SSL_SSL/TLS_ALERT_* (3.5).
 */
function isTlsAlert(e: unknown): boolean {
    const err = e as NodeJS.ErrnoException;
    return /SSL alert number \d+/.test(err.message ?? "") || /_ALERT_/.test(err.code ?? "");
}

/** The suite of the server's ServerHello, which node keeps after a failed handshake (SSL_get_current_cipher). */
function chosenSuite(secure: tls.TLSSocket | undefined): string | undefined {
    try {
        return secure?.getCipher()?.name;
    } catch {
        return undefined;
    }
}

/** Nothing listens or answers there: probing further suites would only repeat it. */
const UNREACHABLE_CODES: ReadonlySet<string> = new Set(["ECONNREFUSED", "EHOSTUNREACH", "ENETUNREACH", "ENOTFOUND", "EAI_AGAIN"]);

/**
 * Attempts per suite when a handshake ends without a verdict (a reset or a hang-up without alert, e.g. a
 * proxy that drops connections beyond its accept backlog), with a growing pause between them.
 */
export const SUITE_ATTEMPTS = 4;
const RETRY_PAUSE_MS = 100;

async function probeSuiteWithRetries(target: Target, suite: CipherSuite, timeoutMs: number): Promise<SuiteOutcome> {
    let outcome = await probeSuite(target, suite, timeoutMs);
    for (let attempt = 1; attempt < SUITE_ATTEMPTS && outcome.result === "error" && !outcome.unreachable; attempt++) {
        await new Promise((resolve) => setTimeout(resolve, RETRY_PAUSE_MS * 2 ** (attempt - 1)));
        outcome = await probeSuite(target, suite, timeoutMs);
    }
    return outcome;
}

export interface CipherProbeOptions {
    /** Deadline of each handshake. */
    readonly timeoutMs: number;
    /** Handshakes at once. @default - DEFAULT_CIPHER_CONCURRENCY (8) */
    readonly concurrency?: number;
}

export async function probeCipherSuites(target: Target, suites: readonly CipherSuite[], o: CipherProbeOptions): Promise<CipherSuitesOutcome> {
    const started = performance.now();
    const concurrency = o.concurrency ?? DEFAULT_CIPHER_CONCURRENCY;
    const candidates = suites.filter(offerable);
    const notOfferable = suites.filter((s) => !candidates.includes(s)).map((s) => s.name);
    const outcomes = new Map<CipherSuite, SuiteOutcome>();
    let stoppedBy: string | undefined;
    let next = 0;
    const worker = async () => {
        while (next < candidates.length && stoppedBy === undefined) {
            const suite = candidates[next++]!;
            const outcome = await probeSuiteWithRetries(target, suite, o.timeoutMs);
            outcomes.set(suite, outcome);
            if (outcome.result === "error" && outcome.unreachable) stoppedBy ??= `${suite.name}: ${outcome.detail}`;
        }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, candidates.length) }, worker));
    const undetermined = candidates.flatMap((suite) => {
        const outcome = outcomes.get(suite);
        if (!outcome) return [{ suite: suite.name, detail: `not probed after ${stoppedBy}` }];
        return outcome.result === "error" ? [{ suite: suite.name, detail: outcome.detail }] : [];
    });
    return {
        probed: true,
        accepted: candidates.filter((s) => outcomes.get(s)?.result === "accepted"),
        refused: candidates.filter((s) => outcomes.get(s)?.result === "refused").length,
        undetermined,
        notOfferable,
        candidates: candidates.length,
        concurrency,
        ms: Math.round(performance.now() - started),
    };
}
