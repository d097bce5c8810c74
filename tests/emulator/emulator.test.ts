import * as crypto from "node:crypto";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { ProviderEmulator, ProviderError, planCertificate } from ".";
import { container } from "./docker";
import { DEFAULT_SPECIAL, LOWER, NUMERIC, UPPER, randomPassword } from "./random";
import { certRequest, locallySignedCert, privateKey, selfSignedCert } from "./tls";

const NOW = new Date("2026-01-01T00:00:00Z");
const tmp = fs.mkdtempSync(path.join(os.tmpdir(), "emulator-"));
const file = (name: string, content: string) => {
    const p = path.join(tmp, name);
    fs.writeFileSync(p, content);
    return p;
};
const openssl = (...args: string[]) => execFileSync("openssl", args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });

async function caPair(curve = "P256") {
    const key = await privateKey("ca-key", { algorithm: "ECDSA", ecdsaCurve: curve });
    const cert = await selfSignedCert(
        "ca",
        {
            privateKeyPem: key.privateKeyPem,
            isCaCertificate: true,
            allowedUses: ["cert_signing", "crl_signing"],
            setSubjectKeyId: true,
            subject: { commonName: "Emulator Root", organization: "tests" },
            validityPeriodHours: 24 * 365,
            earlyRenewalHours: 24 * 30,
        },
        NOW,
    );
    return { key: key.privateKeyPem as string, cert: cert.certPem as string, state: cert };
}

describe("tls:index/privateKey", () => {
    it.each([
        ["ECDSA", { ecdsaCurve: "P256" }, "ec", { namedCurve: "prime256v1" }],
        ["ECDSA", { ecdsaCurve: "P384" }, "ec", { namedCurve: "secp384r1" }],
        ["RSA", { rsaBits: 3072 }, "rsa", { modulusLength: 3072 }],
        ["ED25519", {}, "ed25519", {}],
    ])("makes a real %s key %j", async (algorithm, extra, type, details) => {
        const state = await privateKey("k", { algorithm, ...extra });
        const key = crypto.createPrivateKey(state.privateKeyPem as string);
        expect(key.asymmetricKeyType).toBe(type);
        expect(key.asymmetricKeyDetails).toMatchObject(details);
        expect(crypto.createPublicKey(key).export({ type: "spki", format: "pem" })).toBe(state.publicKeyPem);
        expect(crypto.createPrivateKey(state.privateKeyPemPkcs8 as string).equals(key)).toBe(true);
    });

    it("emits the provider's PEM flavours: PKCS#1 for RSA, SEC1 for ECDSA", async () => {
        expect((await privateKey("r", { algorithm: "RSA" })).privateKeyPem).toMatch(/^-----BEGIN RSA PRIVATE KEY-----/);
        expect((await privateKey("e", { algorithm: "ECDSA", ecdsaCurve: "P256" })).privateKeyPem).toMatch(/^-----BEGIN EC PRIVATE KEY-----/);
    });

    it("defaults ECDSA to the provider's P224 and RSA to 2048 bits, as the real provider does", async () => {
        const ec = await privateKey("e", { algorithm: "ECDSA" });
        expect(ec.ecdsaCurve).toBe("P224");
        expect(crypto.createPrivateKey(ec.privateKeyPem as string).asymmetricKeyDetails?.namedCurve).toBe("secp224r1");
        expect((await privateKey("r", { algorithm: "RSA" })).rsaBits).toBe(2048);
    });

    it.each([
        [{}, 'Missing required argument: The argument "algorithm" is required, but no definition was found.'],
        [{ algorithm: "DSA" }, 'Invalid Attribute Value Match: Attribute algorithm value must be one of: ["RSA","ECDSA","ED25519"], got: "DSA"'],
        [{ algorithm: "ECDSA", ecdsaCurve: "P-256" }, 'Invalid Attribute Value Match: Attribute ecdsa_curve value must be one of: ["P224","P256","P384","P521"], got: "P-256"'],
    ])("rejects %j like the provider", async (inputs, message) => {
        await expect(privateKey("bad", inputs)).rejects.toThrow(message);
    });
});

