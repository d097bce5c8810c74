import * as tls from "node:tls";
import { describe, expect, it } from "vitest";
import { TLS12_CIPHERS } from "../../components/shared/tlsProfile";
import { cipherSuitesCheck, classifySuite, listTls12Suites, managedServiceOf, parseOpensslCiphers } from "../../tools/verify/ciphers";
import type { CipherSuite, Observation, VersionOutcome } from "../../tools/verify/types";

// Which TLS 1.2 suite is forward secret, CBC, in the profile: from `openssl ciphers -V -stdname` lines
// as OpenSSL 3.0 prints them (copied from this machine's `openssl ciphers -V -stdname -s -tls1_2 ALL`).
const LINES = `
          0xC0,0x2B - TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256        - ECDHE-ECDSA-AES128-GCM-SHA256  TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESGCM(128)            Mac=AEAD
          0xCC,0xA8 - TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256    - ECDHE-RSA-CHACHA20-POLY1305    TLSv1.2 Kx=ECDH     Au=RSA   Enc=CHACHA20/POLY1305(256) Mac=AEAD
          0xC0,0x13 - TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA             - ECDHE-RSA-AES128-SHA           TLSv1   Kx=ECDH     Au=RSA   Enc=AES(128)               Mac=SHA1
          0xC0,0x27 - TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256          - ECDHE-RSA-AES128-SHA256        TLSv1.2 Kx=ECDH     Au=RSA   Enc=AES(128)               Mac=SHA256
          0x00,0x2F - TLS_RSA_WITH_AES_128_CBC_SHA                   - AES128-SHA                     SSLv3   Kx=RSA      Au=RSA   Enc=AES(128)               Mac=SHA1
          0x00,0x9C - TLS_RSA_WITH_AES_128_GCM_SHA256                - AES128-GCM-SHA256              TLSv1.2 Kx=RSA      Au=RSA   Enc=AESGCM(128)            Mac=AEAD
          0x00,0x9E - TLS_DHE_RSA_WITH_AES_128_GCM_SHA256            - DHE-RSA-AES128-GCM-SHA256      TLSv1.2 Kx=DH       Au=RSA   Enc=AESGCM(128)            Mac=AEAD
          0xC0,0x76 - TLS_ECDHE_RSA_WITH_CAMELLIA_128_CBC_SHA256     - ECDHE-RSA-CAMELLIA128-SHA256   TLSv1.2 Kx=ECDH     Au=RSA   Enc=Camellia(128)          Mac=SHA256
          0xC0,0xAC - TLS_ECDHE_ECDSA_WITH_AES_128_CCM               - ECDHE-ECDSA-AES128-CCM         TLSv1.2 Kx=ECDH     Au=ECDSA Enc=AESCCM(128)            Mac=AEAD
          0x00,0xA6 - TLS_DH_anon_WITH_AES_128_GCM_SHA256            - ADH-AES128-GCM-SHA256          TLSv1.2 Kx=DH       Au=None  Enc=AESGCM(128)            Mac=AEAD
          0xC0,0x10 - TLS_ECDHE_RSA_WITH_NULL_SHA                    - ECDHE-RSA-NULL-SHA             TLSv1   Kx=ECDH     Au=RSA   Enc=None                   Mac=SHA1
          0x13,0x01 - TLS_AES_128_GCM_SHA256                         - TLS_AES_128_GCM_SHA256         TLSv1.3 Kx=any      Au=any   Enc=AESGCM(128)            Mac=AEAD
`;
const SUITES = parseOpensslCiphers(LINES);
const suite = (name: string): CipherSuite => SUITES.find((s) => s.name === name)!;

