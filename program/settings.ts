import * as pulumi from "@pulumi/pulumi";
import {
    CertificateAuthorityArgs,
    DEFAULT_CA_EARLY_RENEWAL_DAYS,
    DEFAULT_CA_VALIDITY_DAYS,
    DEFAULT_LEAF_EARLY_RENEWAL_DAYS,
    DEFAULT_LEAF_VALIDITY_DAYS,
    KeyArgs,
} from "../components";
import { Problem, formatProblems, show } from "../components/shared/problems";

/** `keyType` values and the component key arguments each stands for. */
export const KEY_TYPES: Record<string, KeyArgs> = {
    "ECDSA-P256": { keyAlgorithm: "ECDSA", ecdsaCurve: "P256" },
    "ECDSA-P384": { keyAlgorithm: "ECDSA", ecdsaCurve: "P384" },
    "RSA-2048": { keyAlgorithm: "RSA", rsaBits: 2048 },
    "RSA-3072": { keyAlgorithm: "RSA", rsaBits: 3072 },
    "RSA-4096": { keyAlgorithm: "RSA", rsaBits: 4096 },
};
export const DEFAULT_KEY_TYPE = "ECDSA-P256";
export const DEFAULT_APP_NAME = "app";

/** The stack's settings, read from its config (`Pulumi.<stack>.yaml`) with the defaults of Pulumi.yaml. */
export interface Settings {
    readonly ca: CertificateAuthorityArgs;
    readonly key: KeyArgs;
    readonly leafValidityDays: number;
    readonly leafEarlyRenewalDays: number;
    readonly appName: string;
}

/** What the program needs of `pulumi.Config`: the typed getters, which throw on a malformed value. */
type ConfigReader = Pick<pulumi.Config, "get" | "getNumber" | "name">;

/**
 * Reads every config key once and reports every bad value in one error before anything is created.
 * Component arguments are checked again by the components, whose messages name the argument.
 */
export function readSettings(config: ConfigReader, stack: string): Settings {
    const problems: Problem[] = [];
    const key = (name: string) => `${config.name}:${name}`;
    const keyType = config.get("keyType") ?? DEFAULT_KEY_TYPE;
    if (!(keyType in KEY_TYPES)) {
        problems.push({
            path: key("keyType"),
            message: `\`${key("keyType")}\`: ${show(keyType)} is not a key type; use one of ${Object.keys(KEY_TYPES).map((k) => `\`${k}\``).join(", ")}, e.g. \`pulumi config set keyType ${DEFAULT_KEY_TYPE}\`.`,
        });
    }
    const appName = config.get("appName") ?? DEFAULT_APP_NAME;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(appName)) {
        problems.push({
            path: key("appName"),
            message: `\`${key("appName")}\`: ${show(appName)} is not usable as a client certificate name and database user; use lower-case letters, digits and underscores, starting with a letter (e.g. \`app\`).`,
        });
    }
    if (problems.length > 0) {
        throw new pulumi.RunError(formatProblems(`stack "${stack}" config`, problems));
    }
    const keyArgs = KEY_TYPES[keyType]!;
    const caCommonName = config.get("caCommonName") || `tls-platform ${stack} CA`;
    return {
        ca: {
            commonName: caCommonName,
            organization: "tls-platform",
            validityDays: config.getNumber("caValidityDays") ?? DEFAULT_CA_VALIDITY_DAYS,
            earlyRenewalDays: config.getNumber("caEarlyRenewalDays") ?? DEFAULT_CA_EARLY_RENEWAL_DAYS,
            ...keyArgs,
        },
        key: keyArgs,
        leafValidityDays: config.getNumber("leafValidityDays") ?? DEFAULT_LEAF_VALIDITY_DAYS,
        leafEarlyRenewalDays: config.getNumber("leafEarlyRenewalDays") ?? DEFAULT_LEAF_EARLY_RENEWAL_DAYS,
        appName,
    };
}
