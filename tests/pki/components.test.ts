import * as crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, rejectedBeforeCreating, valueOf, type ProviderEmulator } from "../emulator";

let emulator: ProviderEmulator;
let pki: typeof import("../../components");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pki-"));
const file = (name: string, content: string) => (fs.writeFileSync(path.join(tmp, name), content), path.join(tmp, name));
const openssl = (...args: string[]) => execFileSync("openssl", args, { encoding: "utf8" });
const DAY = 86_400_000;

beforeAll(async () => {
    emulator = await installEmulator();
    pki = await import("../../components");
});

const TLS = {
    key: "tls:index/privateKey:PrivateKey",
    selfSigned: "tls:index/selfSignedCert:SelfSignedCert",
    csr: "tls:index/certRequest:CertRequest",
    signed: "tls:index/locallySignedCert:LocallySignedCert",
};

describe("CertificateAuthority", () => {
    it("creates an explicit P-256 key and a self-signed CA certificate with the provider's snake_case uses", async () => {
        const ca = new pki.CertificateAuthority("ca1", { commonName: "Example Root", organization: "Example" });
        await valueOf(ca.certPem);
        expect(emulator.get(TLS.key, "ca1-key").inputs).toEqual({ algorithm: "ECDSA", ecdsaCurve: "P256" });
        expect(emulator.get(TLS.selfSigned, "ca1-cert").inputs).toMatchObject({
            isCaCertificate: true,
            allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
            setSubjectKeyId: true,
            setAuthorityKeyId: true,
            subject: { commonName: "Example Root", organization: "Example" },
            validityPeriodHours: 1095 * 24,
            earlyRenewalHours: 180 * 24,
        });
        expect(emulator.get(TLS.selfSigned, "ca1-cert").secretInputs).toEqual(["privateKeyPem"]);
    });

    it("marks its private key secret and is a real CA: CA:TRUE, keyCertSign, cRLSign, three years", async () => {
        const ca = new pki.CertificateAuthority("ca2", { commonName: "Root 2" });
        expect(await pulumi.isSecret(ca.privateKeyPem)).toBe(true);
        expect(await pulumi.isSecret(ca.certPem)).toBe(false);
        const x = new crypto.X509Certificate(await valueOf(ca.certPem));
        expect(x.ca).toBe(true);
        expect(x.subject).toBe("CN=Root 2");
        expect(Math.round((Date.parse(x.validTo) - Date.parse(x.validFrom)) / DAY)).toBe(1095);
        expect(openssl("x509", "-in", file("ca2.pem", x.toString()), "-noout", "-ext", "keyUsage,basicConstraints")).toMatch(/Key Usage: critical\s+Digital Signature, Certificate Sign, CRL Sign[\s\S]*CA:TRUE/);
        expect(x.checkPrivateKey(crypto.createPrivateKey(await valueOf(ca.privateKeyPem)))).toBe(true);
    });
});

