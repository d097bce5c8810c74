import { describe, expect, it } from "vitest";
import { buildReport, evaluate, expiryCheck, hstsCheck } from "../../tools/verify/rules";
import type { CheckId, EndpointReport, Observation, SessionOutcome, Target, TlsVersion, VersionOutcome } from "../../tools/verify/types";

// The rules: raw observations in, checks and exit status out. The clock is fixed.

const NOW = new Date("2026-03-01T00:00:00Z");
const RULES = { now: NOW, warnDays: 30, failDays: 7 };
const DAY = 86_400_000;

const target = (over: Partial<Target> = {}): Target => ({
    name: "dev/cache", service: "redis", host: "127.0.0.1", port: 6380, serverName: "localhost",
    ca: { type: "pem", pem: "-----BEGIN CERTIFICATE-----\n" }, clientCertificate: null, expectMutualTls: false,
    documentMinVersion: "TLSv1.2", username: null, password: "pw", database: null, ...over,
});

const refused: VersionOutcome = { result: "refused", detail: 'TLS alert "protocol version"' };
const accepted = (name: string): VersionOutcome => ({ result: "accepted", detail: `${name} with TLS_AES_128_GCM_SHA256` });
const unknown: VersionOutcome = { result: "error", detail: "no answer within 5000 ms" };

const certificate = (daysLeft: number) => ({
    subject: "CN=cache", issuer: "CN=tls-platform test CA", serialNumber: "0A1B", notBefore: new Date(NOW.getTime() - DAY).toISOString(),
    notAfter: new Date(NOW.getTime() + daysLeft * DAY).toISOString(), subjectAltName: "DNS:cache, DNS:localhost, IP Address:127.0.0.1", fingerprint256: "AB:CD",
});

const goodSession = (over: Partial<Extract<SessionOutcome, { established: true }>> = {}): SessionOutcome => ({
    established: true, protocol: "TLSv1.3", chainVerified: true, chainError: null, identityError: null, certificate: certificate(89),
    chain: [
        { ...certificate(89), source: "served", isCa: false },
        { ...certificate(1000), subject: "CN=tls-platform test CA", issuer: "CN=tls-platform test CA", fingerprint256: "EF:01", source: "trust anchor", isCa: true },
    ],
    request: { ok: true, detail: "AUTH accepted, PING answered +PONG" }, ...over,
});

const PROFILE_SUITE = {
    id: "0xC0,0x2B", name: "ECDHE-ECDSA-AES128-GCM-SHA256", standardName: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", keyExchange: "ECDH", authentication: "ECDSA", encryption: "AESGCM(128)", mac: "AEAD",
};

const observation = (over: Partial<Observation> = {}): Observation => ({
    versions: { TLSv1: refused, "TLSv1.1": refused, "TLSv1.2": accepted("TLSv1.2"), "TLSv1.3": accepted("TLSv1.3") },
    session: goodSession(),
    withoutClientCertificate: null,
    plaintext: { verdict: "refused", detail: "plaintext: connection closed by the server" },
    cipherSuites: { probed: true, accepted: [PROFILE_SUITE], refused: 88, undetermined: [], notOfferable: [], candidates: 89, concurrency: 8, ms: 150 },
    ...over,
});

const statuses = (r: EndpointReport) => Object.fromEntries(r.checks.map((c) => [c.id, c.status]));
const check = (r: EndpointReport, id: CheckId) => r.checks.find((c) => c.id === id);
const versions = (v: Partial<Record<TlsVersion, VersionOutcome>>) => ({ ...observation().versions, ...v });

