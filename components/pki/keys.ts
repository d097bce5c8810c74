import * as tls from "@pulumi/tls";
import { Problem, show } from "../shared/problems";
import {
    DEFAULT_ECDSA_CURVE,
    DEFAULT_KEY_ALGORITHM,
    DEFAULT_RSA_BITS,
    ECDSA_CURVES,
    EcdsaCurve,
    KEY_ALGORITHMS,
    KeyAlgorithm,
    RSA_KEY_SIZES,
} from "./defaults";

/** How a component's private key is made, as every language passes it (choices as strings). */
export interface KeyInputs {
    /**
     * Key algorithm: `ECDSA` or `RSA`, checked when the component is created.
     * @default - `ECDSA`
     */
    readonly keyAlgorithm?: string;
    /**
     * Curve for ECDSA keys: `P256` or `P384`.
     * @default - `P256` (never the provider's own default, P224)
     */
    readonly ecdsaCurve?: string;
    /**
     * Size of RSA keys: 2048, 3072 or 4096.
     * @default - 2048 when `keyAlgorithm` is `RSA`
     */
    readonly rsaBits?: number;
}

/** How a component's private key is made, in TypeScript: the choices as literal unions. */
export interface KeyArgs extends KeyInputs {
    /**
     * Key algorithm: `ECDSA` or `RSA`.
     * @default - `ECDSA`
     */
    readonly keyAlgorithm?: KeyAlgorithm;
    /**
     * Curve for ECDSA keys: `P256` or `P384`.
     * @default - `P256` (never the provider's own default, P224)
     */
    readonly ecdsaCurve?: EcdsaCurve;
}

/** A key specification with its defaults resolved. */
export type ResolvedKey = { readonly algorithm: "ECDSA"; readonly curve: EcdsaCurve } | { readonly algorithm: "RSA"; readonly bits: number };

const listed = (values: readonly unknown[]) => values.map((v) => show(v)).join(", ");

/** Every problem with a key specification (pure). */
export function validateKeyArgs(args: KeyInputs): Problem[] {
    const problems: Problem[] = [];
    const algorithm: unknown = args.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM;
    if (!(KEY_ALGORITHMS as readonly unknown[]).includes(algorithm)) {
        problems.push({
            path: "keyAlgorithm",
            message: `\`keyAlgorithm\`: ${show(algorithm)} is not supported; use ${listed(KEY_ALGORITHMS)} (default \`${DEFAULT_KEY_ALGORITHM}\`).`,
        });
        return problems;
    }
    if (algorithm === "ECDSA") {
        if (args.ecdsaCurve !== undefined && !(ECDSA_CURVES as readonly unknown[]).includes(args.ecdsaCurve)) {
            const why = (args.ecdsaCurve as string) === "P224" ? "is too weak (112-bit security; it is the provider's default, which is why this library always sets a curve)" : "is not allowed";
            problems.push({
                path: "ecdsaCurve",
                message: `\`ecdsaCurve\`: ${show(args.ecdsaCurve)} ${why}; use ${listed(ECDSA_CURVES)} (default \`${DEFAULT_ECDSA_CURVE}\`).`,
            });
        }
        if (args.rsaBits !== undefined) {
            problems.push({
                path: "rsaBits",
                message: `\`rsaBits\`: ${show(args.rsaBits)} only applies to RSA keys but \`keyAlgorithm\` is \`ECDSA\`; remove \`rsaBits\` or set \`keyAlgorithm: "RSA"\`.`,
            });
        }
        return problems;
    }
    if (args.ecdsaCurve !== undefined) {
        problems.push({
            path: "ecdsaCurve",
            message: `\`ecdsaCurve\`: ${show(args.ecdsaCurve)} only applies to ECDSA keys but \`keyAlgorithm\` is \`RSA\`; remove \`ecdsaCurve\` or set \`keyAlgorithm: "ECDSA"\`.`,
        });
    }
    const bits = args.rsaBits ?? DEFAULT_RSA_BITS;
    if (!(RSA_KEY_SIZES as readonly number[]).includes(bits)) {
        const why = typeof bits === "number" && bits < RSA_KEY_SIZES[0] ? `is below the ${RSA_KEY_SIZES[0]}-bit minimum` : "is not a supported RSA key size";
        problems.push({
            path: "rsaBits",
            message: `\`rsaBits\`: ${show(bits)} ${why}; use ${RSA_KEY_SIZES.join(", ")}, or the default ECDSA P-256 key.`,
        });
    }
    return problems;
}

/** Resolves defaults; call after `validateKeyArgs` found nothing. */
export function resolveKey(args: KeyInputs): ResolvedKey {
    return (args.keyAlgorithm ?? DEFAULT_KEY_ALGORITHM) === "RSA"
        ? { algorithm: "RSA", bits: args.rsaBits ?? DEFAULT_RSA_BITS }
        : { algorithm: "ECDSA", curve: (args.ecdsaCurve ?? DEFAULT_ECDSA_CURVE) as EcdsaCurve };
}

/** The `tls.PrivateKey` arguments for a resolved key: the curve is always explicit. */
export function privateKeyArgs(key: ResolvedKey): tls.PrivateKeyArgs {
    return key.algorithm === "RSA" ? { algorithm: "RSA", rsaBits: key.bits } : { algorithm: "ECDSA", ecdsaCurve: key.curve };
}

/**
 * Key usages for a leaf: ECDSA keys sign, they never encipher (RFC 5480 §3), so `key_encipherment`
 * goes only on RSA certificates, where TLS 1.2 RSA key exchange needs it.
 */
export function leafKeyUsages(key: ResolvedKey): string[] {
    return key.algorithm === "RSA" ? ["digital_signature", "key_encipherment"] : ["digital_signature"];
}