describe("tls:index/selfSignedCert", () => {
    it("issues a real CA certificate that openssl reads as CA:TRUE with keyCertSign, cRLSign and a subject key id", async () => {
        const { cert, state } = await caPair();
        const text = openssl("x509", "-in", file("ca.pem", cert), "-noout", "-text");
        expect(text).toMatch(/CA:TRUE/);
        expect(text).toMatch(/Certificate Sign, CRL Sign/);
        expect(text).toMatch(/Subject Key Identifier/);
        expect(text).toMatch(/Subject: O = tests, CN = Emulator Root/);
        expect(openssl("verify", "-CAfile", file("ca2.pem", cert), file("ca3.pem", cert))).toMatch(/OK/);
        const x = new crypto.X509Certificate(cert);
        expect(x.ca).toBe(true);
        expect(new Date(x.validTo).getTime()).toBe(NOW.getTime() + 365 * 86_400_000);
        expect(state.validityStartTime).toBe("2026-01-01T00:00:00Z");
        expect(state.validityEndTime).toBe("2027-01-01T00:00:00Z");
        expect(state.readyForRenewal).toBe(false);
        expect(cert.endsWith("-----END CERTIFICATE-----\n")).toBe(true);
    });

    it("rejects camelCase allowedUses, which mocks that echo inputs would let through", async () => {
        const key = await privateKey("k", { algorithm: "ECDSA", ecdsaCurve: "P256" });
        const attempt = selfSignedCert("ca", { privateKeyPem: key.privateKeyPem, allowedUses: ["certSigning"], validityPeriodHours: 1 }, NOW);
        await expect(attempt).rejects.toThrow(ProviderError);
        await expect(attempt).rejects.toThrow(/Attribute allowed_uses\[0\] value must be one of: \[.*"cert_signing".*\], got: "certSigning"/);
    });

    it("requires validityPeriodHours and allowedUses", async () => {
        const key = await privateKey("k", { algorithm: "ECDSA", ecdsaCurve: "P256" });
        await expect(selfSignedCert("ca", { privateKeyPem: key.privateKeyPem }, NOW)).rejects.toThrow(
            /"validity_period_hours" is required.*"allowed_uses" is required/,
        );
    });

    it("gives a CA a subject key id even unasked, as Go's template for a CA does (common_cert.go createCertificate), and a leaf none unasked", async () => {
        const key = await privateKey("k", { algorithm: "ECDSA", ecdsaCurve: "P256" });
        const base = { privateKeyPem: key.privateKeyPem, subject: { commonName: "ski" }, validityPeriodHours: 24 };
        const ca = await selfSignedCert("ca", { ...base, isCaCertificate: true, allowedUses: ["cert_signing"] }, NOW);
        expect(openssl("x509", "-in", file("ski-ca.pem", ca.certPem as string), "-noout", "-text")).toMatch(/Subject Key Identifier/);
        const leaf = await selfSignedCert("leaf", { ...base, allowedUses: ["server_auth"] }, NOW);
        expect(openssl("x509", "-in", file("ski-leaf.pem", leaf.certPem as string), "-noout", "-text")).not.toMatch(/Subject Key Identifier/);
    });

    it("reports readyForRenewal when early renewal covers the whole validity (the perpetual-replacement trap)", async () => {
        const key = await privateKey("k", { algorithm: "ECDSA", ecdsaCurve: "P256" });
        const state = await selfSignedCert("c", { privateKeyPem: key.privateKeyPem, allowedUses: ["digital_signature"], validityPeriodHours: 24, earlyRenewalHours: 24 }, NOW);
        expect(state.readyForRenewal).toBe(true);
    });
});

