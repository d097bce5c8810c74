/**
 * Which certificates have too few days left: one pure function (certificates, now, thresholds →
 * problems) used by the policy pack's `certificate-expiry` rule during `pulumi preview`/`up` and by
 * tls-platform-expiry on `pulumi stack export` output. Imports nothing outside this folder (the pack
 * reaches it by relative path). A message names the resource, its type, its end date and the
 * threshold, and never a property other than those it reads.
 */
import { EXPIRY_POLICY_NAME, type ExpiryThresholds } from "./thresholds";

export const LEAF_CERT_TYPE = "tls:index/locallySignedCert:LocallySignedCert";
export const SELF_SIGNED_CERT_TYPE = "tls:index/selfSignedCert:SelfSignedCert";
/** The resource types whose `validityEndTime` is checked (@pulumi/tls 5.6.1). */
export const CERTIFICATE_TYPES: readonly string[] = [LEAF_CERT_TYPE, SELF_SIGNED_CERT_TYPE];

/**
 * A `validityEndTime` not known yet: the run creates or replaces the certificate (during preview the
 * new one's end time is unknown), so it is renewed, not expiring.
 */
export const RENEWED_IN_THIS_RUN: unique symbol = Symbol("renewed in this run");

export interface CertificateRecord {
    /** The resource's name (the last part of its URN). */
    readonly name: string;
    /** The resource's type token, e.g. `tls:index/locallySignedCert:LocallySignedCert`. */
    readonly type: string;
    readonly urn?: string;
    /** `isCaCertificate` as recorded: true selects the CA threshold; absent is the provider's default, false. */
    readonly isCaCertificate: unknown;
    /** `validityEndTime` as recorded (RFC 3339 expected), or RENEWED_IN_THIS_RUN. */
    readonly validityEndTime: unknown;
    /** `earlyRenewalHours` as recorded: says whether `pulumi up` renews it yet. */
    readonly earlyRenewalHours?: unknown;
}

export interface ExpiryProblem {
    readonly name: string;
    readonly type: string;
    readonly urn?: string;
    /** `expiring`: fewer days left than the threshold; `expired`: past its end; `unreadable`: no valid end time or CA flag. */
    readonly kind: "expiring" | "expired" | "unreadable";
    readonly message: string;
}

const HOUR_MS = 3_600_000;
const DAY_MS = 24 * HOUR_MS;
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})[Tt ]([01]\d|2[0-3]):([0-5]\d):([0-5]\d|60)(\.\d+)?([Zz]|[+-](?:[01]\d|2[0-3]):[0-5]\d)$/;

/** The instant an RFC 3339 time names, or undefined (Date.parse alone accepts February 30th as March 2nd). */
export function parseRfc3339(text: string): Date | undefined {
    const m = RFC3339.exec(text);
    if (!m) return undefined;
    const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
    const calendar = new Date(Date.UTC(year, month - 1, day));
    if (calendar.getUTCFullYear() !== year || calendar.getUTCMonth() !== month - 1 || calendar.getUTCDate() !== day) return undefined;
    const ms = Date.parse(text.replace(/:60(?=[.Zz+-])/, ":59"));
    return Number.isNaN(ms) ? undefined : new Date(ms);
}

/** `2026-12-02T08:00:00Z` (whole seconds). */
export const formatTime = (date: Date) => date.toISOString().replace(/\.\d{3}Z$/, "Z");

/** `10 days 3 hours`, `0 days 5 hours`, `1 day`. */
export function formatSpan(ms: number): string {
    const hours = Math.floor(Math.abs(ms) / HOUR_MS);
    const days = Math.floor(hours / 24);
    const rest = hours % 24;
    return `${days} day${days === 1 ? "" : "s"}${rest === 0 ? "" : ` ${rest} hour${rest === 1 ? "" : "s"}`}`;
}

