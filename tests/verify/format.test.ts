import { describe, expect, it } from "vitest";
import { formatJson } from "../../tools/verify/format/json";
import { escapeLabel, formatPrometheus } from "../../tools/verify/format/prometheus";
import { formatTable } from "../../tools/verify/format/table";
import { buildReport, evaluate } from "../../tools/verify/rules";
import type { Observation, Report, Target } from "../../tools/verify/types";

// The three outputs of one fixed report: a table for people, JSON, and Prometheus textfile metrics.

const NOW = new Date("2026-03-01T00:00:00Z");
const DAY = 86_400_000;
const PASSWORD = "s3cret-Password-0123456789abcdef";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg\n-----END PRIVATE KEY-----\n";

const base: Target = {
    name: "dev/cache", service: "redis", host: "127.0.0.1", port: 6380, serverName: "localhost", ca: { type: "pem", pem: "-----BEGIN CERTIFICATE-----\n" },
    clientCertificate: { certPem: "-----BEGIN CERTIFICATE-----\n", privateKeyPem: KEY }, expectMutualTls: true, documentMinVersion: "TLSv1.2",
    username: null, password: PASSWORD, database: null,
};

const observation = (daysLeft: number, legacy: boolean): Observation => ({
    versions: {
        TLSv1: { result: "refused", detail: 'TLS alert "protocol version"' },
        "TLSv1.1": legacy ? { result: "accepted", detail: "TLSv1.1 with ECDHE-ECDSA-AES256-SHA" } : { result: "refused", detail: 'TLS alert "protocol version"' },
        "TLSv1.2": { result: "accepted", detail: "TLSv1.2 with ECDHE-ECDSA-AES128-GCM-SHA256" },
        "TLSv1.3": { result: "accepted", detail: "TLSv1.3 with TLS_AES_128_GCM_SHA256" },
    },
    session: {
        established: true, protocol: "TLSv1.3", chainVerified: true, chainError: null, identityError: null, request: { ok: true, detail: "AUTH accepted, PING answered +PONG" },
        certificate: {
            subject: "CN=cache", issuer: "CN=tls-platform test CA", serialNumber: "5F3A", notBefore: "2026-02-01T00:00:00.000Z",
            notAfter: new Date(NOW.getTime() + daysLeft * DAY).toISOString(), subjectAltName: "DNS:cache, DNS:localhost, IP Address:127.0.0.1", fingerprint256: "AB",
        },
        chain: [
            {
                subject: "CN=cache", issuer: "CN=tls-platform test CA", serialNumber: "5F3A", notBefore: "2026-02-01T00:00:00.000Z", source: "served", isCa: false,
                notAfter: new Date(NOW.getTime() + daysLeft * DAY).toISOString(), subjectAltName: "DNS:cache, DNS:localhost, IP Address:127.0.0.1", fingerprint256: "AB",
            },
            {
                subject: "CN=tls-platform test CA", issuer: "CN=tls-platform test CA", serialNumber: "01", notBefore: "2026-01-01T00:00:00.000Z", source: "trust anchor", isCa: true,
                notAfter: new Date(NOW.getTime() + 1000 * DAY).toISOString(), subjectAltName: null, fingerprint256: "CD",
            },
        ],
    },
    withoutClientCertificate: { verdict: "refused", detail: 'PING without client certificate: TLS alert "certificate required"' },
    plaintext: { verdict: "refused", detail: "plaintext: connection closed by the server" },
    cipherSuites: {
        probed: true,
        accepted: [
            { id: "0xC0,0x2B", name: "ECDHE-ECDSA-AES128-GCM-SHA256", standardName: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", keyExchange: "ECDH", authentication: "ECDSA", encryption: "AESGCM(128)", mac: "AEAD" },
            ...(legacy ? [{ id: "0xC0,0x0A", name: "ECDHE-ECDSA-AES256-SHA", standardName: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", keyExchange: "ECDH", authentication: "ECDSA", encryption: "AES(256)", mac: "SHA1" }] : []),
        ],
        refused: 87, undetermined: [], notOfferable: [], candidates: 89, concurrency: 8, ms: 150,
    },
});

const report: Report = buildReport([
    evaluate(base, observation(89, false), { now: NOW, warnDays: 30, failDays: 7 }),
    evaluate({ ...base, name: 'odd "name"\\', port: 6381, expectMutualTls: false }, { ...observation(20, true), withoutClientCertificate: null }, { now: NOW, warnDays: 30, failDays: 7 }),
], NOW);

describe("table", () => {
    it("has a summary row per endpoint, then every check with its detail", () => {
        expect(formatTable(report)).toBe(`tls-platform-verify at 2026-03-01T00:00:00.000Z: 2 endpoints: 1 ok, 0 warnings, 1 failure (exit 2)

ENDPOINT     SERVICE  ADDRESS         TLSv1.0  TLSv1.1  TLSv1.2  TLSv1.3  CERT DAYS  STATUS
dev/cache    redis    127.0.0.1:6380  no       no       yes      yes      89.0       OK
odd "name"\\  redis    127.0.0.1:6381  no       yes      yes      yes      20.0       FAIL

dev/cache (redis 127.0.0.1:6380, server name localhost, trusting document CA, with client certificate): OK
  certificate  CN=cache; issuer CN=tls-platform test CA; serial 5F3A; not after 2026-05-29T00:00:00Z
  handshake                 OK  TLSv1.3 session opened
  legacy_tls_refused        OK  refuses TLSv1.0, TLSv1.1 (TLS alert "protocol version")
  modern_tls_accepted       OK  accepts TLSv1.2, TLSv1.3
  tls12_cipher_suites       OK  offers only profile suites: ECDHE-ECDSA-AES128-GCM-SHA256 (89 suites probed in 150 ms, 8 at a time)
  certificate_chain         OK  verified against the document's CA
  certificate_hostname      OK  localhost is in DNS:cache, DNS:localhost, IP Address:127.0.0.1
  certificate_expiry        OK  89.0 days left (2026-05-29T00:00:00Z)
  certificate_chain_expiry  OK  days left: leaf 89.0, trust anchor 1000.0 (thresholds: leaf 14, CA 90)
  service_request           OK  AUTH accepted, PING answered +PONG
  mutual_tls_enforced       OK  refused: PING without client certificate: TLS alert "certificate required"
  plaintext_refused         OK  plaintext: connection closed by the server
  chain  leaf          CN=cache                 not after 2026-05-29T00:00:00Z  89.0 days    SHA-256 AB
  chain  trust anchor  CN=tls-platform test CA  not after 2028-11-25T00:00:00Z  1000.0 days  SHA-256 CD
  TLS 1.2 suite  ECDHE-ECDSA-AES128-GCM-SHA256  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256  ok

odd "name"\\ (redis 127.0.0.1:6381, server name localhost, trusting document CA, with client certificate): FAIL
  certificate  CN=cache; issuer CN=tls-platform test CA; serial 5F3A; not after 2026-03-21T00:00:00Z
  handshake                 OK    TLSv1.3 session opened
  legacy_tls_refused        FAIL  accepts TLSv1.1 (TLSv1.1 with ECDHE-ECDSA-AES256-SHA); TLS 1.0 and 1.1 are deprecated (RFC 8996)
  modern_tls_accepted       OK    accepts TLSv1.2, TLSv1.3
  tls12_cipher_suites       FAIL  offers ECDHE-ECDSA-AES256-SHA (CBC (AES(256) with HMAC-SHA1), outside the profile) (89 suites probed in 150 ms, 8 at a time)
  certificate_chain         OK    verified against the document's CA
  certificate_hostname      OK    localhost is in DNS:cache, DNS:localhost, IP Address:127.0.0.1
  certificate_expiry        WARN  20.0 days left (2026-03-21T00:00:00Z): under 30 days
  certificate_chain_expiry  OK    days left: leaf 20.0, trust anchor 1000.0 (thresholds: leaf 14, CA 90)
  service_request           OK    AUTH accepted, PING answered +PONG
  plaintext_refused         OK    plaintext: connection closed by the server
  chain  leaf          CN=cache                 not after 2026-03-21T00:00:00Z  20.0 days    SHA-256 AB
  chain  trust anchor  CN=tls-platform test CA  not after 2028-11-25T00:00:00Z  1000.0 days  SHA-256 CD
  TLS 1.2 suite  ECDHE-ECDSA-AES128-GCM-SHA256  TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256  ok
  TLS 1.2 suite  ECDHE-ECDSA-AES256-SHA         TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA     CBC (AES(256) with HMAC-SHA1), outside the profile
`);
    });
});

describe("prometheus", () => {
    it("escapes backslash, double quote and line feed in label values", () => {
        expect(escapeLabel('a\\b"c\nd')).toBe('a\\\\b\\"c\\nd');
    });

    it("writes every family with HELP and TYPE, one sample per endpoint and check, no timestamps", () => {
        const text = formatPrometheus(report);
        const lines = text.trimEnd().split("\n");
        const families = lines.filter((l) => l.startsWith("# TYPE")).map((l) => l.split(" ")[2]);
        expect(families).toEqual([
            "tls_platform_check_ok", "tls_platform_check_status", "tls_platform_tls_version_accepted", "tls_platform_certificate_expiry_seconds",
            "tls_platform_certificate_info", "tls_platform_chain_certificate_expiry_seconds", "tls_platform_tls12_cipher_suite_offered",
            "tls_platform_tls12_cipher_probe_seconds", "tls_platform_endpoint_status", "tls_platform_run_exit_code", "tls_platform_last_run_timestamp_seconds",
        ]);
        for (const f of families) {
            expect(lines.indexOf(`# HELP ${f} ${lines.find((l) => l.startsWith(`# HELP ${f} `))!.slice(`# HELP ${f} `.length)}`)).toBe(lines.indexOf(`# TYPE ${f} gauge`) - 1);
        }
        // Text format 0.0.4: name, optional labels, value; nothing else (a timestamp would be a third field).
        for (const sample of lines.filter((l) => !l.startsWith("#"))) {
            expect(sample).toMatch(/^tls_platform_[a-z0-9_]+(\{[a-z_]+="(?:[^"\\\n]|\\["\\n])*"(,[a-z_]+="(?:[^"\\\n]|\\["\\n])*")*\})? -?\d+(\.\d+)?$/);
        }
        expect(lines).toEqual(expect.arrayContaining([
            'tls_platform_check_ok{endpoint="dev/cache",check="mutual_tls_enforced"} 1',
            'tls_platform_check_ok{endpoint="odd \\"name\\"\\\\",check="legacy_tls_refused"} 0',
            'tls_platform_check_status{endpoint="odd \\"name\\"\\\\",check="certificate_expiry"} 1',
            'tls_platform_tls_version_accepted{endpoint="dev/cache",service="redis",version="TLSv1.0"} 0',
            'tls_platform_tls_version_accepted{endpoint="odd \\"name\\"\\\\",service="redis",version="TLSv1.1"} 1',
            'tls_platform_certificate_expiry_seconds{endpoint="dev/cache",service="redis"} 7689600',
            'tls_platform_certificate_info{endpoint="dev/cache",service="redis",serial="5F3A",issuer="CN=tls-platform test CA",subject="CN=cache"} 1',
            'tls_platform_endpoint_status{endpoint="odd \\"name\\"\\\\",service="redis"} 2',
            'tls_platform_chain_certificate_expiry_seconds{endpoint="dev/cache",service="redis",position="1",role="trust anchor",subject="CN=tls-platform test CA",fingerprint="CD"} 86400000',
            'tls_platform_tls12_cipher_suite_offered{endpoint="odd \\"name\\"\\\\",service="redis",suite="ECDHE-ECDSA-AES256-SHA",forward_secrecy="1",cbc="1",in_profile="0"} 1',
            'tls_platform_tls12_cipher_probe_seconds{endpoint="dev/cache",service="redis"} 0.15',
            'tls_platform_check_status{endpoint="odd \\"name\\"\\\\",check="tls12_cipher_suites"} 2',
            "tls_platform_run_exit_code 2",
            "tls_platform_last_run_timestamp_seconds 1772323200",
        ]));
        expect(lines.filter((l) => l.startsWith("tls_platform_check_ok{"))).toHaveLength(11 + 10);
    });
});

describe("json", () => {
    it("carries the whole report and no password or key", () => {
        const text = formatJson(report);
        expect(JSON.parse(text)).toEqual(JSON.parse(JSON.stringify(report)));
        expect(JSON.parse(text).endpoints[0].target).toEqual({
            name: "dev/cache", service: "redis", host: "127.0.0.1", port: 6380, serverName: "localhost", trust: "document CA", clientCertificate: true, expectMutualTls: true,
        });
        for (const out of [text, formatTable(report), formatPrometheus(report)]) {
            expect(out).not.toContain(PASSWORD);
            expect(out).not.toContain("PRIVATE KEY");
        }
    });
});