describe("parseOpensslCiphers", () => {
    it("reads every TLS 1.2 line, columns as OpenSSL names them, and drops TLS 1.3 suites", () => {
        expect(SUITES).toHaveLength(11);
        expect(suite("ECDHE-RSA-AES128-SHA")).toEqual({
            id: "0xC0,0x13", standardName: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", name: "ECDHE-RSA-AES128-SHA", keyExchange: "ECDH", authentication: "RSA", encryption: "AES(128)", mac: "SHA1",
        });
        expect(SUITES.map((s) => s.name)).not.toContain("TLS_AES_128_GCM_SHA256");
    });

    it("refuses output without any suite (a changed format must not pass as 'nothing offered')", () => {
        expect(() => parseOpensslCiphers("Error in cipher list\n")).toThrow(/^no TLS 1\.2 suite in the output of openssl ciphers -V -stdname -s -tls1_2 ALL:COMPLEMENTOFALL:@SECLEVEL=0/);
    });
});

describe("classifySuite", () => {
    it.each([
        ["ECDHE-ECDSA-AES128-GCM-SHA256", true, false, true, []],
        ["ECDHE-RSA-CHACHA20-POLY1305", true, false, true, []],
        ["ECDHE-RSA-AES128-SHA", true, true, false, ["CBC (AES(128) with HMAC-SHA1)", "outside the profile"]],
        ["ECDHE-RSA-AES128-SHA256", true, true, false, ["CBC (AES(128) with HMAC-SHA256)", "outside the profile"]],
        ["AES128-SHA", false, true, false, ["no forward secrecy (RSA key exchange)", "CBC (AES(128) with HMAC-SHA1)", "outside the profile"]],
        ["AES128-GCM-SHA256", false, false, false, ["no forward secrecy (RSA key exchange)", "outside the profile"]],
        ["DHE-RSA-AES128-GCM-SHA256", true, false, false, ["outside the profile"]],
        ["ECDHE-RSA-CAMELLIA128-SHA256", true, true, false, ["CBC (Camellia(128) with HMAC-SHA256)", "outside the profile"]],
        ["ECDHE-ECDSA-AES128-CCM", true, false, false, ["outside the profile"]],
        ["ADH-AES128-GCM-SHA256", true, false, false, ["no server authentication (anonymous)", "outside the profile"]],
        ["ECDHE-RSA-NULL-SHA", true, false, false, ["no encryption", "outside the profile"]],
    ] as const)("%s: forward secret %s, CBC %s, in the profile %s", (name, forwardSecrecy, cbc, inProfile, problems) => {
        expect(classifySuite(suite(name))).toEqual({ name, standardName: suite(name).standardName, forwardSecrecy, cbc, inProfile, problems });
    });

    it("finds every suite of the profile in this machine's OpenSSL, forward secret, AEAD and without problems", async () => {
        const local = await listTls12Suites();
        for (const name of TLS12_CIPHERS) {
            const found = local.find((s) => s.name === name);
            expect(found, name).toBeDefined();
            expect(classifySuite(found!), name).toMatchObject({ forwardSecrecy: true, cbc: false, inProfile: true, problems: [] });
        }
        // Far more than node's tls.getCiphers() (OpenSSL's DEFAULT): CAMELLIA, ARIA, CCM, anonymous and NULL suites too.
        expect(local.length).toBeGreaterThan(80);
        expect(local.map((s) => s.name)).toEqual(expect.arrayContaining(["ECDHE-RSA-CAMELLIA128-SHA256", "ECDHE-ARIA128-GCM-SHA256", "ADH-AES128-GCM-SHA256", "NULL-SHA256", "AES128-SHA"]));
        expect(tls.getCiphers()).not.toContain("ecdhe-rsa-camellia128-sha256");
    });
});

