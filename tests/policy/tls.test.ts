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
        ["ECDSA P521", { algorithm: "ECDSA", ecdsaCurve: "P521" }],
        ["RSA 2048", { algorithm: "RSA", rsaBits: 2048 }],
        ["RSA 4096", { algorithm: "RSA", rsaBits: 4096 }],
        ["RSA without rsaBits (the provider's default is 2048)", { algorithm: "RSA" }],
        ["ED25519", { algorithm: "ED25519" }],
        ["a curve computed from another resource (preview)", { algorithm: "ECDSA", ecdsaCurve: UNKNOWN_STRING }],
    ])("passes %s", async (_title, props) => {
        expect(await validateResource(policy, key(props))).toEqual(clean);
    });

    it.each([
        ["RSA 1024", { algorithm: "RSA", rsaBits: 1024 }, '`rsaBits` is 1024: RSA keys need at least 2048 bits. Set `rsaBits: 2048` or more, or use `algorithm: "ECDSA"` with `ecdsaCurve: "P256"`.'],
        [
            "ECDSA without a curve (the provider's default is P224)",
            { algorithm: "ECDSA" },
            `\`ecdsaCurve\` is not set, so the provider uses its default \`P224\`, which TLS 1.3 has no signature scheme for (RFC 8446 §4.2.3) and which gives only 112-bit security. ${curveFix}`,
        ],
        ["ECDSA P224", { algorithm: "ECDSA", ecdsaCurve: "P224" }, `\`ecdsaCurve\` is \`P224\`, which TLS 1.3 has no signature scheme for (RFC 8446 §4.2.3) and which gives only 112-bit security. ${curveFix}`],
        ["a curve the provider does not know", { algorithm: "ECDSA", ecdsaCurve: "secp256k1" }, `\`ecdsaCurve\` is \`secp256k1\`, not one of \`P256\`, \`P384\`, \`P521\`. ${curveFix}`],
        ["an unknown algorithm", { algorithm: "DSA" }, "`algorithm` is `DSA`: use `ECDSA` (with `ecdsaCurve` P256 or stronger), `RSA` (2048 bits or more) or `ED25519`."],
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
    ])("reports %s", async (_title, changes, message) => {
        expect((await validateResource(policy, leaf(changes))).violations).toEqual([message]);
    });

    it("leaves self-signed certificates (the CA) alone", async () => {
        expect((await validateResource(policy, { type: SELF_SIGNED, name: "platform-ca-cert", props: CA_CERT })).notApplicable).toBe(true);
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
