/**
 * Every PKI default in one place. Leaf lifetimes follow the ACME/Let's Encrypt practice of short-lived
 * certificates renewed a third of the way before expiry; the caps come from the CA/Browser Forum
 * baseline requirements and RFC 5280.
 */

import type { EcdsaCurve, KeyAlgorithm, RsaKeySize } from "./limits";

// The limits the policy pack shares (key types, curves, validities) live in limits.ts.
export * from "./limits";

export const DEFAULT_KEY_ALGORITHM: KeyAlgorithm = "ECDSA";
export const DEFAULT_ECDSA_CURVE: EcdsaCurve = "P256";
export const DEFAULT_RSA_BITS: RsaKeySize = 2048;

export const DEFAULT_LEAF_VALIDITY_DAYS = 90;
export const DEFAULT_LEAF_EARLY_RENEWAL_DAYS = 30;

/** Three years: long enough not to churn every client's trust bundle, short enough to be rehearsed. */
export const DEFAULT_CA_VALIDITY_DAYS = 3 * 365;
/** A new CA is cut half a year before the old one ends, which re-issues every leaf under it. */
export const DEFAULT_CA_EARLY_RENEWAL_DAYS = 180;

/** RFC 5280 ub-common-name. */
export const MAX_COMMON_NAME_LENGTH = 64;

/** Leaf purposes and the extended key usages each carries. */
export const CERTIFICATE_PURPOSES = ["server", "client", "both"] as const;
export type CertificatePurpose = (typeof CERTIFICATE_PURPOSES)[number];
export const DEFAULT_CERTIFICATE_PURPOSE: CertificatePurpose = "server";

/**
 * `allowedUses` values, in the provider's snake_case: the camelCase names in @pulumi/tls's .d.ts are a
 * documentation artifact that the provider rejects (terraform-provider-tls common_cert.go).
 */
export const CA_ALLOWED_USES = ["cert_signing", "crl_signing", "digital_signature"] as const;
export const EXTENDED_KEY_USES: Record<CertificatePurpose, readonly string[]> = {
    server: ["server_auth"],
    client: ["client_auth"],
    both: ["server_auth", "client_auth"],
};
