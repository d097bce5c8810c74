/**
 * The verifier's data model: what is probed (a `Target`, built from a connection document or an
 * `--endpoint`), what the probes saw (`Observation`, raw facts only), and what the rules made of it
 * (`Check`s in a `Report`). A `Report` holds no password or key: the formatters only ever see a
 * `TargetSummary`.
 */
import type { SERVICE_KINDS } from "../../components/connection/document";

export type ServiceKind = (typeof SERVICE_KINDS)[number];

/** Whom the client trusts: a CA bundle, or node's bundled public roots. */
export type Trust = { readonly type: "pem"; readonly pem: string } | { readonly type: "public-roots" };

export interface ClientCertificate {
    readonly certPem: string;
    readonly privateKeyPem: string;
}

export const TLS_VERSIONS = ["TLSv1", "TLSv1.1", "TLSv1.2", "TLSv1.3"] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];
/** How reports name a version (node says `TLSv1` for TLS 1.0). */
export const VERSION_NAMES: Readonly<Record<TlsVersion, string>> = { TLSv1: "TLSv1.0", "TLSv1.1": "TLSv1.1", "TLSv1.2": "TLSv1.2", "TLSv1.3": "TLSv1.3" };
/** Versions whose acceptance is a failure: RFC 8996 deprecates TLS 1.0 and 1.1. */
export const LEGACY_TLS_VERSIONS: readonly TlsVersion[] = ["TLSv1", "TLSv1.1"];

/** One endpoint to verify, with everything a client of it would hold (secrets included). */
export interface Target {
    /** Label in reports: the document's name, or the endpoint URL without credentials. */
    readonly name: string;
    readonly service: ServiceKind;
    readonly host: string;
    readonly port: number;
    /** Name checked against the certificate's SANs, and sent as SNI unless it is an IP address. */
    readonly serverName: string;
    readonly ca: Trust;
    readonly clientCertificate: ClientCertificate | null;
    /** The server must refuse a client without certificate. */
    readonly expectMutualTls: boolean;
    /** The document's `tls.minVersion`; null for a bare `--endpoint`. */
    readonly documentMinVersion: "TLSv1.2" | "TLSv1.3" | null;
    readonly username: string | null;
    readonly password: string | null;
    readonly database: string | null;
    /** A Redis Cluster document's topology: cluster.ts walks its nodes from these seeds. Absent for standalone. */
    readonly cluster?: ClusterTopology;
    /** This target is one node of a cluster, found by cluster.ts. Absent for a document's own endpoint. */
    readonly clusterNode?: ClusterNode;
}

/** How to walk a cluster: where discovery starts and whose name each node's certificate must carry. */
export interface ClusterTopology {
    readonly seeds: ReadonlyArray<{ readonly host: string; readonly port: number }>;
    /** `node-host`: each node's certificate must name the host it is announced as; `server-name`: the document's `tls.serverName`. */
    readonly nodeNameVerification: "server-name" | "node-host";
}

/** A cluster node as CLUSTER SHARDS (or CLUSTER SLOTS) announced it. */
export interface ClusterNode {
    /** The document target the node was found from. */
    readonly cluster: string;
    /** The name (or address) the cluster announces and clients dial. */
    readonly host: string;
    readonly port: number;
    readonly role: "master" | "replica";
    /** Slot ranges, e.g. `0-5460`; empty for a replica in CLUSTER SLOTS. */
    readonly slots: string;
}

/** What a report may say about a target: no password, no key. */
export interface TargetSummary {
    readonly name: string;
    readonly service: ServiceKind;
    readonly host: string;
    readonly port: number;
    readonly serverName: string;
    readonly trust: "document CA" | "public roots";
    readonly clientCertificate: boolean;
    readonly expectMutualTls: boolean;
}

export function summarize(t: Target): TargetSummary {
    return {
        name: t.name,
        service: t.service,
        host: t.host,
        port: t.port,
        serverName: t.serverName,
        trust: t.ca.type === "pem" ? "document CA" : "public roots",
        clientCertificate: t.clientCertificate !== null,
        expectMutualTls: t.expectMutualTls,
    };
}

/** A handshake offering exactly one version: did the server complete it? */
export interface VersionOutcome {
    /** `error`: the probe could not tell (unreachable, no answer, the client could not offer it). */
    readonly result: "accepted" | "refused" | "error";
    readonly detail: string;
}

export interface CertificateFacts {
    readonly subject: string;
    readonly issuer: string;
    readonly serialNumber: string;
    /** ISO 8601. */
    readonly notBefore: string;
    /** ISO 8601. */
    readonly notAfter: string;
    readonly subjectAltName: string | null;
    readonly fingerprint256: string;
}

/** A certificate the client saw: one the server sent, or a CA the client trusts for this endpoint. */
export interface ChainCertificate extends CertificateFacts {
    /**
     * `served`: in the server's Certificate message, leaf first, in issuance order (node's
     * `getPeerX509Certificate().issuerCertificate` links); `trust anchor`: the CA the served chain ends
     * in, from the client's trust store (the document's CA bundle or the public roots), not sent by the
     * server; `document CA`: another certificate of the document's CA bundle.
     */
    readonly source: "served" | "trust anchor" | "document CA";
    /** basicConstraints CA:TRUE; judged by the CA threshold, as the `certificate-expiry` policy judges isCaCertificate. */
    readonly isCa: boolean;
}

