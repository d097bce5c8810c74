import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { dragonflyArgs } from "../dragonfly/config";
import { renderNginxConf } from "../nginx/config";
import { postgresCommand } from "../postgres/config";
import { TLS12_CIPHERS, TLS12_CIPHER_STRING, TLS_GROUPS, TLS_GROUP_STRING, TLS_PREFER_SERVER_CIPHERS, TLS_SINGLE_EC_CURVE } from "./tlsProfile";

describe("the TLS profile", () => {
    it("is Mozilla intermediate 6.0's TLS 1.2 list, in its order", () => {
        expect(TLS12_CIPHER_STRING).toBe(
            "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:" +
                "ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305",
        );
        expect(TLS_PREFER_SERVER_CIPHERS).toBe(false);
    });

    it("holds only forward-secret AEAD suites: ECDHE key exchange with AES-GCM or ChaCha20-Poly1305, no CBC, CAMELLIA or static RSA", () => {
        for (const cipher of TLS12_CIPHERS) {
            expect(cipher).toMatch(/^ECDHE-(ECDSA|RSA)-(AES(128|256)-GCM-SHA(256|384)|CHACHA20-POLY1305)$/);
        }
    });

    it("offers X25519, P-256 and P-384, never secp521r1 or X448, and gives single-curve servers a member of that list", () => {
        expect(TLS_GROUP_STRING).toBe("X25519:prime256v1:secp384r1");
        expect(TLS_GROUPS).not.toContain("secp521r1");
        expect(TLS_GROUPS).not.toContain("X448");
        expect(TLS_GROUPS).toContain(TLS_SINGLE_EC_CURVE);
        expect(TLS_SINGLE_EC_CURVE).not.toBe("X25519");
    });

    it("names only suites this machine's OpenSSL knows, each exactly once (OpenSSL drops unknown names silently)", () => {
        const known = execFileSync("openssl", ["ciphers", "-s", "-tls1_2", TLS12_CIPHER_STRING], { encoding: "utf8" }).trim().split(":");
        expect(known).toEqual([...TLS12_CIPHERS]);
    });
});

describe("every server renderer reads it", () => {
    it("nginx: ssl_ciphers, ssl_ecdh_curve and ssl_prefer_server_ciphers", () => {
        const conf = renderNginxConf({});
        expect(conf).toContain(`ssl_ciphers ${TLS12_CIPHER_STRING};`);
        expect(conf).toContain(`ssl_ecdh_curve ${TLS_GROUP_STRING};`);
        expect(conf).toContain("ssl_prefer_server_ciphers off;");
    });

    it("PostgreSQL: ssl_ciphers, its one ssl_ecdh_curve and ssl_prefer_server_ciphers", () => {
        const args = postgresCommand({ user: "app", database: "app" });
        expect(args).toContain(`ssl_ciphers=${TLS12_CIPHER_STRING}`);
        expect(args).toContain(`ssl_ecdh_curve=${TLS_SINGLE_EC_CURVE}`);
        expect(args).toContain("ssl_prefer_server_ciphers=off");
    });

    it("Dragonfly: --tls_ciphers (it has no flag for groups, and prefers client order by default)", () => {
        expect(dragonflyArgs({ maxMemory: "1gb" })).toContain(`--tls_ciphers=${TLS12_CIPHER_STRING}`);
    });
});
