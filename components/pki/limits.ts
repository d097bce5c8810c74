/**
 * The key and lifetime limits that both the PKI components and the policy pack (policy/rules/tls.ts)
 * enforce, so that whatever a component accepts the pack accepts, and the reverse. This module
 * imports nothing: the policy pack is its own package (run by ts-node from policy/, `npm ci --prefix
 * policy`) and reaches it by relative path, while the published package ships it in dist/components.
 */

/**
 * Key algorithms. ED25519 is left out: most TLS clients (and the RDS, ElastiCache and browser
 * stacks this library serves) cannot verify it yet.
 */
export const KEY_ALGORITHMS = ["ECDSA", "RSA"] as const;
export type KeyAlgorithm = (typeof KEY_ALGORITHMS)[number];

/**
 * ECDSA curves: those TLS 1.3 has signature schemes for (RFC 8446 §4.2.3) and browsers still verify.
 * P224 is the provider's own default and is too weak; P521 is dropped by Chrome and BoringSSL.
 */
export const ECDSA_CURVES = ["P256", "P384"] as const;
export type EcdsaCurve = (typeof ECDSA_CURVES)[number];

/** RSA sizes: 2048 is the floor (NIST SP 800-57 part 1); non-standard sizes are refused. */
export const RSA_KEY_SIZES = [2048, 3072, 4096] as const;
export type RsaKeySize = (typeof RSA_KEY_SIZES)[number];

export const HOURS_PER_DAY = 24;

/** CA/Browser Forum baseline requirements §6.3.2: a TLS server certificate lives at most 398 days. */
export const MAX_SERVER_VALIDITY_DAYS = 398;
/** A client-only certificate (clientAuth, no serverAuth): no baseline requirement, capped like a CA. */
export const MAX_CLIENT_VALIDITY_DAYS = 10 * 365;
/** A private CA: rotate it rather than let it outlive everyone who knows how. */
export const MAX_CA_VALIDITY_DAYS = 10 * 365;