/** One TLS 1.2 cipher suite of the local OpenSSL, as `openssl ciphers -V -stdname` describes it. */
export interface CipherSuite {
    /** OpenSSL's name, e.g. `ECDHE-RSA-AES128-GCM-SHA256`. */
    readonly name: string;
    /** The IANA name, e.g. `TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256`. */
    readonly standardName: string;
    /** The two code bytes, e.g. `0xC0,0x2F`. */
    readonly id: string;
    /** OpenSSL's `Kx=`: ECDH (ephemeral: OpenSSL 3 has no static ECDH), DH (ephemeral), RSA, ... */
    readonly keyExchange: string;
    /** OpenSSL's `Au=`: ECDSA, RSA, DSS, None (anonymous). */
    readonly authentication: string;
    /** OpenSSL's `Enc=`, e.g. `AESGCM(128)`, `AES(128)` (CBC), `None`. */
    readonly encryption: string;
    /** OpenSSL's `Mac=`: AEAD, or the HMAC of a CBC (or NULL) suite. */
    readonly mac: string;
}

/** One handshake per TLS 1.2 suite: which ones the server completes a handshake with. */
export type CipherSuitesOutcome =
    | { readonly probed: false; readonly detail: string }
    | {
          readonly probed: true;
          /** Suites the server completed a TLS 1.2 handshake with, each offered alone. */
          readonly accepted: readonly CipherSuite[];
          /** How many suites the server refused. */
          readonly refused: number;
          /** Suites whose probe got no verdict (unreachable, no answer). */
          readonly undetermined: ReadonlyArray<{ readonly suite: string; readonly detail: string }>;
          /** Suites the local OpenSSL lists but this client's OpenSSL (node's) cannot offer. */
          readonly notOfferable: readonly string[];
          /** Suites probed. */
          readonly candidates: number;
          /** Handshakes at once. */
          readonly concurrency: number;
          /** Wall time of all the handshakes. */
          readonly ms: number;
      };

/** An offered TLS 1.2 suite, judged. */
export interface CipherSuiteVerdict {
    readonly name: string;
    readonly standardName: string;
    /** ECDHE or DHE key exchange. */
    readonly forwardSecrecy: boolean;
    /** A CBC (MAC-then-encrypt) suite. */
    readonly cbc: boolean;
    /** In the configured profile (components/shared/tlsProfile.ts TLS12_CIPHERS). */
    readonly inProfile: boolean;
    /** Why it must not be offered; empty when it may. */
    readonly problems: readonly string[];
}

/** The authenticated first request (Redis AUTH + PING, PostgreSQL login, HTTPS GET). */
export interface RequestOutcome {
    readonly ok: boolean;
    readonly detail: string;
    /** HTTPS only: the Strict-Transport-Security header, null when absent. */
    readonly hsts?: string | null;
}

/** The server's answer to a client it should turn away (no client certificate, or no TLS at all). */
export interface GateOutcome {
    /** `unknown`: the probe could not tell (unreachable, no answer it understood). */
    readonly verdict: "refused" | "served" | "unknown";
    readonly detail: string;
}

/** The handshake a client with the target's settings makes, and what followed it. */
export type SessionOutcome =
    | { readonly established: false; readonly error: string }
    | {
          readonly established: true;
          readonly protocol: string;
          /** The chain verified against the target's CA (or the public roots). */
          readonly chainVerified: boolean;
          readonly chainError: string | null;
          /** `tls.checkServerIdentity(serverName, cert)` failed with this message. */
          readonly identityError: string | null;
          readonly certificate: CertificateFacts | null;
          /** Every certificate served, then the trust anchor and the document's other CA certificates. */
          readonly chain: readonly ChainCertificate[];
          /** Absent when not attempted (never sent to a server that did not verify). */
          readonly request: RequestOutcome | null;
      };

/** Everything the probes saw for one target. */
export interface Observation {
    readonly versions: Readonly<Record<TlsVersion, VersionOutcome>>;
    readonly session: SessionOutcome;
    /** Present when the target expects mutual TLS. */
    readonly withoutClientCertificate: GateOutcome | null;
    readonly plaintext: GateOutcome;
    /** The TLS 1.2 suites the server accepts. */
    readonly cipherSuites: CipherSuitesOutcome;
}

export const CHECK_STATUSES = ["ok", "warn", "fail", "skip"] as const;
export type CheckStatus = (typeof CHECK_STATUSES)[number];

export const CHECK_IDS = [
    "handshake",
    "legacy_tls_refused",
    "modern_tls_accepted",
    "tls12_cipher_suites",
    "certificate_chain",
    "certificate_hostname",
    "certificate_expiry",
    "certificate_chain_expiry",
    "service_request",
    "hsts",
    "mutual_tls_enforced",
    "plaintext_refused",
    "cluster_nodes",
] as const;
export type CheckId = (typeof CHECK_IDS)[number];

export interface Check {
    readonly id: CheckId;
    readonly status: CheckStatus;
    readonly detail: string;
}

export interface EndpointReport {
    readonly target: TargetSummary;
    /** Worst status of its checks (skip counts as ok). */
    readonly status: "ok" | "warn" | "fail";
    readonly checks: readonly Check[];
    readonly versions: Readonly<Record<TlsVersion, VersionOutcome>>;
    readonly certificate: (CertificateFacts & { readonly secondsLeft: number }) | null;
    /** The session's certificates (see `ChainCertificate.source`); empty without a session. */
    readonly chain: ReadonlyArray<ChainCertificate & { readonly secondsLeft: number }>;
    /** The TLS 1.2 suites the server accepts, judged; null when they were not probed. */
    readonly tls12CipherSuites: {
        readonly offered: readonly CipherSuiteVerdict[];
        readonly candidates: number;
        readonly ms: number;
    } | null;
}

export interface Report {
    /** ISO 8601 time the rules were evaluated at. */
    readonly checkedAt: string;
    readonly status: "ok" | "warn" | "fail";
    /** 0 all good, 1 warnings only, 2 any failure. */
    readonly exitCode: 0 | 1 | 2;
    readonly endpoints: readonly EndpointReport[];
}