describe("a healthy endpoint", () => {
    it("passes every check, with a detail for each", () => {
        const r = evaluate(target(), observation(), RULES);
        expect(r.status).toBe("ok");
        expect(r.checks.map((c) => [c.id, c.status, c.detail])).toEqual([
            ["handshake", "ok", "TLSv1.3 session opened"],
            ["legacy_tls_refused", "ok", 'refuses TLSv1.0, TLSv1.1 (TLS alert "protocol version")'],
            ["modern_tls_accepted", "ok", "accepts TLSv1.2, TLSv1.3"],
            ["tls12_cipher_suites", "ok", "offers only profile suites: ECDHE-ECDSA-AES128-GCM-SHA256 (89 suites probed in 150 ms, 8 at a time)"],
            ["certificate_chain", "ok", "verified against the document's CA"],
            ["certificate_hostname", "ok", "localhost is in DNS:cache, DNS:localhost, IP Address:127.0.0.1"],
            ["certificate_expiry", "ok", "89.0 days left (2026-05-29T00:00:00Z)"],
            ["certificate_chain_expiry", "ok", "days left: leaf 89.0, trust anchor 1000.0 (thresholds: leaf 14, CA 90)"],
            ["service_request", "ok", "AUTH accepted, PING answered +PONG"],
            ["plaintext_refused", "ok", "plaintext: connection closed by the server"],
        ]);
        expect(r.certificate).toMatchObject({ serialNumber: "0A1B", issuer: "CN=tls-platform test CA", secondsLeft: 89 * 86_400 });
    });

    it("has an hsts check for https only, and a mutual_tls_enforced check only when mutual TLS is expected", () => {
        const https = evaluate(target({ service: "https", serverName: "www.example.com" }), observation({ session: goodSession({ request: { ok: true, detail: "GET / answered HTTP 200", hsts: "max-age=63072000; includeSubDomains" } }) }), RULES);
        expect(check(https, "hsts")).toEqual({ id: "hsts", status: "ok", detail: "max-age=63072000 (730 days, includeSubDomains)" });
        const mtls = evaluate(target({ expectMutualTls: true }), observation({ withoutClientCertificate: { verdict: "refused", detail: 'PING without client certificate: TLS alert "certificate required"' } }), RULES);
        expect(check(mtls, "mutual_tls_enforced")).toEqual({ id: "mutual_tls_enforced", status: "ok", detail: 'refused: PING without client certificate: TLS alert "certificate required"' });
        expect(check(evaluate(target(), observation(), RULES), "mutual_tls_enforced")).toBeUndefined();
    });
});

describe("TLS versions", () => {
    it.each<[string, Partial<Record<TlsVersion, VersionOutcome>>, Partial<Target>, string, string, string]>([
        ["TLS 1.1 accepted", { "TLSv1.1": accepted("TLSv1.1") }, {}, "legacy_tls_refused", "fail",
            "accepts TLSv1.1 (TLSv1.1 with TLS_AES_128_GCM_SHA256); TLS 1.0 and 1.1 are deprecated (RFC 8996)"],
        ["TLS 1.0 and 1.1 accepted", { TLSv1: accepted("TLSv1.0"), "TLSv1.1": accepted("TLSv1.1") }, {}, "legacy_tls_refused", "fail",
            "accepts TLSv1.0, TLSv1.1 (TLSv1.0 with TLS_AES_128_GCM_SHA256); TLS 1.0 and 1.1 are deprecated (RFC 8996)"],
        ["a legacy probe that got no verdict", { TLSv1: unknown }, {}, "legacy_tls_refused", "warn",
            "could not tell whether the server refuses TLSv1.0: no answer within 5000 ms"],
        ["neither 1.2 nor 1.3", { "TLSv1.2": refused, "TLSv1.3": refused }, {}, "modern_tls_accepted", "fail", "accepts neither TLSv1.2 nor TLSv1.3"],
        ["1.2 accepted though the document says 1.3", {}, { documentMinVersion: "TLSv1.3" }, "modern_tls_accepted", "warn",
            "accepts TLSv1.2, TLSv1.3, but the document says the minimum is TLSv1.3"],
        ["1.2 refused though the document says 1.2", { "TLSv1.2": refused }, {}, "modern_tls_accepted", "warn",
            'accepts only TLSv1.3, but the document says TLSv1.2 is enough (TLS alert "protocol version" for TLSv1.2)'],
        ["1.3 only, as the document says", { "TLSv1.2": refused }, { documentMinVersion: "TLSv1.3" }, "modern_tls_accepted", "ok", "accepts TLSv1.3"],
        ["1.3 only, for an --endpoint without document", { "TLSv1.2": refused }, { documentMinVersion: null }, "modern_tls_accepted", "ok", "accepts TLSv1.3"],
    ])("%s", (_, v, t, id, status, detail) => {
        expect(check(evaluate(target(t), observation({ versions: versions(v) }), RULES), id as CheckId)).toEqual({ id, status, detail });
    });
});

