import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import * as tls from "@pulumi/tls";
// One source with the components (components/pki/limits.ts imports nothing, so the pack, its own
// package run by ts-node from policy/, compiles it from the repository): what a component accepts
// the pack accepts, and the reverse.
import {
    ECDSA_CURVES,
    HOURS_PER_DAY,
    KEY_ALGORITHMS,
    MAX_CA_VALIDITY_DAYS,
    MAX_CLIENT_VALIDITY_DAYS,
    MAX_SERVER_VALIDITY_DAYS,
    RSA_KEY_SIZES,
} from "../../components/pki/limits";
import { UNKNOWN, read, show } from "../values";

export const MIN_RSA_BITS = RSA_KEY_SIZES[0];
export const ALLOWED_ECDSA_CURVES: readonly string[] = ECDSA_CURVES;
/** @pulumi/tls 5.6.1 privateKey.d.ts: the provider's defaults when the argument is left out. */
const PROVIDER_DEFAULT_RSA_BITS = 2048;
const PROVIDER_DEFAULT_ECDSA_CURVE = "P224";
/** CA/Browser Forum baseline requirements §6.3.2: a TLS server certificate lives at most 398 days. */
export const MAX_LEAF_VALIDITY_DAYS = MAX_SERVER_VALIDITY_DAYS;
export const MAX_LEAF_VALIDITY_HOURS = MAX_LEAF_VALIDITY_DAYS * HOURS_PER_DAY;
export const MAX_CLIENT_VALIDITY_HOURS = MAX_CLIENT_VALIDITY_DAYS * HOURS_PER_DAY;
export const MAX_CA_VALIDITY_HOURS = MAX_CA_VALIDITY_DAYS * HOURS_PER_DAY;

const listed = (values: readonly unknown[]) => values.map((v) => `\`${v}\``).join(", ");

/** `399 days`, `398 days 1 hour`. */
const days = (hours: number) => {
    const whole = Math.floor(hours / HOURS_PER_DAY);
    const rest = hours - whole * HOURS_PER_DAY;
    return `${whole} days` + (rest === 0 ? "" : ` ${rest} hour${rest === 1 ? "" : "s"}`);
};

export const tlsKeyStrength: ResourceValidationPolicy = {
    name: "tls-key-strength",
    description: `TLS private keys are ${KEY_ALGORITHMS.join(" or ")}: RSA of ${RSA_KEY_SIZES.join(", ")} bits, ECDSA on ${ECDSA_CURVES.join(" or ")} (never the provider's default P224), the same limits the components enforce.`,
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(tls.PrivateKey, (key, _args, reportViolation) => {
        const algorithm = read(() => key.algorithm);
        if (algorithm === "RSA") {
            const bits = read(() => key.rsaBits) ?? PROVIDER_DEFAULT_RSA_BITS;
            if (bits !== UNKNOWN && !(RSA_KEY_SIZES as readonly unknown[]).includes(bits)) {
                const why = typeof bits === "number" && bits < MIN_RSA_BITS ? `RSA keys need at least ${MIN_RSA_BITS} bits` : `not one of the sizes ${RSA_KEY_SIZES.join(", ")}`;
                reportViolation(`\`rsaBits\` is ${show(bits)}: ${why}. Set \`rsaBits\` to ${RSA_KEY_SIZES.join(", ")}, or use \`algorithm: "ECDSA"\` with \`ecdsaCurve: "P256"\`.`);
            }
        } else if (algorithm === "ECDSA") {
            const curve = read(() => key.ecdsaCurve);
            const fix = 'Set `ecdsaCurve: "P256"` or `"P384"`.';
            if (curve === undefined) {
                reportViolation(`\`ecdsaCurve\` is not set, so the provider uses its default \`${PROVIDER_DEFAULT_ECDSA_CURVE}\`, which TLS 1.3 has no signature scheme for (RFC 8446 §4.2.3) and which gives only 112-bit security. ${fix}`);
            } else if (curve === PROVIDER_DEFAULT_ECDSA_CURVE) {
                reportViolation(`\`ecdsaCurve\` is \`${curve}\`, which TLS 1.3 has no signature scheme for (RFC 8446 §4.2.3) and which gives only 112-bit security. ${fix}`);
            } else if (curve !== UNKNOWN && !ALLOWED_ECDSA_CURVES.includes(curve)) {
                reportViolation(`\`ecdsaCurve\` is ${show(curve)}, not one of ${listed(ECDSA_CURVES)}. ${fix}`);
            }
        } else if (algorithm !== UNKNOWN) {
            reportViolation(`\`algorithm\` is ${show(algorithm)}: use \`ECDSA\` (with \`ecdsaCurve\` ${ECDSA_CURVES.join(" or ")}) or \`RSA\` (${RSA_KEY_SIZES.join(", ")} bits).`);
        }
    }),
};