describe("tls:index/certRequest + tls:index/locallySignedCert", () => {
    it("signs a leaf that openssl verifies against the CA, with the CSR's subject and SANs and the requested EKUs", async () => {
        const ca = await caPair();
        const key = await privateKey("leaf-key", { algorithm: "RSA", rsaBits: 2048 });
        const csr = await certRequest("leaf-csr", { privateKeyPem: key.privateKeyPem, subject: { commonName: "db" }, dnsNames: ["db.internal", "localhost"], ipAddresses: ["127.0.0.1", "::1"] });
        expect(openssl("req", "-in", file("leaf.csr", csr.certRequestPem as string), "-noout", "-verify")).toBe("");
        const leaf = await locallySignedCert(
            "leaf",
            { certRequestPem: csr.certRequestPem, caCertPem: ca.cert, caPrivateKeyPem: ca.key, allowedUses: ["digital_signature", "key_encipherment", "server_auth", "client_auth"], validityPeriodHours: 2160, setSubjectKeyId: true },
            NOW,
        );
        const leafFile = file("leaf.pem", leaf.certPem as string);
        expect(openssl("verify", "-attime", String(NOW.getTime() / 1000), "-CAfile", file("leaf-ca.pem", ca.cert), leafFile).trim()).toBe(`${leafFile}: OK`);
        const x = new crypto.X509Certificate(leaf.certPem as string);
        expect(x.subject).toBe("CN=db");
        expect(x.subjectAltName).toBe("DNS:db.internal, DNS:localhost, IP Address:127.0.0.1, IP Address:0:0:0:0:0:0:0:1");
        expect(x.keyUsage).toEqual(["1.3.6.1.5.5.7.3.1", "1.3.6.1.5.5.7.3.2"]);
        expect(x.ca).toBe(false);
        expect(x.checkIssued(new crypto.X509Certificate(ca.cert))).toBe(true);
        const text = openssl("x509", "-in", leafFile, "-noout", "-text");
        expect(text).toMatch(/Digital Signature, Key Encipherment/);
        expect(text).toMatch(/Signature Algorithm: ecdsa-with-SHA256/);
        const caSki = /Subject Key Identifier:\s*\n\s*([0-9A-F:]+)/.exec(openssl("x509", "-in", file("ca4.pem", ca.cert), "-noout", "-text"))![1];
        expect(text).toContain(`Authority Key Identifier: \n                ${caSki}`);
        expect(leaf.caKeyAlgorithm).toBe("ECDSA");
        expect(leaf.validityEndTime).toBe("2026-04-01T00:00:00Z"); // 90 days after 2026-01-01
    });

    it("signs with SHA-384 under a P-384 CA, as Go's x509 does", async () => {
        const ca = await caPair("P384");
        const key = await privateKey("k", { algorithm: "ECDSA", ecdsaCurve: "P256" });
        const csr = await certRequest("c", { privateKeyPem: key.privateKeyPem, subject: { commonName: "x" }, dnsNames: ["x"] });
        const leaf = await locallySignedCert("l", { certRequestPem: csr.certRequestPem, caCertPem: ca.cert, caPrivateKeyPem: ca.key, allowedUses: ["server_auth"], validityPeriodHours: 1 }, NOW);
        expect(openssl("x509", "-in", file("p384.pem", leaf.certPem as string), "-noout", "-text")).toMatch(/Signature Algorithm: ecdsa-with-SHA384/);
    });

    it("refuses a CA key that does not match the CA certificate", async () => {
        const ca = await caPair();
        const other = await privateKey("other", { algorithm: "ECDSA", ecdsaCurve: "P256" });
        const csr = await certRequest("c", { privateKeyPem: other.privateKeyPem, subject: { commonName: "x" } });
        await expect(
            locallySignedCert("l", { certRequestPem: csr.certRequestPem, caCertPem: ca.cert, caPrivateKeyPem: other.privateKeyPem, allowedUses: ["server_auth"], validityPeriodHours: 1 }, NOW),
        ).rejects.toThrow("x509: provided PrivateKey doesn't match parent's PublicKey");
    });

    it("rejects a malformed IP SAN and a missing CA", async () => {
        const key = await privateKey("k", { algorithm: "ECDSA", ecdsaCurve: "P256" });
        await expect(certRequest("c", { privateKeyPem: key.privateKeyPem, ipAddresses: ["300.1.1.1"] })).rejects.toThrow('Invalid IP address: Failed to parse "300.1.1.1"');
        await expect(locallySignedCert("l", { certRequestPem: "x", allowedUses: [], validityPeriodHours: 1 }, NOW)).rejects.toThrow(/"ca_cert_pem" is required/);
    });
});

describe("renewal, as the provider plans it", () => {
    it("plans a replacement only once now is inside the early-renewal window", async () => {
        const ca = await caPair(); // 365 days, early renewal 30 days
        const previous = { inputs: { validityPeriodHours: 8760, earlyRenewalHours: 720 }, state: ca.state };
        const day = 86_400_000;
        expect(planCertificate(previous, previous.inputs, new Date(NOW.getTime() + 334 * day))).toEqual({ replace: false, reasons: [] });
        expect(planCertificate(previous, previous.inputs, new Date(NOW.getTime() + 335 * day)).reasons).toEqual([
            "ready_for_renewal: 2026-12-02T00:00:00Z is within 720h of 2027-01-01T00:00:00Z",
        ]);
    });

    it("plans a replacement for any changed argument but earlyRenewalHours", async () => {
        const ca = await caPair();
        const previous = { inputs: { caCertPem: "old", validityPeriodHours: 1 }, state: ca.state };
        expect(planCertificate(previous, { caCertPem: "new", validityPeriodHours: 1 }, NOW).reasons).toEqual(["caCertPem changed"]);
    });

    it("takes a new earlyRenewalHours in place, and reads the planned value for the renewal window (common_cert.go modifyPlanIfCertificateReadyForRenewal)", async () => {
        const ca = await caPair(); // 365 days from NOW, stored early renewal 30 days
        const previous = { inputs: { validityPeriodHours: 8760, earlyRenewalHours: 720 }, state: ca.state };
        const day100 = new Date(NOW.getTime() + 100 * 86_400_000);
        expect(planCertificate(previous, { ...previous.inputs, earlyRenewalHours: 1440 }, day100)).toEqual({ replace: false, reasons: [] });
        // 300 days in: outside the stored 30-day window, inside a newly planned 90-day one.
        const day300 = new Date(NOW.getTime() + 300 * 86_400_000);
        expect(planCertificate(previous, previous.inputs, day300).replace).toBe(false);
        expect(planCertificate(previous, { ...previous.inputs, earlyRenewalHours: 2160 }, day300).reasons).toEqual([
            "ready_for_renewal: 2026-10-28T00:00:00Z is within 2160h of 2027-01-01T00:00:00Z",
        ]);
    });
});

