import { describe, expect, it } from "vitest";
import { CA_CERT, LEAF_CERT, changed } from "./fixtures";
import { UNKNOWN_STRING, resourcePolicy, validateResource } from "./harness";

const PRIVATE_KEY = "tls:index/privateKey:PrivateKey";
const LOCALLY_SIGNED = "tls:index/locallySignedCert:LocallySignedCert";
const SELF_SIGNED = "tls:index/selfSignedCert:SelfSignedCert";
const clean = { violations: [], notApplicable: false, unknownReads: [] };

describe("tls-key-strength (mandatory)", () => {
    const policy = resourcePolicy("tls-key-strength");
    const key = (props: Record<string, unknown>) => ({ type: PRIVATE_KEY, name: "db-tls-key", props });
    const curveFix = 'Set `ecdsaCurve: "P256"` or `"P384"`.';

    it.each([
        ["ECDSA P256 (the project's default)", { algorithm: "ECDSA", ecdsaCurve: "P256" }],
        ["ECDSA P384", { algorithm: "ECDSA", ecdsaCurve: "P384" }],
        ["RSA 2048", { algorithm: "RSA", rsaBits: 2048 }],
        ["RSA 3072", { algorithm: "RSA", rsaBits: 3072 }],
        ["RSA 4096", { algorithm: "RSA", rsaBits: 4096 }],
        ["RSA without rsaBits (the provider's default is 2048)", { algorithm: "RSA" }],
        ["a curve computed from another resource (preview)", { algorithm: "ECDSA", ecdsaCurve: UNKNOWN_STRING }],
    ])("passes %s", async (_title, props) => {
        expect(await validateResource(policy, key(props))).toEqual(clean);
    });

    it.each([
        ["RSA 1024", { algorithm: "RSA", rsaBits: 1024 }, '`rsaBits` is 1024: RSA keys need at least 2048 bits. Set `rsaBits` to 2048, 3072, 4096, or use `algorithm: "ECDSA"` with `ecdsaCurve: "P256"`.'],
        ["RSA 2560, a size the components refuse", { algorithm: "RSA", rsaBits: 2560 }, '`rsaBits` is 2560: not one of the sizes 2048, 3072, 4096. Set `rsaBits` to 2048, 3072, 4096, or use `algorithm: "ECDSA"` with `ecdsaCurve: "P256"`.'],
        ["ECDSA P521, a curve the components refuse", { algorithm: "ECDSA", ecdsaCurve: "P521" }, `\`ecdsaCurve\` is \`P521\`, not one of \`P256\`, \`P384\`. ${curveFix}`],
        ["ED25519, which the components refuse", { algorithm: "ED25519" }, "`algorithm` is `ED25519`: use `ECDSA` (with `ecdsaCurve` P256 or P384) or `RSA` (2048, 3072, 4096 bits)."],
        [
            "ECDSA without a curve (the provider's default is P224)",
            { algorithm: "ECDSA" },
            `\`ecdsaCurve\` is not set, so the provider uses its default \`P224\`, which TLS 1.3 has no signature scheme for (RFC 8446 §4.2.3) and which gives only 112-bit security. ${curveFix}`,
        ],
        ["ECDSA P224", { algorithm: "ECDSA", ecdsaCurve: "P224" }, `\`ecdsaCurve\` is \`P224\`, which TLS 1.3 has no signature scheme for (RFC 8446 §4.2.3) and which gives only 112-bit security. ${curveFix}`],
        ["a curve the provider does not know", { algorithm: "ECDSA", ecdsaCurve: "secp256k1" }, `\`ecdsaCurve\` is \`secp256k1\`, not one of \`P256\`, \`P384\`. ${curveFix}`],
        ["an unknown algorithm", { algorithm: "DSA" }, "`algorithm` is `DSA`: use `ECDSA` (with `ecdsaCurve` P256 or P384) or `RSA` (2048, 3072, 4096 bits)."],
    ])("reports %s", async (_title, props, message) => {
        expect((await validateResource(policy, key(props))).violations).toEqual([message]);
    });
});

