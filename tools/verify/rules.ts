/**
 * What the probes saw, judged: one `Check` per rule, and the run's exit code. Pure: the clock and the
 * thresholds come in as arguments.
 */
import { canonicalIp, isLocalhostName } from "../../components/shared/hosts";
import {
    type Check, type CheckStatus, type EndpointReport, LEGACY_TLS_VERSIONS, type Observation, type Report, summarize, type Target,
    type TlsVersion, VERSION_NAMES,
} from "./types";

import type { ExpiryThresholds } from "../expiry/thresholds";
import { chainExpiryCheck, type ExpiryEnforcement } from "./chain";
import { cipherSuitesCheck, managedServiceOf } from "./ciphers";
import { DAY_SECONDS, formatDays, secondsLeft } from "./days";

export { DAY_SECONDS, formatDays, secondsLeft };
/** A certificate with fewer days left is a warning: a monthly renewal should long have replaced it. */
export const DEFAULT_WARN_DAYS = 30;
/** A certificate with fewer days left is a failure: it is about to break every client. */
export const DEFAULT_FAIL_DAYS = 7;
/** HSTS max-age below this is a warning: browsers' preload list asks for at least one year. */
export const MIN_HSTS_MAX_AGE_SECONDS = 365 * DAY_SECONDS;

export interface RuleOptions {
    readonly now: Date;
    readonly warnDays: number;
    readonly failDays: number;
    /**
     * The `certificate-expiry` policy rule's thresholds and level, applied to every certificate of the
     * chain (`certificate_chain_expiry`). @default - the rule's own: leaf 14 days, CA 90 days, mandatory
     */
    readonly chainExpiry?: { readonly thresholds: ExpiryThresholds; readonly enforcement: ExpiryEnforcement };
}

const RANK: Record<CheckStatus, number> = { skip: 0, ok: 0, warn: 1, fail: 2 };
const worst = (statuses: readonly CheckStatus[]): "ok" | "warn" | "fail" =>
    statuses.reduce<"ok" | "warn" | "fail">((w, s) => (RANK[s] > RANK[w] ? (s as "warn" | "fail") : w), "ok");

const list = (versions: readonly TlsVersion[]) => versions.map((v) => VERSION_NAMES[v]).join(", ");

/** Undetermined: a warning if the server was otherwise reachable, nothing to add if the handshake already failed. */
function undetermined(o: Observation): CheckStatus {
    return o.session.established ? "warn" : "skip";
}

function legacyCheck(o: Observation): Check {
    const id = "legacy_tls_refused";
    const accepted = LEGACY_TLS_VERSIONS.filter((v) => o.versions[v].result === "accepted");
    if (accepted.length > 0) {
        return { id, status: "fail", detail: `accepts ${list(accepted)} (${o.versions[accepted[0]!].detail}); TLS 1.0 and 1.1 are deprecated (RFC 8996)` };
    }
    const unknown = LEGACY_TLS_VERSIONS.filter((v) => o.versions[v].result === "error");
    if (unknown.length > 0) {
        return { id, status: undetermined(o), detail: `could not tell whether the server refuses ${list(unknown)}: ${o.versions[unknown[0]!].detail}` };
    }
    const reasons = [...new Set(LEGACY_TLS_VERSIONS.map((v) => o.versions[v].detail))];
    return { id, status: "ok", detail: `refuses ${list(LEGACY_TLS_VERSIONS)} (${reasons.join("; ")})` };
}

function modernCheck(target: Target, o: Observation): Check {
    const id = "modern_tls_accepted";
    const modern: TlsVersion[] = ["TLSv1.2", "TLSv1.3"];
    const accepted = modern.filter((v) => o.versions[v].result === "accepted");
    const unknown = modern.filter((v) => o.versions[v].result === "error");
    if (unknown.length > 0) {
        return { id, status: undetermined(o), detail: `could not tell whether the server accepts ${list(unknown)}: ${o.versions[unknown[0]!].detail}` };
    }
    if (accepted.length === 0) return { id, status: "fail", detail: "accepts neither TLSv1.2 nor TLSv1.3" };
    const min = target.documentMinVersion;
    if (min === "TLSv1.3" && accepted.includes("TLSv1.2")) {
        return { id, status: "warn", detail: `accepts ${list(accepted)}, but the document says the minimum is TLSv1.3` };
    }
    if (min === "TLSv1.2" && !accepted.includes("TLSv1.2")) {
        return { id, status: "warn", detail: `accepts only ${list(accepted)}, but the document says TLSv1.2 is enough (${o.versions["TLSv1.2"].detail} for TLSv1.2)` };
    }
    return { id, status: "ok", detail: `accepts ${list(accepted)}` };
}

