import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, rejectedBeforeCreating, valueOf, type ProviderEmulator } from "../emulator";

// Calls as plain JavaScript (or another language) makes them, bypassing the types: every missing or
// wrong argument is one clear problem in one error, never a TypeError; and a leaf is refused where a
// CA is needed, whether it comes as a `Certificate` or as its PEM.

let emulator: ProviderEmulator;
let pki: typeof import("../../components");
let ca: InstanceType<typeof pki.CertificateAuthority>;
let leaf: InstanceType<typeof pki.Certificate>;
// What a JavaScript caller can pass: anything.
type Untyped = new (name: string, args?: unknown) => unknown;

beforeAll(async () => {
    emulator = await installEmulator();
    pki = await import("../../components");
    ca = new pki.CertificateAuthority("args-ca", { commonName: "arguments CA" });
    leaf = new pki.Certificate("args-leaf", { ca, commonName: "app", purpose: "client" });
    await valueOf(leaf.certPem);
});

const MISSING_CA = '`ca`: missing; a certificate needs an issuer; pass the `CertificateAuthority` that issues your certificates, e.g. `ca: new CertificateAuthority("ca", { commonName: "dev CA" })`.';
const MISSING_CN = '`commonName`: missing; give a name that identifies the certificate, e.g. `commonName: "api"`.';
const NO_SAN =
    '`dnsNames`/`ipAddresses`: a server certificate has no subject alternative name, and TLS clients check the host only against SANs (RFC 6125); add every name clients use, e.g. `dnsNames: ["db.internal", "localhost"]`.';
const LEAF_AS_CA = (cn: string) =>
    `\`ca\`: the leaf certificate \`${cn}\` is not a certificate authority (no basic constraint CA:TRUE), so every TLS client would refuse what it signs; pass the \`CertificateAuthority\` that issues your certificates, e.g. \`ca: new CertificateAuthority("ca", { commonName: "dev CA" })\`.`;

describe("missing arguments are problems, not TypeErrors", () => {
    it.each<[string, () => unknown, string[]]>([
        ["a Certificate with no arguments at all", () => new (pki.Certificate as Untyped)("none1"), [MISSING_CA, MISSING_CN, NO_SAN]],
        ["a Certificate with an empty bag", () => new (pki.Certificate as Untyped)("none2", {}), [MISSING_CA, MISSING_CN, NO_SAN]],
        ["a client Certificate without ca", () => new (pki.Certificate as Untyped)("none3", { commonName: "app", purpose: "client" }), [MISSING_CA]],
        ["a Certificate without commonName", () => new (pki.Certificate as Untyped)("none4", { ca, dnsNames: ["a.internal"] }), [MISSING_CN]],
        [
            "a Certificate whose ca is a string",
            () => new (pki.Certificate as Untyped)("none5", { ca: "ca.pem", commonName: "app", purpose: "client" }),
            ['`ca`: a string without `certPem` and `privateKeyPem` is not an issuer; pass the `CertificateAuthority` that issues your certificates, e.g. `ca: new CertificateAuthority("ca", { commonName: "dev CA" })`.'],
        ],
        [
            "a Certificate whose commonName is a number",
            () => new (pki.Certificate as Untyped)("none6", { ca, commonName: 42, purpose: "client" }),
            ['`commonName`: 42 is not a string; give a name that identifies the certificate, e.g. `commonName: "api"`.'],
        ],
        ["a CertificateAuthority with no arguments at all", () => new (pki.CertificateAuthority as Untyped)("none7"), [MISSING_CN]],
    ])("%s", async (_, create, messages) => {
        const error = await rejectedBeforeCreating(emulator, create);
        expect(error.errors.map((e) => e.reason)).toEqual(messages);
    });
});

describe("a leaf is not a CA", () => {
    it("refuses a Certificate given as `ca`, with the certificate's other problems in the same error", async () => {
        const error = await rejectedBeforeCreating(emulator, () => new pki.Certificate("signed-by-leaf", { ca: leaf, commonName: "db", validityDays: 500, dnsNames: ["db.internal"] }));
        expect(error.errors.map((e) => e.reason)).toEqual([
            LEAF_AS_CA("app"),
            "`validityDays`: 500 exceeds the 398-day maximum for a server certificate (CA/Browser Forum baseline requirements); use at most 398 (default 90).",
        ]);
    });

    it("refuses a leaf's PEM given as the issuer, read from the certificate itself", async () => {
        const issuer = { certPem: await valueOf(leaf.certPem), privateKeyPem: await valueOf(leaf.privateKeyPem) };
        const error = await rejectedBeforeCreating(emulator, () => new pki.Certificate("signed-by-leaf-pem", { ca: issuer, commonName: "db", dnsNames: ["db.internal"] }));
        expect(error.errors.map((e) => e.reason)).toEqual([
            '`ca`: its certificate (subject `CN=app`) is not a certificate authority (no basic constraint CA:TRUE), so every TLS client would refuse what it signs; pass the `CertificateAuthority` that issues your certificates, e.g. `ca: new CertificateAuthority("ca", { commonName: "dev CA" })`.',
        ]);
    });

    it("accepts the CA's own PEM given as plain strings", async () => {
        const issuer = { certPem: await valueOf(ca.certPem), privateKeyPem: await valueOf(ca.privateKeyPem) };
        const cert = new pki.Certificate("signed-by-pem", { ca: issuer, commonName: "db", dnsNames: ["db.internal"] });
        expect(await valueOf(cert.certPem)).toMatch(/^-----BEGIN CERTIFICATE-----/);
    });

    it("records what a certificate is for, for the components that check client certificates", async () => {
        const identity = await import("../../components/pki/identity");
        expect([identity.leafIdentity(leaf), identity.leafIdentity(ca), identity.leafIdentity({ certPem: "", privateKeyPem: "" })]).toEqual([{ commonName: "app", purpose: "client" }, undefined, undefined]);
    });
});
