import { describe, expect, it } from "vitest";
import type { CertificateArgs } from "./certificate";
import type { CertificateAuthorityArgs } from "./certificateAuthority";
import { isValidDnsName, validateCertificateArgs, validateCertificateAuthorityArgs } from "./validate";

type LeafArgs = Omit<CertificateArgs, "ca">;
const server: LeafArgs = { commonName: "db", dnsNames: ["db.internal"] };

describe("validateCertificateArgs", () => {
    it.each<[string, LeafArgs, string[]]>([
        ["RSA below 2048 bits", { ...server, keyAlgorithm: "RSA", rsaBits: 1024 }, ["`rsaBits`: 1024 is below the 2048-bit minimum; use 2048, 3072, 4096, or the default ECDSA P-256 key."]],
        ["an RSA size that is not standard", { ...server, keyAlgorithm: "RSA", rsaBits: 2500 }, ["`rsaBits`: 2500 is not a supported RSA key size; use 2048, 3072, 4096, or the default ECDSA P-256 key."]],
        [
            "the provider's weak default curve",
            { ...server, ecdsaCurve: "P224" as never },
            ["`ecdsaCurve`: `P224` is too weak (112-bit security; it is the provider's default, which is why this library always sets a curve); use `P256`, `P384` (default `P256`)."],
        ],
        ["an unknown curve", { ...server, ecdsaCurve: "secp256k1" as never }, ["`ecdsaCurve`: `secp256k1` is not allowed; use `P256`, `P384` (default `P256`)."]],
        ["an unsupported algorithm", { ...server, keyAlgorithm: "ED25519" as never }, ["`keyAlgorithm`: `ED25519` is not supported; use `ECDSA`, `RSA` (default `ECDSA`)."]],
        [
            "rsaBits on an ECDSA key",
            { ...server, rsaBits: 4096 },
            ['`rsaBits`: 4096 only applies to RSA keys but `keyAlgorithm` is `ECDSA`; remove `rsaBits` or set `keyAlgorithm: "RSA"`.'],
        ],
        [
            "a server certificate with no SAN",
            { commonName: "db" },
            ['`dnsNames`/`ipAddresses`: a server certificate has no subject alternative name, and TLS clients check the host only against SANs (RFC 6125); add every name clients use, e.g. `dnsNames: ["db.internal", "localhost"]`.'],
        ],
        [
            "a malformed DNS name",
            { ...server, dnsNames: ["db.internal", "bad_name!"] },
            ["`dnsNames[1]`: `bad_name!` is not a valid DNS name; use dot-separated labels of letters, digits and inner hyphens, at most 63 characters each (a leading `*.` wildcard is allowed)."],
        ],
        ["an IP address among the DNS names", { ...server, dnsNames: ["127.0.0.1"] }, ["`dnsNames[0]`: `127.0.0.1` is an IP address; move it to `ipAddresses`."]],
        [
            "a malformed IP address",
            { ...server, ipAddresses: ["300.1.1.1"] },
            ["`ipAddresses[0]`: `300.1.1.1` is not an IPv4 or IPv6 address; use e.g. `127.0.0.1` or `::1`, and put host names in `dnsNames`."],
        ],
        [
            "a server validity above 398 days",
            { ...server, validityDays: 825 },
            ["`validityDays`: 825 exceeds the 398-day maximum for a server certificate (CA/Browser Forum baseline requirements); use at most 398 (default 90)."],
        ],
        [
            "early renewal not shorter than validity",
            { ...server, validityDays: 30 },
            ["`earlyRenewalDays`: 30 is not shorter than `validityDays` (30), so every `pulumi up` would replace the certificate; use fewer than 30 days (e.g. a third of the validity)."],
        ],
        ["a fractional validity", { ...server, validityDays: 1.5 }, ["`validityDays`: 1.5 is not a whole number of days of at least 1; use e.g. 90 (the default)."]],
        ["a negative early renewal", { ...server, earlyRenewalDays: -1 }, ["`earlyRenewalDays`: -1 is not a whole number of days of at least 0; use e.g. 30 (the default)."]],
        [
            "a common name over 64 characters",
            { ...server, commonName: "x".repeat(65) },
            [`\`commonName\`: \`${"x".repeat(65)}\` is 65 characters; X.509 allows at most 64 (RFC 5280 ub-common-name); shorten it (clients match host names against \`dnsNames\`, not the common name).`],
        ],
        ["an empty common name", { ...server, commonName: " " }, ["`commonName`: ` ` is empty; give a name that identifies the certificate, e.g. `api`."]],
        [
            "an unknown purpose",
            { ...server, purpose: "mtls" as never },
            ["`purpose`: `mtls` is not a certificate purpose; use `server`, `client`, `both` (server: serverAuth, client: clientAuth for mutual TLS, both: either)."],
        ],
    ])("rejects %s", (_, args, messages) => {
        expect(validateCertificateArgs(args).map((p) => p.message)).toEqual(messages);
    });

    it("reports every problem at once, each with its property path", () => {
        const problems = validateCertificateArgs({ commonName: "x".repeat(70), keyAlgorithm: "RSA", rsaBits: 512, validityDays: 500, dnsNames: ["-bad-"] });
        expect(problems.map((p) => p.path)).toEqual(["rsaBits", "commonName", "validityDays", "dnsNames[0]"]);
    });

    it.each<[string, LeafArgs]>([
        ["the defaults", server],
        ["a client certificate without SANs, valid for a year", { commonName: "app", purpose: "client", validityDays: 365, earlyRenewalDays: 60 }],
        ["RSA 4096 for both purposes", { ...server, purpose: "both", keyAlgorithm: "RSA", rsaBits: 4096 }],
        ["ECDSA P-384 with a wildcard and IPv6", { ...server, ecdsaCurve: "P384", dnsNames: ["*.svc.internal"], ipAddresses: ["::1"] }],
        ["the 398-day maximum", { ...server, validityDays: 398 }],
    ])("accepts %s", (_, args) => {
        expect(validateCertificateArgs(args)).toEqual([]);
    });
});

describe("validateCertificateAuthorityArgs", () => {
    it.each<[string, CertificateAuthorityArgs, string[]]>([
        [
            "a CA that outlives ten years",
            { commonName: "root", validityDays: 7300 },
            ["`validityDays`: 7300 exceeds the 3650-day maximum for a private CA (rotate it instead of outliving everyone who knows how); use at most 3650 (default 1095)."],
        ],
        [
            "early renewal not shorter than the CA's validity",
            { commonName: "root", validityDays: 180 },
            ["`earlyRenewalDays`: 180 is not shorter than `validityDays` (180), so every `pulumi up` would replace the certificate; use fewer than 180 days (e.g. a third of the validity)."],
        ],
        ["RSA below 2048 bits", { commonName: "root", keyAlgorithm: "RSA", rsaBits: 1024 }, ["`rsaBits`: 1024 is below the 2048-bit minimum; use 2048, 3072, 4096, or the default ECDSA P-256 key."]],
    ])("rejects %s", (_, args, messages) => {
        expect(validateCertificateAuthorityArgs(args).map((p) => p.message)).toEqual(messages);
    });
});

describe("isValidDnsName", () => {
    it.each(["localhost", "db.internal", "a-b.c", "*.svc.cluster.local", "x".repeat(63) + ".io"])("accepts %s", (name) => expect(isValidDnsName(name)).toBe(true));
    it.each(["", "-a.b", "a-.b", "a..b", "a_b.c", "*.com", "a.*.b", "x".repeat(64) + ".io", "é.fr"])("rejects %j", (name) => expect(isValidDnsName(name)).toBe(false));
});