/** Node's verification error codes, in words. */
const CHAIN_ERRORS: Record<string, string> = {
    UNABLE_TO_VERIFY_LEAF_SIGNATURE: "the certificate is not signed by a trusted CA (or the server omits the intermediate)",
    UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "the issuer is not a trusted CA",
    SELF_SIGNED_CERT_IN_CHAIN: "the chain ends in a self-signed CA that is not trusted",
    DEPTH_ZERO_SELF_SIGNED_CERT: "the certificate is self-signed",
    CERT_HAS_EXPIRED: "the certificate has expired",
    CERT_NOT_YET_VALID: "the certificate is not valid yet",
};

function certificateChecks(target: Target, o: Observation, options: RuleOptions): Check[] {
    const s = o.session;
    if (!s.established) {
        const skip = "no TLS session";
        return [
            { id: "certificate_chain", status: "skip", detail: skip },
            { id: "certificate_hostname", status: "skip", detail: skip },
            { id: "certificate_expiry", status: "skip", detail: skip },
            { id: "certificate_chain_expiry", status: "skip", detail: skip },
        ];
    }
    const anchor = target.ca.type === "pem" ? "the document's CA" : "the public roots";
    const chain: Check = s.chainVerified
        ? { id: "certificate_chain", status: "ok", detail: `verified against ${anchor}` }
        : { id: "certificate_chain", status: "fail", detail: `not verified against ${anchor}: ${s.chainError}${CHAIN_ERRORS[s.chainError ?? ""] ? ` (${CHAIN_ERRORS[s.chainError!]})` : ""}` };
    const hostname: Check = s.identityError
        ? { id: "certificate_hostname", status: "fail", detail: s.identityError }
        : { id: "certificate_hostname", status: "ok", detail: `${target.serverName} is in ${s.certificate?.subjectAltName ?? "the certificate"}` };
    return [chain, hostname, expiryCheck(s.certificate, options), chainExpiryCheck(s.chain, { now: options.now, ...options.chainExpiry })];
}

export function expiryCheck(cert: { notBefore: string; notAfter: string } | null, options: RuleOptions): Check {
    const id = "certificate_expiry";
    if (!cert) return { id, status: "fail", detail: "the server presented no certificate" };
    const days = secondsLeft(cert.notAfter, options.now) / DAY_SECONDS;
    const when = cert.notAfter.replace(/\.\d{3}Z$/, "Z");
    if (new Date(cert.notBefore).getTime() > options.now.getTime()) return { id, status: "fail", detail: `not valid before ${cert.notBefore}` };
    if (days < 0) return { id, status: "fail", detail: `expired ${formatDays(-days)} days ago (${when})` };
    const left = `${formatDays(days)} days left (${when})`;
    if (days < options.failDays) return { id, status: "fail", detail: `${left}: under ${options.failDays} days` };
    if (days < options.warnDays) return { id, status: "warn", detail: `${left}: under ${options.warnDays} days` };
    return { id, status: "ok", detail: left };
}

function requestCheck(o: Observation): Check {
    const id = "service_request";
    const s = o.session;
    if (!s.established) return { id, status: "skip", detail: "no TLS session" };
    if (!s.request) return { id, status: "skip", detail: "not attempted: credentials are never sent to a server that did not verify" };
    return { id, status: s.request.ok ? "ok" : "fail", detail: s.request.detail };
}

/** The directives of a Strict-Transport-Security value (RFC 6797 §6.1), names lower-cased. */
export function parseHsts(value: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const part of value.split(";")) {
        const [name, ...rest] = part.split("=");
        if (name?.trim()) out.set(name.trim().toLowerCase(), rest.join("=").trim().replace(/^"(.*)"$/, "$1"));
    }
    return out;
}

/**
 * HSTS as a browser applies it to the name it was reached by (`serverName`, which the request's Host
 * header carries). Browsers ignore it for an IP (RFC 6797 §8.1) and keep it per host name, not per
 * port (§8.2): for `localhost` a policy is a hazard, forcing HTTPS on every localhost port, and
 * `max-age=0` (or none) is what a dev proxy should send.
 */
