/**
 * The one TLS profile every server this library renders uses (nginx, PostgreSQL, Dragonfly): Mozilla's
 * "intermediate" configuration, guidelines 6.0 (mozilla/ssl-config-generator
 * src/static/guidelines/6.0.json). Renderers read these constants; none keeps its own list. Pure.
 *
 * TLS 1.3 suites are not set anywhere: OpenSSL's default TLS 1.3 list (TLS_AES_128_GCM_SHA256,
 * TLS_AES_256_GCM_SHA384, TLS_CHACHA20_POLY1305_SHA256) is exactly Mozilla's, and all of them are AEAD
 * with forward secrecy. `ssl_ciphers`, Dragonfly's `--tls_ciphers` and redis' `tls-ciphers` only
 * govern TLS 1.2 and below (OpenSSL SSL_CTX_set_cipher_list).
 */

/** TLS 1.2 cipher suites, OpenSSL names, in Mozilla's order: ECDHE (forward secret) with AES-GCM or ChaCha20-Poly1305 only. */
export const TLS12_CIPHERS: readonly string[] = [
    "ECDHE-ECDSA-AES128-GCM-SHA256",
    "ECDHE-RSA-AES128-GCM-SHA256",
    "ECDHE-ECDSA-AES256-GCM-SHA384",
    "ECDHE-RSA-AES256-GCM-SHA384",
    "ECDHE-ECDSA-CHACHA20-POLY1305",
    "ECDHE-RSA-CHACHA20-POLY1305",
];

/** TLS12_CIPHERS as an OpenSSL cipher string, the value of `ssl_ciphers` and `--tls_ciphers`. */
export const TLS12_CIPHER_STRING = TLS12_CIPHERS.join(":");

/**
 * Key-exchange groups, most preferred first: Mozilla 6.0's intermediate list without X25519MLKEM768.
 * That hybrid group needs OpenSSL 3.5; OpenSSL 3.0 (Debian bookworm, the postgres:17-bookworm image, the
 * test machines) refuses the whole list at load, and OpenSSL 3.0 has no `?` prefix to skip an unknown
 * group. secp521r1 and X448, which OpenSSL offers by default, are left out as Mozilla leaves them out:
 * they add no security a client needs and are slower. Where a server can set a list, it gets this one.
 */
export const TLS_GROUPS = ["X25519", "prime256v1", "secp384r1"] as const;

/** TLS_GROUPS as an OpenSSL group list, the value of nginx's `ssl_ecdh_curve` (SSL_CTX_set1_curves_list). */
export const TLS_GROUP_STRING = TLS_GROUPS.join(":");

/**
 * The group for a server that takes exactly one named elliptic curve: PostgreSQL up to 17 reads
 * `ssl_ecdh_curve` with OBJ_sn2nid and EC_KEY_new_by_curve_name (postgres/postgres REL_17_STABLE
 * src/backend/libpq/be-secure-openssl.c, initialize_ecdh), so X25519, which is no EC_KEY curve, fails
 * with "ECDH: could not create key". The first of TLS_GROUPS that is a NIST curve.
 */
export const TLS_SINGLE_EC_CURVE = "prime256v1";

/**
 * Whether the server's cipher order wins: no (Mozilla intermediate), since every suite is strong and a
 * client without AES hardware should be free to pick ChaCha20.
 */
export const TLS_PREFER_SERVER_CIPHERS = false;
