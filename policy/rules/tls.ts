import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import * as tls from "@pulumi/tls";
import { UNKNOWN, read, show } from "../values";

/**
 * RSA from 2048 bits (NIST SP 800-57 part 1); ECDSA only on the curves TLS 1.3 has signature schemes
 * for (RFC 8446 §4.2.3: ecdsa_secp256r1/384r1/521r1), so never P224, which TLS 1.3 cannot use at all.
 */
export const MIN_RSA_BITS = 2048;
export const ALLOWED_ECDSA_CURVES = ["P256", "P384", "P521"];
/** @pulumi/tls 5.6.1 privateKey.d.ts: the provider's defaults when the argument is left out. */
const PROVIDER_DEFAULT_RSA_BITS = 2048;
const PROVIDER_DEFAULT_ECDSA_CURVE = "P224";
/** CA/Browser Forum baseline requirements §6.3.2: a TLS server certificate lives at most 398 days. */
export const MAX_LEAF_VALIDITY_DAYS = 398;
const HOURS_PER_DAY = 24;
export const MAX_LEAF_VALIDITY_HOURS = MAX_LEAF_VALIDITY_DAYS * HOURS_PER_DAY;

/** `399 days`, `398 days 1 hour`. */
const days = (hours: number) => {
    const whole = Math.floor(hours / HOURS_PER_DAY);
    const rest = hours - whole * HOURS_PER_DAY;
    return `${whole} days` + (rest === 0 ? "" : ` ${rest} hour${rest === 1 ? "" : "s"}`);
};

export const tlsKeyStrength: ResourceValidationPolicy = {
    name: "tls-key-strength",
    description: "TLS private keys are RSA of 2048 bits or more, ECDSA on P256, P384 or P521 (never the provider's default P224), or ED25519.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(tls.PrivateKey, (key, _args, reportViolation) => {
        const algorithm = read(() => key.algorithm);
        if (algorithm === "RSA") {
            const bits = read(() => key.rsaBits) ?? PROVIDER_DEFAULT_RSA_BITS;
            if (bits !== UNKNOWN && !(typeof bits === "number" && bits >= MIN_RSA_BITS)) {
                reportViolation(`\`rsaBits\` is ${show(bits)}: RSA keys need at least ${MIN_RSA_BITS} bits. Set \`rsaBits: ${MIN_RSA_BITS}\` or more, or use \`algorithm: "ECDSA"\` with \`ecdsaCurve: "P256"\`.`);
            }
        } else if (algorithm === "ECDSA") {
            const curve = read(() => key.ecdsaCurve);
            const fix = 'Set `ecdsaCurve: "P256"` or `"P384"`.';
            if (curve === undefined) {
                reportViolation(`\`ecdsaCurve\` is not set, so the provider uses its default \`${PROVIDER_DEFAULT_ECDSA_CURVE}\`, which TLS 1.3 has no signature scheme for (RFC 8446 §4.2.3) and which gives only 112-bit security. ${fix}`);
            } else if (curve === PROVIDER_DEFAULT_ECDSA_CURVE) {
                reportViolation(`\`ecdsaCurve\` is \`${curve}\`, which TLS 1.3 has no signature scheme for (RFC 8446 §4.2.3) and which gives only 112-bit security. ${fix}`);
            } else if (curve !== UNKNOWN && !ALLOWED_ECDSA_CURVES.includes(curve)) {
                reportViolation(`\`ecdsaCurve\` is ${show(curve)}, not one of ${ALLOWED_ECDSA_CURVES.map((c) => `\`${c}\``).join(", ")}. ${fix}`);
            }
        } else if (algorithm !== UNKNOWN && algorithm !== "ED25519") {
            reportViolation(`\`algorithm\` is ${show(algorithm)}: use \`ECDSA\` (with \`ecdsaCurve\` P256 or stronger), \`RSA\` (${MIN_RSA_BITS} bits or more) or \`ED25519\`.`);
        }
    }),
};

export const tlsLeafValidity: ResourceValidationPolicy = {
    name: "tls-leaf-validity",
    description: `Leaf certificates (tls LocallySignedCert, not a CA) are valid for at most ${MAX_LEAF_VALIDITY_DAYS} days.`,
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(tls.LocallySignedCert, (cert, _args, reportViolation) => {
        const isCa = read(() => cert.isCaCertificate);
        const hours = read(() => cert.validityPeriodHours);
        if (isCa === true || isCa === UNKNOWN || hours === UNKNOWN || typeof hours !== "number" || hours <= MAX_LEAF_VALIDITY_HOURS) {
            return;
        }
        reportViolation(
            `\`validityPeriodHours\` is ${hours} (${days(hours)}): a leaf certificate may be valid for at most ${MAX_LEAF_VALIDITY_DAYS} days (CA/Browser Forum baseline requirements §6.3.2). Set \`validityPeriodHours\` to ${MAX_LEAF_VALIDITY_HOURS} or less; this project's leaves default to 90 days (2160 hours).`,
        );
    }),
};

/** earlyRenewalHours must leave time before renewal, else the provider replaces the certificate on every run (terraform-provider-tls PR #278). */
const checkEarlyRenewal = (cert: { validityPeriodHours: number; earlyRenewalHours?: number }, _args: unknown, reportViolation: (message: string) => void) => {
    const validity = read(() => cert.validityPeriodHours);
    const early = read(() => cert.earlyRenewalHours) ?? 0;
    if (validity === UNKNOWN || early === UNKNOWN || typeof validity !== "number" || typeof early !== "number" || early < validity) {
        return;
    }
    reportViolation(
        `\`earlyRenewalHours\` (${early}) is not shorter than \`validityPeriodHours\` (${validity}): the certificate is always inside its renewal window, so every \`pulumi up\` replaces it (and everything that uses it). Set \`earlyRenewalHours\` below \`validityPeriodHours\`, e.g. a third of it.`,
    );
};

export const tlsEarlyRenewal: ResourceValidationPolicy = {
    name: "tls-early-renewal-shorter-than-validity",
    description: "Certificates (tls LocallySignedCert and SelfSignedCert) start their early-renewal window after they are issued, not at once.",
    enforcementLevel: "mandatory",
    validateResource: [validateResourceOfType(tls.LocallySignedCert, checkEarlyRenewal), validateResourceOfType(tls.SelfSignedCert, checkEarlyRenewal)],
};

export const tlsPolicies = [tlsKeyStrength, tlsLeafValidity, tlsEarlyRenewal];