describe("certificate", () => {
    it.each([
        [200, "ok", "200.0 days left (2026-09-17T00:00:00Z)"],
        [30, "ok", "30.0 days left (2026-03-31T00:00:00Z)"],
        [20, "warn", "20.0 days left (2026-03-21T00:00:00Z): under 30 days"],
        [7, "warn", "7.0 days left (2026-03-08T00:00:00Z): under 30 days"],
        [5, "fail", "5.0 days left (2026-03-06T00:00:00Z): under 7 days"],
        [4.99, "fail", "4.9 days left (2026-03-05T23:45:36Z): under 7 days"],
        [-2, "fail", "expired 2.0 days ago (2026-02-27T00:00:00Z)"],
    ])("%d days left: %s", (days, status, detail) => {
        expect(expiryCheck(certificate(days), RULES)).toEqual({ id: "certificate_expiry", status, detail });
    });

    it("honours other thresholds", () => {
        expect(expiryCheck(certificate(20), { now: NOW, warnDays: 14, failDays: 3 }).status).toBe("ok");
        expect(expiryCheck(certificate(10), { now: NOW, warnDays: 14, failDays: 3 }).status).toBe("warn");
    });

    it("fails a certificate that is not valid yet", () => {
        const cert = { ...certificate(90), notBefore: "2026-03-02T00:00:00.000Z" };
        expect(expiryCheck(cert, RULES)).toEqual({ id: "certificate_expiry", status: "fail", detail: "not valid before 2026-03-02T00:00:00.000Z" });
    });

    it("fails a chain that does not verify and a name not in the SANs, and then sends no credentials", () => {
        const session = goodSession({
            chainVerified: false, chainError: "UNABLE_TO_VERIFY_LEAF_SIGNATURE", request: null,
            identityError: "Hostname/IP does not match certificate's altnames: Host: cache.example. is not in the cert's altnames: DNS:cache",
        });
        const r = evaluate(target({ ca: { type: "public-roots" } }), observation({ session }), RULES);
        expect(r.checks.filter((c) => c.status !== "ok")).toEqual([
            { id: "certificate_chain", status: "fail", detail: "not verified against the public roots: UNABLE_TO_VERIFY_LEAF_SIGNATURE (the certificate is not signed by a trusted CA (or the server omits the intermediate))" },
            { id: "certificate_hostname", status: "fail", detail: "Hostname/IP does not match certificate's altnames: Host: cache.example. is not in the cert's altnames: DNS:cache" },
            { id: "service_request", status: "skip", detail: "not attempted: credentials are never sent to a server that did not verify" },
        ]);
        expect(r.status).toBe("fail");
    });
});

describe("HSTS", () => {
    it.each([
        [null, "fail", "no Strict-Transport-Security header: browsers may be downgraded to plain HTTP"],
        ["max-age=63072000; includeSubDomains", "ok", "max-age=63072000 (730 days, includeSubDomains)"],
        ["max-age=31536000", "ok", "max-age=31536000 (365 days)"],
        ['max-age="86400"', "warn", "max-age=86400 (1 day) is under one year"],
        ["max-age=600", "warn", "max-age=600 (under a day) is under one year"],
        ["includeSubDomains", "fail", 'Strict-Transport-Security without a valid max-age: "includeSubDomains"'],
    ])("%j for a real host name: %s", (header, status, detail) => {
        expect(hstsCheck(header, "www.example.com")).toEqual({ id: "hsts", status, detail });
    });

    it.each([
        ["localhost", "max-age=0", "ok", "max-age=0 for localhost: no HTTPS forced on other localhost ports"],
        ["localhost", null, "ok", "none for localhost: no HTTPS forced on other localhost ports"],
        ["localhost", "max-age=63072000; includeSubDomains", "warn",
            "max-age=63072000 (730 days, includeSubDomains) for localhost: browsers keep HSTS per host, not per port, so every localhost port is forced to HTTPS"],
        ["LOCALHOST.", "max-age=600", "warn", "max-age=600 (under a day) for localhost: browsers keep HSTS per host, not per port, so every localhost port is forced to HTTPS"],
        ["app.localhost", "max-age=600", "warn", "max-age=600 (under a day) for localhost: browsers keep HSTS per host, not per port, so every localhost port is forced to HTTPS"],
        ["127.0.0.1", null, "skip", "reached as the IP 127.0.0.1, for which browsers ignore HSTS (RFC 6797 §8.1)"],
        ["::1", "max-age=63072000", "skip", "reached as the IP ::1, for which browsers ignore HSTS (RFC 6797 §8.1)"],
    ])("reached as %s, %j: %s", (serverName, header, status, detail) => {
        expect(hstsCheck(header, serverName)).toEqual({ id: "hsts", status, detail });
    });
});