describe("cipherSuitesCheck", () => {
    const accepted: VersionOutcome = { result: "accepted", detail: "TLSv1.2 with ECDHE-RSA-AES128-GCM-SHA256" };
    const observation = (cipherSuites: Observation["cipherSuites"], tls12: VersionOutcome = accepted): Observation => ({
        versions: { TLSv1: { result: "refused", detail: "" }, "TLSv1.1": { result: "refused", detail: "" }, "TLSv1.2": tls12, "TLSv1.3": accepted },
        session: { established: false, error: "x" },
        withoutClientCertificate: null,
        plaintext: { verdict: "refused", detail: "" },
        cipherSuites,
    });
    const probed = (names: string[], over: Partial<Extract<Observation["cipherSuites"], { probed: true }>> = {}) =>
        observation({ probed: true, accepted: names.map(suite), refused: 80, undetermined: [], notOfferable: [], candidates: 85, concurrency: 8, ms: 412, ...over });

    it("passes a server that offers only profile suites, naming them and the time taken", () => {
        expect(cipherSuitesCheck(probed(["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-CHACHA20-POLY1305"])).check).toEqual({
            id: "tls12_cipher_suites", status: "ok", detail: "offers only profile suites: ECDHE-ECDSA-AES128-GCM-SHA256, ECDHE-RSA-CHACHA20-POLY1305 (85 suites probed in 412 ms, 8 at a time)",
        });
    });

    it("fails naming each bad suite and why", () => {
        const r = cipherSuitesCheck(probed(["ECDHE-RSA-CHACHA20-POLY1305", "ECDHE-RSA-AES128-SHA", "AES128-GCM-SHA256"]));
        expect(r.check).toEqual({
            id: "tls12_cipher_suites", status: "fail",
            detail: "offers ECDHE-RSA-AES128-SHA (CBC (AES(128) with HMAC-SHA1), outside the profile); AES128-GCM-SHA256 (no forward secrecy (RSA key exchange), outside the profile) (85 suites probed in 412 ms, 8 at a time)",
        });
        expect(r.offered?.offered.map((v) => [v.name, v.forwardSecrecy, v.cbc, v.inProfile])).toEqual([
            ["ECDHE-RSA-CHACHA20-POLY1305", true, false, true], ["ECDHE-RSA-AES128-SHA", true, true, false], ["AES128-GCM-SHA256", false, false, false],
        ]);
    });

    it("warns instead of failing for an endpoint AWS runs (ElastiCache, RDS), naming AWS; fails the same suites anywhere else", () => {
        const bad = probed(["ECDHE-RSA-AES128-SHA", "AES128-GCM-SHA256"]);
        const managed = cipherSuitesCheck(bad, undefined, managedServiceOf("master.payments.abc123.euw1.cache.amazonaws.com"));
        expect(managed.check.status).toBe("warn");
        expect(managed.check.detail).toMatch(/^offers ECDHE-RSA-AES128-SHA .*; AWS runs this endpoint and chooses its suites, which this stack does not set$/);
        expect(managedServiceOf("payments.c9akciq32.eu-west-1.rds.amazonaws.com")).toBe("AWS");
        for (const host of ["db.internal", "127.0.0.1", "amazonaws.com.example.org", "evil-amazonaws.com"]) {
            expect(managedServiceOf(host), host).toBeUndefined();
            expect(cipherSuitesCheck(bad, undefined, managedServiceOf(host)).check.status, host).toBe("fail");
        }
    });

    it("fails a suite outside the configured profile even when it is forward secret and AEAD", () => {
        expect(cipherSuitesCheck(probed(["DHE-RSA-AES128-GCM-SHA256"])).check.status).toBe("fail");
        expect(cipherSuitesCheck(probed(["DHE-RSA-AES128-GCM-SHA256"]), ["DHE-RSA-AES128-GCM-SHA256"]).check.status).toBe("ok");
    });

    it("warns when some suites got no verdict, fails when the suites could not be listed, skips when the server was not reached", () => {
        expect(cipherSuitesCheck(probed([], { undetermined: [{ suite: "AES128-SHA", detail: "no answer within 5000 ms" }] })).check).toMatchObject({ status: "warn", detail: expect.stringMatching(/^could not tell for 1 suites \(AES128-SHA: no answer within 5000 ms\); offers no TLS 1\.2 suite/) });
        expect(cipherSuitesCheck(observation({ probed: false, detail: "cannot list the TLS 1.2 suites to probe (...): `openssl` is not on PATH" })).check).toMatchObject({ status: "fail" });
        expect(cipherSuitesCheck(observation({ probed: false, detail: "not probed" }, { result: "error", detail: "connection refused" })).check).toMatchObject({ status: "skip" });
    });
});
