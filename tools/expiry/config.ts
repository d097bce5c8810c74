/**
 * The `certificate-expiry` entry of a policy pack config file, the file `pulumi preview
 * --policy-pack-config` takes (`{ "<policy>": "<level>" | { "enforcementLevel"?, ...properties },
 * "all"?: ... }`), so that tls-platform-expiry and the pack read their thresholds from one place.
 */
import { EXPIRY_POLICY_NAME, type ExpiryThresholds, thresholdsFromConfig } from "./thresholds";

export type EnforcementLevel = "advisory" | "mandatory" | "disabled";
const LEVELS: readonly string[] = ["advisory", "mandatory", "remediate", "disabled"];

/** The rule's own level (pulumi/policy policy.ts `enforcementLevel: "mandatory"` in policy/rules/expiry.ts). */
export const EXPIRY_DEFAULT_LEVEL: EnforcementLevel = "mandatory";

export interface ExpiryConfig {
    readonly thresholds: ExpiryThresholds;
    readonly enforcementLevel: EnforcementLevel;
    readonly problems: string[];
}

/** An entry's level and properties: a bare level string, or an object with `enforcementLevel`. */
function entry(value: unknown, where: string, problems: string[]): { level?: EnforcementLevel; properties: unknown } {
    if (value === undefined) return { properties: {} };
    const level = typeof value === "string" ? value : typeof value === "object" && value !== null ? (value as Record<string, unknown>).enforcementLevel : undefined;
    if (level !== undefined && (typeof level !== "string" || !LEVELS.includes(level))) {
        problems.push(`\`${where}\` has enforcement level ${JSON.stringify(level)}: use one of ${LEVELS.join(", ")}.`);
        return { properties: typeof value === "object" ? value : {} };
    }
    // A stack policy cannot remediate; the pack runs such a level as mandatory (@pulumi/policy server.js).
    const normalized = level === "remediate" ? "mandatory" : (level as EnforcementLevel | undefined);
    return { ...(normalized ? { level: normalized } : {}), properties: typeof value === "object" && value !== null ? value : {} };
}

/** What a policy pack config file (its JSON text; undefined: no file) asks of `certificate-expiry`. */
export function expiryConfigFromPackConfig(text: string | undefined): ExpiryConfig {
    const problems: string[] = [];
    if (text === undefined) return { ...thresholdsFromConfig({}), enforcementLevel: EXPIRY_DEFAULT_LEVEL };
    let config: unknown;
    try {
        config = JSON.parse(text);
    } catch (error) {
        return { ...thresholdsFromConfig({}), enforcementLevel: EXPIRY_DEFAULT_LEVEL, problems: [`the policy pack config is not JSON: ${(error as Error).message}`] };
    }
    if (typeof config !== "object" || config === null || Array.isArray(config)) {
        return { ...thresholdsFromConfig({}), enforcementLevel: EXPIRY_DEFAULT_LEVEL, problems: ["the policy pack config is not a JSON object of policy names."] };
    }
    const all = entry((config as Record<string, unknown>).all, "all", problems);
    const own = entry((config as Record<string, unknown>)[EXPIRY_POLICY_NAME], EXPIRY_POLICY_NAME, problems);
    const { thresholds, problems: thresholdProblems } = thresholdsFromConfig(own.properties);
    return { thresholds, enforcementLevel: own.level ?? all.level ?? EXPIRY_DEFAULT_LEVEL, problems: [...problems, ...thresholdProblems] };
}
