/**
 * Every certificate an endpoint's clients depend on, and their expiry. `chainOf` reads what the session
 * shows: the chain the server sent (node links each served certificate to its issuer among the served
 * ones: `getPeerX509Certificate().issuerCertificate`), the trust anchor the chain ends in when the
 * server does not send it (`getPeerCertificate(true)` goes on into the client's trust store, node
 * src/crypto/crypto_common.cc GetPeerCert / GetLastIssuedCert), and the document's other CA
 * certificates (a bundle of CA generations: each must stay valid while it is trusted).
 * `chainExpiryCheck` judges them with the `certificate-expiry` policy rule's thresholds
 * (tools/expiry/thresholds.ts): leaves by `leafMinDaysLeft`, CA certificates by `caMinDaysLeft`.
 */
import { X509Certificate } from "node:crypto";
import type * as tls from "node:tls";
import type { EnforcementLevel } from "../expiry/config";
import { DEFAULT_EXPIRY_THRESHOLDS, type ExpiryThresholds } from "../expiry/thresholds";
import { DAY_SECONDS, formatDays, isoSeconds, secondsLeft } from "./days";
import type { CertificateFacts, ChainCertificate, Check, Target } from "./types";

export function certificateFacts(cert: X509Certificate): CertificateFacts {
    const oneLine = (dn: string) => dn.split("\n").filter(Boolean).join(", ");
    return {
        subject: oneLine(cert.subject),
        issuer: oneLine(cert.issuer),
        serialNumber: cert.serialNumber,
        notBefore: new Date(cert.validFrom).toISOString(),
        notAfter: new Date(cert.validTo).toISOString(),
        subjectAltName: cert.subjectAltName ?? null,
        fingerprint256: cert.fingerprint256,
    };
}

/** The certificates of a PEM bundle; what does not parse is left out (the handshake has judged the bundle). */
export function pemCertificates(pem: string): X509Certificate[] {
    return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).flatMap((block) => {
        try {
            return [new X509Certificate(block)];
        } catch {
            return [];
        }
    });
}

/** Served chain, then the trust anchor it ends in (unless served), then the document's other CA certificates. */
export function chainOf(socket: tls.TLSSocket, target: Target): ChainCertificate[] {
    const out: ChainCertificate[] = [];
    const seen = new Set<string>();
    const add = (cert: X509Certificate, source: ChainCertificate["source"]) => {
        if (seen.has(cert.fingerprint256)) return;
        seen.add(cert.fingerprint256);
        out.push({ ...certificateFacts(cert), source, isCa: cert.ca });
    };
    for (let cert = socket.getPeerX509Certificate(); cert && !seen.has(cert.fingerprint256); cert = cert.issuerCertificate) add(cert, "served");
    let detailed: tls.DetailedPeerCertificate | undefined = socket.getPeerCertificate(true);
    const walked = new Set<string>();
    let last: tls.DetailedPeerCertificate | undefined;
    while (detailed?.raw && !walked.has(detailed.fingerprint256)) {
        walked.add(detailed.fingerprint256);
        last = detailed;
        detailed = detailed.issuerCertificate;
    }
    if (last?.raw) add(new X509Certificate(last.raw), "trust anchor");
    if (target.ca.type === "pem") pemCertificates(target.ca.pem).forEach((cert) => add(cert, "document CA"));
    return out;
}

/** The `certificate-expiry` rule's enforcement level, applied here: mandatory fails, advisory warns, disabled checks only validity. */
export type ExpiryEnforcement = EnforcementLevel;

export interface ChainExpiryOptions {
    readonly now: Date;
    /** @default - DEFAULT_EXPIRY_THRESHOLDS: 14 days for a leaf, 90 for a CA */
    readonly thresholds?: ExpiryThresholds;
    /** @default - mandatory (the rule's own level) */
    readonly enforcement?: ExpiryEnforcement;
}

/** How reports name a certificate's place: leaf, served CA, trust anchor, document CA. */
export function chainRole(cert: Pick<ChainCertificate, "source" | "isCa">, index: number): string {
    if (cert.source === "served") return index === 0 ? "leaf" : cert.isCa ? "served CA" : "served certificate";
    return cert.source;
}

export function chainExpiryCheck(chain: readonly ChainCertificate[], o: ChainExpiryOptions): Check {
    const id = "certificate_chain_expiry";
    if (chain.length === 0) return { id, status: "fail", detail: "the server presented no certificate" };
    const thresholds = o.thresholds ?? DEFAULT_EXPIRY_THRESHOLDS;
    const enforcement = o.enforcement ?? "mandatory";
    const invalid: string[] = [];
    const soon: string[] = [];
    const summary: string[] = [];
    chain.forEach((cert, i) => {
        const days = secondsLeft(cert.notAfter, o.now) / DAY_SECONDS;
        const name = `${chainRole(cert, i)} ${cert.subject} (not after ${isoSeconds(cert.notAfter)})`;
        const min = cert.isCa ? thresholds.caMinDaysLeft : thresholds.leafMinDaysLeft;
        if (new Date(cert.notBefore).getTime() > o.now.getTime()) invalid.push(`${name}: not valid before ${isoSeconds(cert.notBefore)}`);
        else if (days < 0) invalid.push(`${name}: expired ${formatDays(-days)} days ago`);
        else if (enforcement !== "disabled" && days < min) soon.push(`${name}: expires soon, ${formatDays(days)} days left, under the ${cert.isCa ? "CA" : "leaf"} threshold of ${min} days`);
        summary.push(`${chainRole(cert, i)} ${formatDays(days)}`);
    });
    if (invalid.length > 0 || (soon.length > 0 && enforcement === "mandatory")) return { id, status: "fail", detail: [...invalid, ...soon].join("; ") };
    if (soon.length > 0) return { id, status: "warn", detail: `${soon.join("; ")} (certificate-expiry is advisory)` };
    return { id, status: "ok", detail: `days left: ${summary.join(", ")} (thresholds: leaf ${thresholds.leafMinDaysLeft}, CA ${thresholds.caMinDaysLeft})` };
}