export const tlsLeafValidity: ResourceValidationPolicy = {
    name: "tls-leaf-validity",
    description: `Leaf certificates (tls LocallySignedCert, not a CA) are valid for at most ${MAX_LEAF_VALIDITY_DAYS} days when they serve (server_auth), ${MAX_CLIENT_VALIDITY_DAYS} days when they only authenticate clients.`,
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(tls.LocallySignedCert, (cert, _args, reportViolation) => {
        const isCa = read(() => cert.isCaCertificate);
        const hours = read(() => cert.validityPeriodHours);
        const uses = read(() => cert.allowedUses);
        if (isCa === true || isCa === UNKNOWN || hours === UNKNOWN || typeof hours !== "number") {
            return;
        }
        // Unknown uses are treated as serving: the stricter cap.
        const clientOnly = Array.isArray(uses) && !uses.includes("server_auth") && uses.includes("client_auth");
        if (clientOnly && hours > MAX_CLIENT_VALIDITY_HOURS) {
            reportViolation(
                `\`validityPeriodHours\` is ${hours} (${days(hours)}): a client certificate may be valid for at most ${MAX_CLIENT_VALIDITY_DAYS} days. Set \`validityPeriodHours\` to ${MAX_CLIENT_VALIDITY_HOURS} or less.`,
            );
        } else if (!clientOnly && hours > MAX_LEAF_VALIDITY_HOURS) {
            reportViolation(
                `\`validityPeriodHours\` is ${hours} (${days(hours)}): a leaf certificate may be valid for at most ${MAX_LEAF_VALIDITY_DAYS} days (CA/Browser Forum baseline requirements §6.3.2). Set \`validityPeriodHours\` to ${MAX_LEAF_VALIDITY_HOURS} or less; this project's leaves default to 90 days (2160 hours).`,
            );
        }
    }),
};

export const tlsCaValidity: ResourceValidationPolicy = {
    name: "tls-ca-validity",
    description: `Self-signed CA certificates (tls SelfSignedCert with isCaCertificate) are valid for at most ${MAX_CA_VALIDITY_DAYS} days.`,
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(tls.SelfSignedCert, (cert, _args, reportViolation) => {
        const isCa = read(() => cert.isCaCertificate);
        const hours = read(() => cert.validityPeriodHours);
        if (isCa !== true || hours === UNKNOWN || typeof hours !== "number" || hours <= MAX_CA_VALIDITY_HOURS) {
            return;
        }
        reportViolation(
            `\`validityPeriodHours\` is ${hours} (${days(hours)}): a private CA may be valid for at most ${MAX_CA_VALIDITY_DAYS} days; rotate it instead. Set \`validityPeriodHours\` to ${MAX_CA_VALIDITY_HOURS} or less; this project's CAs default to 1095 days.`,
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

export const tlsPolicies = [tlsKeyStrength, tlsLeafValidity, tlsCaValidity, tlsEarlyRenewal];