describe("gates: mutual TLS and plaintext", () => {
    it("fails a server that serves a client without certificate when the document says mutual TLS", () => {
        const r = evaluate(target({ expectMutualTls: true }), observation({
            withoutClientCertificate: { verdict: "served", detail: "PING without client certificate: answered -NOAUTH Authentication required." },
        }), RULES);
        expect(check(r, "mutual_tls_enforced")).toEqual({
            id: "mutual_tls_enforced", status: "fail",
            detail: "mutual TLS is expected, but a client without certificate was served: PING without client certificate: answered -NOAUTH Authentication required.",
        });
        expect(r.status).toBe("fail");
    });

    it("fails a server that serves plaintext", () => {
        const r = evaluate(target(), observation({ plaintext: { verdict: "served", detail: "plaintext PING answered +PONG" } }), RULES);
        expect(check(r, "plaintext_refused")).toEqual({ id: "plaintext_refused", status: "fail", detail: "a plaintext client was served: plaintext PING answered +PONG" });
    });

    it("warns when a gate gave no verdict although the server answered TLS", () => {
        const r = evaluate(target(), observation({ plaintext: { verdict: "unknown", detail: "plaintext: no answer within 5000 ms" } }), RULES);
        expect(check(r, "plaintext_refused")).toEqual({ id: "plaintext_refused", status: "warn", detail: "could not tell: plaintext: no answer within 5000 ms" });
    });
});

describe("an unreachable endpoint", () => {
    it("fails its handshake once; what could not be probed is skipped, not failed again", () => {
        const down = observation({
            versions: { TLSv1: unknown, "TLSv1.1": unknown, "TLSv1.2": unknown, "TLSv1.3": unknown },
            session: { established: false, error: "no answer within 5000 ms" },
            withoutClientCertificate: { verdict: "unknown", detail: "without client certificate: no answer within 5000 ms" },
            plaintext: { verdict: "unknown", detail: "plaintext: no answer within 5000 ms" },
            cipherSuites: { probed: false, detail: "not probed: the TLS 1.2 probe got no verdict (no answer within 5000 ms)" },
        });
        const r = evaluate(target({ service: "https", expectMutualTls: true }), down, RULES);
        expect(statuses(r)).toEqual({
            handshake: "fail", legacy_tls_refused: "skip", modern_tls_accepted: "skip", tls12_cipher_suites: "skip", certificate_chain: "skip", certificate_hostname: "skip",
            certificate_expiry: "skip", certificate_chain_expiry: "skip", service_request: "skip", hsts: "skip", mutual_tls_enforced: "skip", plaintext_refused: "skip",
        });
        expect(check(r, "handshake")?.detail).toBe("no TLS session: no answer within 5000 ms");
        expect(r.certificate).toBeNull();
        expect(r.chain).toEqual([]);
        expect(r.tls12CipherSuites).toBeNull();
    });
});

describe("exit status", () => {
    const endpoint = (o: Partial<Observation>) => evaluate(target(), observation(o), RULES);
    it.each([
        ["all good", [endpoint({})], 0, "ok"],
        ["a warning", [endpoint({}), endpoint({ session: goodSession({ certificate: certificate(20) }) })], 1, "warn"],
        ["a warning and a failure", [endpoint({ session: goodSession({ certificate: certificate(20) }) }), endpoint({ session: goodSession({ certificate: certificate(5) }) })], 2, "fail"],
        ["a CBC suite offered", [endpoint({ cipherSuites: { probed: true, accepted: [{ ...PROFILE_SUITE, name: "ECDHE-ECDSA-AES128-SHA", encryption: "AES(128)", mac: "SHA1" }], refused: 88, undetermined: [], notOfferable: [], candidates: 89, concurrency: 8, ms: 150 } })], 2, "fail"],
        ["a trust anchor 30 days from expiry", [endpoint({ session: goodSession({ chain: [{ ...certificate(89), source: "served", isCa: false }, { ...certificate(30), source: "trust anchor", isCa: true }] }) })], 2, "fail"],
    ] as const)("%s: exit %d", (_, endpoints, exitCode, status) => {
        expect(buildReport(endpoints, NOW)).toMatchObject({ exitCode, status, checkedAt: "2026-03-01T00:00:00.000Z" });
    });
});
