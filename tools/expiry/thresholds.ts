/**
 * The one source of the `certificate-expiry` thresholds: the policy pack's rule (policy/rules/expiry.ts)
 * declares them as its config schema with these defaults, and tls-platform-expiry (cli.ts) reads the
 * same defaults and the same `--policy-pack-config` file, so a preview and a check of exported state
 * never disagree. This module imports nothing: the pack, its own package run by ts-node from policy/,
 * reaches it by relative path (as it reaches components/pki/limits.ts).
 */

export const EXPIRY_POLICY_NAME = "certificate-expiry";

export interface ExpiryThresholds {
    /** A leaf (not isCaCertificate) with fewer days left than this is a problem. */
    readonly leafMinDaysLeft: number;
    /** A CA certificate (isCaCertificate) with fewer days left than this is a problem. */
    readonly caMinDaysLeft: number;
}

/**
 * Leaves: 14 days. They live 90 days and renew in their last 30 (components/pki/defaults.ts), and
 * renew.yml runs `pulumi up` weekly, so a renewed stack never holds a leaf under ~23 days; 14 days
 * means two weekly runs were missed, with two weeks left to react. CAs: 90 days. They live 1095 days
 * and renew in their last 180, and a CA renewal re-issues every leaf and needs every client to take
 * the new CA certificate, so half the window gone is the alarm. Neither fires on a fresh stack, nor
 * on one inside its windows that `pulumi up` renews (a certificate renewed in the run is fine).
 */
export const DEFAULT_EXPIRY_THRESHOLDS: ExpiryThresholds = { leafMinDaysLeft: 14, caMinDaysLeft: 90 };

const KEYS = ["leafMinDaysLeft", "caMinDaysLeft"] as const;

/** The rule's config schema (JSON Schema, as @pulumi/policy's `configSchema` takes it). */
export const EXPIRY_CONFIG_SCHEMA = {
    properties: {
        leafMinDaysLeft: {
            type: "integer",
            minimum: 0,
            default: DEFAULT_EXPIRY_THRESHOLDS.leafMinDaysLeft,
            description: "Fail when a leaf certificate has fewer days than this left (0: only when expired).",
        },
        caMinDaysLeft: {
            type: "integer",
            minimum: 0,
            default: DEFAULT_EXPIRY_THRESHOLDS.caMinDaysLeft,
            description: "Fail when a CA certificate (isCaCertificate) has fewer days than this left (0: only when expired).",
        },
    },
} as const;

/**
 * The thresholds a rule's config asks for (what `getConfig()` returns, or the rule's entry of a
 * `--policy-pack-config` file), each missing one at its default, and a message per bad value.
 */
export function thresholdsFromConfig(config: unknown): { thresholds: ExpiryThresholds; problems: string[] } {
    const problems: string[] = [];
    const given = typeof config === "object" && config !== null && !Array.isArray(config) ? (config as Record<string, unknown>) : {};
    const thresholds = { ...DEFAULT_EXPIRY_THRESHOLDS };
    for (const key of KEYS) {
        const value = given[key];
        if (value === undefined) continue;
        if (typeof value === "number" && Number.isInteger(value) && value >= 0) {
            thresholds[key] = value;
        } else {
            problems.push(`\`${EXPIRY_POLICY_NAME}.${key}\` is ${JSON.stringify(value)}: it must be a whole number of days, 0 or more (default ${DEFAULT_EXPIRY_THRESHOLDS[key]}).`);
        }
    }
    return { thresholds, problems };
}