describe("random:index/randomPassword", () => {
    it("honours length, minimums and overrideSpecial over many draws", () => {
        for (let i = 0; i < 200; i++) {
            const { result } = randomPassword("p", { length: 32, overrideSpecial: "!&#$^<>-", minUpper: 2, minLower: 2, minNumeric: 2, minSpecial: 2 }) as { result: string };
            expect(result).toHaveLength(32);
            expect(result).toMatch(/^[A-Za-z0-9!&#$^<>-]+$/);
            expect(result.match(/[A-Z]/g)!.length).toBeGreaterThanOrEqual(2);
            expect(result.match(/[a-z]/g)!.length).toBeGreaterThanOrEqual(2);
            expect(result.match(/[0-9]/g)!.length).toBeGreaterThanOrEqual(2);
            expect(result.match(/[!&#$^<>-]/g)!.length).toBeGreaterThanOrEqual(2);
        }
    });

    it("uses only the enabled classes, and is random", () => {
        const a = randomPassword("p", { length: 40, special: false, upper: false }).result as string;
        expect(a).toMatch(new RegExp(`^[${LOWER}${NUMERIC}]{40}$`));
        expect(randomPassword("p", { length: 40 }).result).not.toBe(randomPassword("p", { length: 40 }).result);
        const all = Array.from({ length: 100 }, () => randomPassword("p", { length: 50 }).result).join("");
        for (const c of UPPER + LOWER + NUMERIC + DEFAULT_SPECIAL) {
            expect(all).toContain(c);
        }
    });

    it("rejects minimums that cannot fit the length", () => {
        expect(() => randomPassword("p", { length: 3, minUpper: 2, minNumeric: 2 })).toThrow("Attribute length value must be at least sum of min_upper + min_numeric, got: 3");
    });
});

describe("docker resources", () => {
    it("publishes a port without a host port on a free one, and never the same one twice", () => {
        const ports = Array.from({ length: 50 }, (_, i) => (container(`c${i}`, { image: "x", ports: [{ internal: 443, ip: "127.0.0.1" }] }).ports as Array<{ external: number }>)[0]!.external);
        expect(new Set(ports).size).toBe(50);
        ports.forEach((p) => expect(p).toBeGreaterThanOrEqual(32768));
    });

    it("keeps a given host port, and refuses `wait` without a healthcheck", () => {
        expect(container("c", { image: "x", ports: [{ internal: 443, external: 8443 }] }).ports).toEqual([{ ip: "0.0.0.0", protocol: "tcp", internal: 443, external: 8443 }]);
        expect(() => container("c", { image: "x", wait: true })).toThrow("you have supplied a 'wait' argument, but the container does not have a healthcheck defined");
    });
});

describe("the emulator as Pulumi mocks", () => {
    it("throws on a call it does not emulate", () => {
        expect(() => new ProviderEmulator().call({ token: "aws:index/getCallerIdentity:getCallerIdentity", inputs: {} })).toThrow(/no emulation for the call aws:index\/getCallerIdentity/);
    });

    it("unwraps secret inputs, records where they were, and gives other types a plausible id", async () => {
        const emulator = new ProviderEmulator({ now: () => NOW });
        const secret = { "4dabf18193072939515e22adb298388d": "1b47061264138c4ac30d75fd1eb44270", value: "hunter2" };
        const type = "aws:sns/topic:Topic";
        const result = await emulator.newResource({ type, name: "topic", inputs: { name: "topic", tags: [{ key: "x", value: secret }] }, custom: true });
        expect(result.id).toBe("topic-0");
        expect(emulator.get(type, "topic").inputs.tags[0].value).toBe("hunter2");
        expect(emulator.get(type, "topic").secretInputs).toEqual(["tags[0].value"]);
    });

    it("records provider failures so that a test can see a create the engine would fail", async () => {
        const emulator = new ProviderEmulator();
        await expect(emulator.newResource({ type: "tls:index/privateKey:PrivateKey", name: "k", inputs: { algorithm: "DSA" }, custom: true })).rejects.toThrow();
        expect(emulator.failures.map((f) => f.name)).toEqual(["k"]);
    });
});
