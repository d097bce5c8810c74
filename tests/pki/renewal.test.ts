import * as crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, planCertificate, valueOf, type ProviderEmulator, type RegisteredResource } from "../emulator";
import { locallySignedCert, selfSignedCert } from "../emulator/tls";

// The engine's side of renewal cannot run here (no Pulumi CLI); what can be shown is that the
// components give the provider the inputs that make its plan replace certificates at the right time,
// and that what the provider would then issue is right. planCertificate models the provider's plan.

const T0 = new Date("2026-03-01T00:00:00Z");
const DAY = 86_400_000;
const at = (days: number) => new Date(T0.getTime() + days * DAY);
let clock = T0;
let emulator: ProviderEmulator;
let ca: RegisteredResource;
let leaf: RegisteredResource;

beforeAll(async () => {
    emulator = await installEmulator({ now: () => clock });
    const { CertificateAuthority, Certificate } = await import("../../components");
    const authority = new CertificateAuthority("ca", { commonName: "renewal CA" });
    const server = new Certificate("db", { ca: authority, commonName: "db", dnsNames: ["db.internal"] });
    await valueOf(server.certPem);
    ca = emulator.get("tls:index/selfSignedCert:SelfSignedCert", "ca-cert");
    leaf = emulator.get("tls:index/locallySignedCert:LocallySignedCert", "db-cert");
});

describe("leaf renewal", () => {
    it("leaves a 90-day leaf alone for its first 60 days", () => {
        expect(planCertificate(leaf, leaf.inputs, at(59.9))).toEqual({ replace: false, reasons: [] });
    });

    it("replaces it on the first `pulumi up` inside its last 30 days", () => {
        expect(planCertificate(leaf, leaf.inputs, at(60)).reasons).toEqual(["ready_for_renewal: 2026-04-30T00:00:00Z is within 720h of 2026-05-30T00:00:00Z"]);
        expect(planCertificate(leaf, leaf.inputs, at(89)).replace).toBe(true);
    });
});

describe("CA renewal", () => {
    it("replaces the three-year CA 180 days before it expires, not before", () => {
        expect(planCertificate(ca, ca.inputs, at(914)).replace).toBe(false);
        expect(planCertificate(ca, ca.inputs, at(915)).replace).toBe(true);
    });

    it("re-issues every leaf under a new CA: the leaf takes the CA's PEM as an input, which forces replacement", async () => {
        expect(leaf.inputs.caCertPem).toBe(ca.state.certPem);
        clock = at(915);
        const newCa = await selfSignedCert("ca-cert", ca.inputs, clock); // the provider's replacement, same inputs
        const inputs = { ...leaf.inputs, caCertPem: newCa.certPem };
        // On its own (a day after issue, far from its window) the leaf is replaced for the new CA alone.
        expect(planCertificate(leaf, inputs, at(1)).reasons).toEqual(["caCertPem changed"]);

        const reissued = await locallySignedCert("db-cert", inputs, clock);
        const cert = new crypto.X509Certificate(reissued.certPem as string);
        expect(cert.checkIssued(new crypto.X509Certificate(newCa.certPem as string))).toBe(true);
        expect(cert.verify(new crypto.X509Certificate(newCa.certPem as string).publicKey)).toBe(true);
        // The CA's key resource is not replaced, only its certificate: clients still holding the old CA
        // certificate (same subject, same key) keep verifying re-issued leaves until they get the new one.
        expect(cert.verify(new crypto.X509Certificate(ca.state.certPem).publicKey)).toBe(true);
        expect(Date.parse(newCa.validityEndTime as string) - Date.parse(ca.state.validityEndTime)).toBe(915 * DAY);
        expect(reissued.validityStartTime).toBe("2028-09-01T00:00:00Z");
        expect(cert.subjectAltName).toBe("DNS:db.internal");
    });
});