describe("Certificate", () => {
    it("passes the children exactly what the provider needs: P-256, a CSR with SANs, EKU by purpose, 90/30 days", async () => {
        const ca = new pki.CertificateAuthority("ca3", { commonName: "Root 3" });
        const leaf = new pki.Certificate("api", { ca, commonName: "api", dnsNames: ["api.internal"], ipAddresses: ["127.0.0.1"] });
        await valueOf(leaf.certPem);
        expect(emulator.get(TLS.key, "api-key").inputs).toEqual({ algorithm: "ECDSA", ecdsaCurve: "P256" });
        expect(emulator.get(TLS.csr, "api-csr").inputs).toMatchObject({ subject: { commonName: "api" }, dnsNames: ["api.internal"], ipAddresses: ["127.0.0.1"] });
        expect(emulator.get(TLS.signed, "api-cert").inputs).toMatchObject({
            allowedUses: ["digital_signature", "server_auth"],
            setSubjectKeyId: true,
            validityPeriodHours: 90 * 24,
            earlyRenewalHours: 30 * 24,
        });
        expect(emulator.get(TLS.signed, "api-cert").secretInputs).toEqual(["caPrivateKeyPem"]);
    });

    it("leaves empty SAN lists out of the CSR (an empty list makes the provider replace it every run)", async () => {
        const ca = new pki.CertificateAuthority("ca4", { commonName: "Root 4" });
        const leaf = new pki.Certificate("app", { ca, commonName: "app", purpose: "client" });
        await valueOf(leaf.certPem);
        const inputs = emulator.get(TLS.csr, "app-csr").inputs;
        expect(inputs).not.toHaveProperty("dnsNames");
        expect(inputs).not.toHaveProperty("ipAddresses");
        expect(emulator.get(TLS.signed, "app-cert").inputs.allowedUses).toEqual(["digital_signature", "client_auth"]);
    });

    it("adds key_encipherment only to RSA certificates, and makes the key it is asked for", async () => {
        const ca = new pki.CertificateAuthority("ca5", { commonName: "Root 5" });
        const leaf = new pki.Certificate("legacy", { ca, commonName: "legacy", purpose: "both", dnsNames: ["legacy"], keyAlgorithm: "RSA", rsaBits: 3072 });
        const x = new crypto.X509Certificate(await valueOf(leaf.certPem));
        expect(emulator.get(TLS.key, "legacy-key").inputs).toEqual({ algorithm: "RSA", rsaBits: 3072 });
        expect(emulator.get(TLS.signed, "legacy-cert").inputs.allowedUses).toEqual(["digital_signature", "key_encipherment", "server_auth", "client_auth"]);
        expect(x.publicKey.asymmetricKeyType).toBe("rsa");
        expect(x.publicKey.asymmetricKeyDetails?.modulusLength).toBe(3072);
        expect(x.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
    });

    it("outputs a verifiable leaf, its secret key, the CA, a full chain and the expiry", async () => {
        const ca = new pki.CertificateAuthority("ca6", { commonName: "Root 6" });
        const leaf = new pki.Certificate("web", { ca, commonName: "web", dnsNames: ["web.internal", "localhost"], ipAddresses: ["127.0.0.1", "::1"], ecdsaCurve: "P384" });
        const [certPem, keyPem, caPem, chain, end] = await Promise.all([leaf.certPem, leaf.privateKeyPem, leaf.caCertPem, leaf.fullChainPem, leaf.validityEndTime].map(valueOf));
        expect(await pulumi.isSecret(leaf.privateKeyPem)).toBe(true);
        expect(caPem).toBe(await valueOf(ca.certPem));
        expect(chain).toBe(certPem! + caPem!);
        const leafFile = file("web.pem", certPem!);
        expect(openssl("verify", "-CAfile", file("ca6.pem", caPem!), leafFile).trim()).toBe(`${leafFile}: OK`);
        expect(openssl("verify", "-CAfile", file("ca6b.pem", caPem!), "-untrusted", file("chain.pem", chain!), leafFile).trim()).toBe(`${leafFile}: OK`);
        const x = new crypto.X509Certificate(certPem!);
        expect(x.ca).toBe(false);
        expect(x.subjectAltName).toBe("DNS:web.internal, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
        expect(x.checkHost("web.internal")).toBe("web.internal");
        expect(x.checkHost("other.internal")).toBeUndefined();
        expect(x.checkIP("127.0.0.1")).toBe("127.0.0.1");
        expect(x.publicKey.asymmetricKeyDetails?.namedCurve).toBe("secp384r1");
        expect(x.checkPrivateKey(crypto.createPrivateKey(keyPem!))).toBe(true);
        expect(Math.round((Date.parse(x.validTo) - Date.parse(x.validFrom)) / DAY)).toBe(90);
        expect(Date.parse(end!)).toBe(Date.parse(x.validTo));
        expect(Date.parse(x.validFrom)).toBeLessThanOrEqual(Date.now());
    });
});

describe("bad input", () => {
    it("throws one error listing every problem, before any child exists", async () => {
        const ca = { certPem: pulumi.output("x"), privateKeyPem: pulumi.output("y") };
        const e = await rejectedBeforeCreating(emulator, () => new pki.Certificate("broken", { ca, commonName: "x".repeat(65), keyAlgorithm: "RSA", rsaBits: 1024, validityDays: 400 }));
        expect(e.message.split("\n")[0]).toBe('Certificate "broken": 4 problems:');
        expect(e.errors.map((d) => d.propertyPath)).toEqual(["rsaBits", "commonName", "validityDays", "dnsNames"]);
    });
});
