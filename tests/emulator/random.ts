import * as crypto from "node:crypto";
import { Diagnostics } from "./diagnostics";

type Inputs = Record<string, any>;

export const LOWER = "abcdefghijklmnopqrstuvwxyz";
export const UPPER = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
export const NUMERIC = "0123456789";
/** terraform-provider-random internal/random/string.go defaultSpecial. */
export const DEFAULT_SPECIAL = "!@#$%&*()-_=+[]{}<>:?";

function pick(charset: string, count: number): string[] {
    return Array.from({ length: count }, () => charset[crypto.randomInt(charset.length)]!);
}

/**
 * Plan-time checks of `random:index/randomPassword` (terraform-provider-random resource_password.go
 * `passwordSchemaV3`: length AtLeast(1) and AtLeastSumOf(min_upper, min_lower, min_numeric, min_special), each min_* AtLeast(0)).
 */
export function checkRandomPassword(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "length");
    d.atLeast("length", inputs.length, 1, "length");
    for (const min of ["minUpper", "minLower", "minNumeric", "minSpecial"]) {
        d.atLeast(min.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`), inputs[min], 0, min);
    }
    // int64validator.AtLeastSumOf over the minimums that are set (terraform-plugin-framework-validators).
    const set = ["minUpper", "minLower", "minNumeric", "minSpecial"].filter((k) => typeof inputs[k] === "number");
    const sumOfMins = set.reduce((sum, k) => sum + inputs[k], 0);
    if (typeof inputs.length === "number" && inputs.length < sumOfMins) {
        d.add(`Invalid Attribute Value: Attribute length value must be at least sum of ${set.map((k) => k.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)).join(" + ")}, got: ${inputs.length}`, "length");
    }
}

/**
 * `random:index/randomPassword`, as terraform-provider-random builds it: the minimum of each class
 * first, the rest from the union of enabled classes, then a cryptographic shuffle.
 */
export function randomPassword(name: string, inputs: Inputs): Record<string, unknown> {
    const d = new Diagnostics();
    checkRandomPassword(inputs, d);
    const upper = inputs.upper ?? true;
    const lower = inputs.lower ?? true;
    const numeric = inputs.numeric ?? inputs.number ?? true;
    const special = inputs.special ?? true;
    const specialChars: string = inputs.overrideSpecial ?? DEFAULT_SPECIAL;
    const mins = { upper: inputs.minUpper ?? 0, lower: inputs.minLower ?? 0, numeric: inputs.minNumeric ?? 0, special: inputs.minSpecial ?? 0 };
    const classes: Array<[boolean, string, number]> = [
        [upper, UPPER, mins.upper],
        [lower, LOWER, mins.lower],
        [numeric, NUMERIC, mins.numeric],
        [special, specialChars, mins.special],
    ];
    const union = classes.filter(([on]) => on).map(([, chars]) => chars).join("");
    if (union.length === 0) {
        d.add("Invalid Attribute Combination: at least one of upper, lower, numeric or special must be true");
    }
    d.throwIfAny("random:index/randomPassword:RandomPassword", name);

    const chars = classes.flatMap(([on, charset, min]) => (on ? pick(charset, min) : []));
    chars.push(...pick(union, inputs.length - chars.length));
    for (let i = chars.length - 1; i > 0; i--) {
        const j = crypto.randomInt(i + 1);
        [chars[i], chars[j]] = [chars[j]!, chars[i]!];
    }
    return {
        ...inputs,
        id: "none",
        upper,
        lower,
        numeric,
        special,
        ...Object.fromEntries(Object.entries(mins).map(([k, v]) => [`min${k[0]!.toUpperCase()}${k.slice(1)}`, v])),
        result: chars.join(""),
    };
}