/** How a malformed value shows in a message: a short string as written, anything else by its kind only (it might be a secret envelope). */
function showMalformed(value: unknown): string {
    if (value === undefined || value === null) return "not set";
    if (typeof value === "string") return value.length <= 40 ? `\`${value}\`` : `\`${value.slice(0, 40)}…\``;
    if (typeof value === "object" && value !== null && "ciphertext" in value) return "a secret (encrypted in the state)";
    return `a ${Array.isArray(value) ? "list" : typeof value}, not a string`;
}

/** Every certificate of `certificates` with fewer days left at `now` than its threshold, expired, or unreadable; renewed ones pass. */
export function expiryProblems(certificates: readonly CertificateRecord[], now: Date, thresholds: ExpiryThresholds): ExpiryProblem[] {
    const problems: ExpiryProblem[] = [];
    for (const cert of certificates) {
        const label = `\`${cert.name}\` (${cert.type})`;
        const problem = (kind: ExpiryProblem["kind"], message: string) =>
            problems.push({ name: cert.name, type: cert.type, ...(cert.urn === undefined ? {} : { urn: cert.urn }), kind, message });
        if (cert.validityEndTime === RENEWED_IN_THIS_RUN) continue;
        if (cert.isCaCertificate !== undefined && typeof cert.isCaCertificate !== "boolean") {
            problem("unreadable", `${label}: \`isCaCertificate\` is ${showMalformed(cert.isCaCertificate)}, so it is unknown whether the leaf or the CA threshold applies. Check the state (\`pulumi stack export\`) or run \`pulumi refresh\`.`);
            continue;
        }
        const isCa = cert.isCaCertificate === true;
        const end = typeof cert.validityEndTime === "string" ? parseRfc3339(cert.validityEndTime) : undefined;
        if (!end) {
            problem("unreadable", `${label}: \`validityEndTime\` is ${showMalformed(cert.validityEndTime)}, not an RFC 3339 time, so its expiry cannot be checked. Check the state (\`pulumi stack export\`) or run \`pulumi refresh\`.`);
            continue;
        }
        const minDays = isCa ? thresholds.caMinDaysLeft : thresholds.leafMinDaysLeft;
        const left = end.getTime() - now.getTime();
        if (left >= minDays * DAY_MS && left > 0) continue;
        const kindName = isCa ? "a CA certificate" : "a leaf certificate";
        const key = isCa ? "caMinDaysLeft" : "leafMinDaysLeft";
        const when =
            left <= 0
                ? `expired at ${formatTime(end)}, ${formatSpan(left)} before ${formatTime(now)}`
                : `expires at ${formatTime(end)}, ${formatSpan(left)} after ${formatTime(now)}: fewer than the ${minDays} days \`${EXPIRY_POLICY_NAME}\` requires of ${kindName} (\`${key}\`)`;
        problem(left <= 0 ? "expired" : "expiring", `${label} ${when}. ${fix(cert, end, now, minDays)}`);
    }
    return problems;
}

/** What renews it: `pulumi up` once inside its early-renewal window, else a forced replacement or a longer window. */
function fix(cert: CertificateRecord, end: Date, now: Date, minDays: number): string {
    const early = typeof cert.earlyRenewalHours === "number" && cert.earlyRenewalHours >= 0 ? cert.earlyRenewalHours : undefined;
    const target = cert.urn ? `\`pulumi up --replace '${cert.urn}'\`` : "`pulumi up --replace <its URN>`";
    if (early === undefined) {
        return `Its early-renewal window is not recorded: run \`pulumi up\` on this stack, which replaces it once inside that window, or ${target} to renew it at once.`;
    }
    const opens = new Date(end.getTime() - early * HOUR_MS);
    if (opens.getTime() <= now.getTime()) {
        return "It is inside its early-renewal window: run `pulumi up` on this stack, which replaces it with a new certificate (and updates everything that uses it).";
    }
    return `\`pulumi up\` renews it only from ${formatTime(opens)}, when its early-renewal window (${early} hours) opens: renew it now with ${target}, or give it an early renewal of at least ${minDays} days so \`pulumi up\` renews it in time.`;
}
