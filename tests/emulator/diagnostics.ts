/**
 * The errors the emulated providers raise, worded like the Terraform-bridged providers' diagnostics so
 * that a test can pin them.
 */
export class ProviderError extends Error {
    constructor(
        readonly resourceType: string,
        readonly resourceName: string,
        readonly diagnostics: readonly string[],
    ) {
        super(`${resourceType} "${resourceName}": ${diagnostics.join("; ")}`);
        this.name = "ProviderError";
    }
}

/** One refusal: the input it is about (Pulumi's camelCase path, `""` for the resource as a whole) and why. */
export interface Problem {
    readonly property: string;
    readonly message: string;
}

/** The value the engine sends for an input not known until apply (pulumi/pulumi sdk/go/common/resource/plugin/rpc.go UnknownStringValue). */
export const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * `value` with every unknown leaf removed (an unknown array element becomes `undefined`), and the
 * top-level inputs that were or held unknowns: Terraform runs no validator on an unknown value, and an
 * unknown value satisfies Required.
 */
export function withoutUnknowns(value: Record<string, unknown>): { known: Record<string, any>; unknown: Set<string> } {
    const unknown = new Set<string>();
    const strip = (v: unknown, top: string): unknown => {
        if (v === UNKNOWN) {
            unknown.add(top);
            return undefined;
        }
        if (Array.isArray(v)) return v.map((e) => strip(e, top));
        if (typeof v === "object" && v !== null) {
            return Object.fromEntries(Object.entries(v).map(([k, e]) => [k, strip(e, top)]).filter(([, e]) => e !== undefined));
        }
        return v;
    };
    const known = Object.fromEntries(Object.entries(value).map(([k, v]) => [k, strip(v, k)]).filter(([, v]) => v !== undefined));
    return { known, unknown };
}

/** Collects the provider-side validation failures of one resource. */
export class Diagnostics {
    private readonly found: Problem[] = [];

    /** `unknown`: inputs not known yet (a preview), which satisfy Required and are not validated. */
    constructor(private readonly unknown: ReadonlySet<string> = new Set()) {}

    /** Whether the input `name` was not known yet (Terraform's raw config still counts it as set). */
    isUnknown(name: string): boolean {
        return this.unknown.has(name);
    }

    get problems(): readonly Problem[] {
        return this.found;
    }

    add(message: string, property = ""): void {
        this.found.push({ property, message });
    }

    required(inputs: Record<string, unknown>, ...names: string[]): void {
        for (const name of names) {
            if ((inputs[name] === undefined || inputs[name] === null) && !this.unknown.has(name)) {
                this.add(`Missing required argument: The argument "${toSnake(name)}" is required, but no definition was found.`, name);
            }
        }
    }

    oneOf(attribute: string, value: unknown, allowed: readonly string[], property = ""): void {
        if (value !== undefined && !allowed.includes(value as string)) {
            this.add(`Invalid Attribute Value Match: Attribute ${attribute} value must be one of: ${JSON.stringify(allowed)}, got: ${JSON.stringify(value)}`, property);
        }
    }

    atLeast(attribute: string, value: unknown, min: number, property = ""): void {
        if (value !== undefined && !(typeof value === "number" && Number.isInteger(value) && value >= min)) {
            this.add(`Invalid Attribute Value: Attribute ${attribute} value must be at least ${min}, got: ${JSON.stringify(value)}`, property);
        }
    }

    throwIfAny(type: string, name: string): void {
        if (this.found.length > 0) {
            throw new ProviderError(type, name, this.found.map((p) => p.message));
        }
    }
}

/** `allowedUses` → `allowed_uses`: the providers' schema names, used in their messages. */
export function toSnake(name: string): string {
    return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