export function hstsCheck(hsts: string | null | undefined, serverName: string): Check {
    const id = "hsts";
    if (hsts === undefined) return { id, status: "skip", detail: "no HTTPS response" };
    const localhost = isLocalhostName(serverName);
    if (canonicalIp(serverName) !== undefined) return { id, status: "skip", detail: `reached as the IP ${serverName}, for which browsers ignore HSTS (RFC 6797 §8.1)` };
    if (hsts === null) {
        return localhost
            ? { id, status: "ok", detail: "none for localhost: no HTTPS forced on other localhost ports" }
            : { id, status: "fail", detail: "no Strict-Transport-Security header: browsers may be downgraded to plain HTTP" };
    }
    const directives = parseHsts(hsts);
    const maxAge = directives.get("max-age");
    if (maxAge === undefined || !/^\d+$/.test(maxAge)) return { id, status: "fail", detail: `Strict-Transport-Security without a valid max-age: ${JSON.stringify(hsts)}` };
    const seconds = Number(maxAge);
    const days = Math.floor(seconds / DAY_SECONDS);
    const span = `${days > 1 ? `${days} days` : days === 1 ? "1 day" : "under a day"}${directives.has("includesubdomains") ? ", includeSubDomains" : ""}`;
    if (localhost) {
        return seconds === 0
            ? { id, status: "ok", detail: "max-age=0 for localhost: no HTTPS forced on other localhost ports" }
            : { id, status: "warn", detail: `max-age=${seconds} (${span}) for localhost: browsers keep HSTS per host, not per port, so every localhost port is forced to HTTPS` };
    }
    if (seconds < MIN_HSTS_MAX_AGE_SECONDS) return { id, status: "warn", detail: `max-age=${seconds} (${span}) is under one year` };
    return { id, status: "ok", detail: `max-age=${seconds} (${span})` };
}

function mutualTlsCheck(o: Observation): Check | null {
    const gate = o.withoutClientCertificate;
    if (!gate) return null;
    const id = "mutual_tls_enforced";
    if (gate.verdict === "refused") return { id, status: "ok", detail: `refused: ${gate.detail}` };
    if (gate.verdict === "served") return { id, status: "fail", detail: `mutual TLS is expected, but a client without certificate was served: ${gate.detail}` };
    return { id, status: undetermined(o), detail: `could not tell: ${gate.detail}` };
}

function plaintextCheck(o: Observation): Check {
    const id = "plaintext_refused";
    const gate = o.plaintext;
    if (gate.verdict === "refused") return { id, status: "ok", detail: gate.detail };
    if (gate.verdict === "served") return { id, status: "fail", detail: `a plaintext client was served: ${gate.detail}` };
    return { id, status: undetermined(o), detail: `could not tell: ${gate.detail}` };
}

export function evaluate(target: Target, o: Observation, options: RuleOptions): EndpointReport {
    const s = o.session;
    const ciphers = cipherSuitesCheck(o, undefined, managedServiceOf(target.host));
    const checks: Check[] = [
        s.established
            ? { id: "handshake", status: "ok", detail: `${s.protocol} session opened` }
            : { id: "handshake", status: "fail", detail: `no TLS session: ${s.error}` },
        legacyCheck(o),
        modernCheck(target, o),
        ciphers.check,
        ...certificateChecks(target, o, options),
        requestCheck(o),
        ...(target.service === "https" ? [hstsCheck(s.established && s.request ? s.request.hsts : undefined, target.serverName)] : []),
        ...[mutualTlsCheck(o)].filter((c): c is Check => c !== null),
        plaintextCheck(o),
    ];
    const cert = s.established ? s.certificate : null;
    return {
        target: summarize(target),
        status: worst(checks.map((c) => c.status)),
        checks,
        versions: o.versions,
        certificate: cert ? { ...cert, secondsLeft: secondsLeft(cert.notAfter, options.now) } : null,
        chain: s.established ? s.chain.map((c) => ({ ...c, secondsLeft: secondsLeft(c.notAfter, options.now) })) : [],
        tls12CipherSuites: ciphers.offered,
    };
}

export function buildReport(endpoints: readonly EndpointReport[], now: Date): Report {
    const status = worst(endpoints.map((e) => e.status));
    return { checkedAt: now.toISOString(), status, exitCode: status === "fail" ? 2 : status === "warn" ? 1 : 0, endpoints };
}
