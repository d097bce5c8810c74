import * as crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { runRolloverPhases, type RolloverPhase } from "./fixture";

// The README's CA key rollover, one program run per phase, each continuing the last as a stack does
// (ContinuingEmulator: unchanged inputs keep their outputs). What each `pulumi up` creates is what the
// runbook says it changes, and the certificates chain as each phase needs.

const KEY = "tls:index/privateKey:PrivateKey";
const CA_CERT = "tls:index/selfSignedCert:SelfSignedCert";
const LEAF = "tls:index/locallySignedCert:LocallySignedCert";
const CSR = "tls:index/certRequest:CertRequest";

let phases: RolloverPhase[];
beforeAll(async () => {
    phases = await runRolloverPhases();
});

const x509 = (pem: string) => new crypto.X509Certificate(pem);
const subjects = (bundle: string) => (bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((pem) => x509(pem).subject);
const created = (phase: RolloverPhase) => phase.created.filter((k) => !k.startsWith("tls-platform:")).sort();

describe("one config change and one `pulumi up` per phase", () => {
    it("phase 1 (generations [1, 2]) creates only generation 2's key and certificate: the bundle grows, nothing is re-issued", () => {
        const [before, trust] = [phases[0]!, phases[1]!];
        expect(created(trust)).toEqual([`${KEY}::platform-ca-gen2-key`, `${CA_CERT}::platform-ca-gen2-cert`].sort());
        expect(subjects(before.trustBundlePem)).toEqual(["CN=tls-platform rollover CA"]);
        expect(subjects(trust.trustBundlePem)).toEqual(["CN=tls-platform rollover CA", "CN=tls-platform rollover CA G2"]);
        expect(trust.caCertPem).toBe(before.caCertPem);
        expect(trust.server.certPem).toBe(before.server.certPem);
        expect(trust.client.certPem).toBe(before.client.certPem);
    });

    it("phase 2 (issuingGeneration 2) re-issues every leaf from generation 2 and changes no CA resource", () => {
        const [trust, issue] = [phases[1]!, phases[2]!];
        expect(created(issue)).toEqual([`${LEAF}::server-cert`, `${LEAF}::client-cert`].sort());
        expect(issue.unchanged).toEqual(expect.arrayContaining([`${KEY}::platform-ca-key`, `${CA_CERT}::platform-ca-cert`, `${KEY}::platform-ca-gen2-key`, `${CA_CERT}::platform-ca-gen2-cert`, `${CSR}::server-csr`]));
        expect(issue.trustBundlePem).toBe(trust.trustBundlePem);
        expect(x509(issue.server.certPem).issuer).toBe("CN=tls-platform rollover CA G2");
        expect(x509(issue.server.certPem).verify(x509(issue.caCertPem).publicKey)).toBe(true);
        // The leaf keeps its key: only the signature (and issuer) changed.
        expect(x509(issue.server.certPem).publicKey.export({ format: "der", type: "spki" })).toEqual(x509(trust.server.certPem).publicKey.export({ format: "der", type: "spki" }));
    });

    it("phase 3 (generations [2]) creates nothing and leaves the bundle with generation 2 alone; the leaves stay as phase 2 issued them", () => {
        const [issue, drop] = [phases[2]!, phases[3]!];
        expect(created(drop)).toEqual([]);
        expect(subjects(drop.trustBundlePem)).toEqual(["CN=tls-platform rollover CA G2"]);
        expect(drop.trustBundlePem).toBe(issue.caCertPem);
        expect(drop.server.certPem).toBe(issue.server.certPem);
        expect(drop.client.certPem).toBe(issue.client.certPem);
    });

    it("each phase's leaves verify against that phase's bundle; generation 1's leaves fail against phase 3's", () => {
        for (const phase of phases) {
            for (const leaf of [phase.server, phase.client]) {
                const issuers = subjects(phase.trustBundlePem);
                expect(issuers).toContain(x509(leaf.certPem).issuer);
            }
        }
        expect(subjects(phases[3]!.trustBundlePem)).not.toContain(x509(phases[1]!.server.certPem).issuer);
    });
});
