import { unwrapSecrets } from "../../emulator/secrets";
import { DIFF_RULES, type DiffRules } from "./rules";

type Props = Record<string, any>;

/** The value the engine sends for an input not known until apply (pulumi/pulumi sdk/go/common/resource/plugin/rpc.go UnknownStringValue). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export interface PlannedChange {
    readonly changes: boolean;
    /** Inputs (camelCase) whose change replaces the resource, plus plan-time reasons such as `readyForRenewal`. */
    readonly replaces: string[];
    /** Compared inputs that keep their value. */
    readonly stables: string[];
    readonly deleteBeforeReplace: boolean;
    /** Why each changed input changed, for messages and tests. */
    readonly reasons: Record<string, string>;
}

export function rulesFor(type: string): DiffRules {
    const rules = DIFF_RULES[type];
    if (!rules) {
        throw new Error(`provider emulator: no Diff rules transcribed for ${type}; add them to tests/engine/providers/rules.ts with their upstream source`);
    }
    return rules;
}

/** JSON with object keys sorted: a property map's order means nothing (protobuf Structs do not keep it). */
const canonical = (v: unknown): string =>
    Array.isArray(v) ? `[${v.map(canonical).join(",")}]`
        : typeof v === "object" && v !== null ? `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Props)[k])}`).join(",")}}`
            : JSON.stringify(v ?? null);
const equal = (a: unknown, b: unknown) => canonical(a) === canonical(b);
const containsUnknown = (v: unknown): boolean =>
    v === UNKNOWN || (Array.isArray(v) ? v.some(containsUnknown) : typeof v === "object" && v !== null && Object.values(v).some(containsUnknown));

/**
 * The change a real provider plans from the stored state `olds` to the program's inputs `news`, as
 * Terraform does: the configuration against the prior state, the provider's defaults for unset
 * inputs, Optional+Computed inputs left unset keeping their stored value, then ForceNew/RequiresReplace
 * deciding replace versus update.
 */
export function planChange(type: string, oldState: Props, newInputs: Props, now: Date): PlannedChange {
    const rules = rulesFor(type);
    const olds = unwrapSecrets(oldState).value as Props;
    const declared = new Set([...rules.forceNew, ...rules.inPlace]);
    const news = rules.normalize ? rules.normalize(unwrapSecrets(newInputs).value as Props, olds) : (unwrapSecrets(newInputs).value as Props);
    const computed = new Set(rules.computed ?? []);
    const keys = new Set([...Object.keys(news), ...Object.keys(olds).filter((k) => declared.has(k))]);

    const reasons: Record<string, string> = {};
    const replaces: string[] = [];
    const stables: string[] = [];
    for (const key of [...keys].sort()) {
        const planned = news[key] ?? rules.defaults?.[key];
        if (planned === undefined && computed.has(key)) {
            stables.push(key);
            continue;
        }
        const stored = olds[key] ?? rules.defaults?.[key];
        if (!containsUnknown(planned) && equal(stored, planned)) {
            stables.push(key);
            continue;
        }
        const replace = rules.forceNew.includes(key) || (!rules.inPlace.includes(key) && rules.otherInputs === "replace");
        reasons[key] = `${replace ? "replace" : "update"}: ${JSON.stringify(stored)} → ${containsUnknown(planned) ? "(unknown)" : JSON.stringify(planned)}`;
        if (replace) replaces.push(key);
    }
    for (const [key, why] of Object.entries(rules.planReplacements?.(olds, news, now) ?? {})) {
        reasons[key] = `replace: ${why}`;
        if (!replaces.includes(key)) replaces.push(key);
    }
    const changes = Object.keys(reasons).length > 0;
    return {
        changes,
        replaces,
        stables: replaces.length > 0 ? [] : stables,
        deleteBeforeReplace: replaces.length > 0 && rules.deleteBeforeReplace === true,
        reasons,
    };
}