describe("tls-leaf-validity (mandatory)", () => {
    const policy = resourcePolicy("tls-leaf-validity");
    const leaf = (changes: Record<string, unknown>) => ({ type: LOCALLY_SIGNED, name: "db-tls-cert", props: changed(LEAF_CERT, changes) });

    it.each([
        ["the project's 90-day leaf", {}],
        ["exactly 398 days", { validityPeriodHours: 398 * 24 }],
        ["an intermediate CA of five years (isCaCertificate)", { validityPeriodHours: 5 * 365 * 24, earlyRenewalHours: 180 * 24, isCaCertificate: true }],
        ["a client-only certificate of ten years (what a component accepts for purpose client)", { validityPeriodHours: 3650 * 24, allowedUses: ["digital_signature", "client_auth"] }],
    ])("passes %s", async (_title, changes) => {
        expect(await validateResource(policy, leaf(changes))).toEqual(clean);
    });

    it.each([
        [
            "399 days",
            { validityPeriodHours: 399 * 24 },
            "`validityPeriodHours` is 9576 (399 days): a leaf certificate may be valid for at most 398 days (CA/Browser Forum baseline requirements §6.3.2). Set `validityPeriodHours` to 9552 or less; this project's leaves default to 90 days (2160 hours).",
        ],
        [
            "one hour past 398 days",
            { validityPeriodHours: 9553 },
            "`validityPeriodHours` is 9553 (398 days 1 hour): a leaf certificate may be valid for at most 398 days (CA/Browser Forum baseline requirements §6.3.2). Set `validityPeriodHours` to 9552 or less; this project's leaves default to 90 days (2160 hours).",
        ],
        [
            "a leaf marked not-CA explicitly, for ten years",
            { validityPeriodHours: 87600, isCaCertificate: false },
            "`validityPeriodHours` is 87600 (3650 days): a leaf certificate may be valid for at most 398 days (CA/Browser Forum baseline requirements §6.3.2). Set `validityPeriodHours` to 9552 or less; this project's leaves default to 90 days (2160 hours).",
        ],
        [
            "a client-only certificate past ten years",
            { validityPeriodHours: 3651 * 24, allowedUses: ["digital_signature", "client_auth"] },
            "`validityPeriodHours` is 87624 (3651 days): a client certificate may be valid for at most 3650 days. Set `validityPeriodHours` to 87600 or less.",
        ],
        [
            "a certificate for both purposes past 398 days (it serves, so the server cap holds)",
            { validityPeriodHours: 399 * 24, allowedUses: ["digital_signature", "server_auth", "client_auth"] },
            "`validityPeriodHours` is 9576 (399 days): a leaf certificate may be valid for at most 398 days (CA/Browser Forum baseline requirements §6.3.2). Set `validityPeriodHours` to 9552 or less; this project's leaves default to 90 days (2160 hours).",
        ],
    ])("reports %s", async (_title, changes, message) => {
        expect((await validateResource(policy, leaf(changes))).violations).toEqual([message]);
    });

    it("leaves self-signed certificates (the CA) alone", async () => {
        expect((await validateResource(policy, { type: SELF_SIGNED, name: "platform-ca-cert", props: CA_CERT })).notApplicable).toBe(true);
    });
});

describe("tls-ca-validity (mandatory)", () => {
    const policy = resourcePolicy("tls-ca-validity");
    const ca = (changes: Record<string, unknown>) => ({ type: SELF_SIGNED, name: "platform-ca-cert", props: changed(CA_CERT, changes) });

    it.each([
        ["the project's three-year CA", {}],
        ["exactly ten years", { validityPeriodHours: 3650 * 24 }],
        ["a long self-signed certificate that is not a CA", { validityPeriodHours: 7300 * 24, isCaCertificate: false }],
    ])("passes %s", async (_title, changes) => {
        expect((await validateResource(policy, ca(changes))).violations).toEqual([]);
    });

    it("reports a CA of twenty years", async () => {
        expect((await validateResource(policy, ca({ validityPeriodHours: 7300 * 24 }))).violations).toEqual([
            "`validityPeriodHours` is 175200 (7300 days): a private CA may be valid for at most 3650 days; rotate it instead. Set `validityPeriodHours` to 87600 or less; this project's CAs default to 1095 days.",
        ]);
    });
});

describe("tls-early-renewal-shorter-than-validity (mandatory)", () => {
    const policy = resourcePolicy("tls-early-renewal-shorter-than-validity");
    const message = (early: number, validity: number) =>
        `\`earlyRenewalHours\` (${early}) is not shorter than \`validityPeriodHours\` (${validity}): the certificate is always inside its renewal window, so every \`pulumi up\` replaces it (and everything that uses it). Set \`earlyRenewalHours\` below \`validityPeriodHours\`, e.g. a third of it.`;

    it.each([
        ["the project's leaf (30 of 90 days)", LOCALLY_SIGNED, LEAF_CERT],
        ["the project's CA (180 of 1095 days)", SELF_SIGNED, CA_CERT],
        ["a leaf without early renewal", LOCALLY_SIGNED, changed(LEAF_CERT, { earlyRenewalHours: undefined })],
    ])("passes %s", async (_title, type, props) => {
        expect(await validateResource(policy, { type, name: "cert", props })).toEqual(clean);
    });

    it.each([
        ["a leaf renewing as long as it lives", LOCALLY_SIGNED, changed(LEAF_CERT, { earlyRenewalHours: 2160 }), message(2160, 2160)],
        ["a leaf renewing before it is issued", LOCALLY_SIGNED, changed(LEAF_CERT, { earlyRenewalHours: 4320 }), message(4320, 2160)],
        ["a CA renewing as long as it lives", SELF_SIGNED, changed(CA_CERT, { earlyRenewalHours: 26280 }), message(26280, 26280)],
    ])("reports %s", async (_title, type, props, expected) => {
        expect((await validateResource(policy, { type, name: "cert", props })).violations).toEqual([expected]);
    });

    it("applies to both certificate types and nothing else", async () => {
        expect((await validateResource(policy, { type: PRIVATE_KEY, name: "key", props: { algorithm: "ECDSA", ecdsaCurve: "P256" } })).notApplicable).toBe(true);
    });
});
