import { describe, expect, it } from "vitest";
import type { CertificateArgs, CertificateAuthorityArgs } from "../../components";
import type * as components from "../../components";

// Type-level: choice arguments keep their literal unions, so the editor completes them and a typo
// does not compile. `tsc --noEmit -p tsconfig.json` checks this file (tests/** is in the project):
// each `@ts-expect-error` fails the typecheck if the line below it ever compiles.

const ca = { certPem: "", privateKeyPem: "" };

describe("choice arguments are literal unions", () => {
    it("compiles the allowed values and refuses typos (checked by tsc)", () => {
        const good: CertificateArgs[] = [
            { ca, commonName: "a", purpose: "server" },
            { ca, commonName: "a", purpose: "client" },
            { ca, commonName: "a", purpose: "both", keyAlgorithm: "RSA", rsaBits: 3072 },
            { ca, commonName: "a", keyAlgorithm: "ECDSA", ecdsaCurve: "P384" },
        ];
        // @ts-expect-error a typo of "client"
        const purpose: CertificateArgs = { ca, commonName: "a", purpose: "clinet" };
        // @ts-expect-error not an algorithm the components make
        const algorithm: CertificateAuthorityArgs = { commonName: "a", keyAlgorithm: "ED25519" };
        // @ts-expect-error not a curve the components make
        const curve: CertificateAuthorityArgs = { commonName: "a", ecdsaCurve: "P521" };
        // The constructors take the same unions (a plain `new Certificate(...)` from "tls-platform").
        const construct = (c: typeof components) => {
            // @ts-expect-error a typo of "client", in the constructor's arguments
            new c.Certificate("x", { ca, commonName: "a", purpose: "clinet" });
            // @ts-expect-error in the CA's constructor
            new c.CertificateAuthority("x", { commonName: "a", ecdsaCurve: "P224" });
        };
        expect(typeof construct).toBe("function");
        expect(good).toHaveLength(4);
        expect([purpose, algorithm, curve]).toHaveLength(3);
    });
});
