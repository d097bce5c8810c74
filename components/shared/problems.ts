import * as pulumi from "@pulumi/pulumi";

/** One thing wrong with a component's arguments or the program's config. */
export interface Problem {
    /** The argument or config key at fault, e.g. `dnsNames[1]` or `tls-platform:cacheMemory`. */
    readonly path: string;
    /** Names the value received, what is allowed, and the fix. */
    readonly message: string;
}

/** Renders a value for an error message: strings in backticks, everything else as JSON. */
export function show(value: unknown): string {
    if (typeof value === "string") {
        return `\`${value}\``;
    }
    return value === undefined ? "undefined" : JSON.stringify(value);
}

/** The one message listing every problem, so that a user fixes them all in one pass. */
export function formatProblems(subject: string, problems: readonly Problem[]): string {
    const noun = problems.length === 1 ? "problem" : "problems";
    return [`${subject}: ${problems.length} ${noun}:`, ...problems.map((p) => `  - ${p.message}`)].join("\n");
}

/**
 * Throws one `InputPropertiesError` naming every problem (with a `propertyPath` each), or returns
 * when there is none. Called before a component creates any child, so nothing is half-made.
 */
export function throwIfProblems(subject: string, problems: readonly Problem[]): void {
    if (problems.length === 0) {
        return;
    }
    throw new pulumi.InputPropertiesError({
        message: formatProblems(subject, problems),
        errors: problems.map((p) => ({ propertyPath: p.path, reason: p.message })),
    });
}

/** True when `value` (and every element, for an array) is known now, not an Output or a Promise. */
export function isKnown<T>(value: pulumi.Input<T> | undefined): value is T | undefined {
    if (pulumi.Output.isInstance(value) || value instanceof Promise) {
        return false;
    }
    return !Array.isArray(value) || value.every((v) => !pulumi.Output.isInstance(v) && !(v instanceof Promise));
}
