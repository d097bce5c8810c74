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

/** Collects the provider-side validation failures of one resource. */
export class Diagnostics {
    private readonly found: string[] = [];

    add(message: string): void {
        this.found.push(message);
    }

    required(inputs: Record<string, unknown>, ...names: string[]): void {
        for (const name of names) {
            if (inputs[name] === undefined || inputs[name] === null) {
                this.add(`Missing required argument: The argument "${toSnake(name)}" is required, but no definition was found.`);
            }
        }
    }

    oneOf(attribute: string, value: unknown, allowed: readonly string[]): void {
        if (value !== undefined && !allowed.includes(value as string)) {
            this.add(`Invalid Attribute Value Match: Attribute ${attribute} value must be one of: ${JSON.stringify(allowed)}, got: ${JSON.stringify(value)}`);
        }
    }

    atLeast(attribute: string, value: unknown, min: number): void {
        if (value !== undefined && !(typeof value === "number" && Number.isInteger(value) && value >= min)) {
            this.add(`Invalid Attribute Value: Attribute ${attribute} value must be at least ${min}, got: ${JSON.stringify(value)}`);
        }
    }

    throwIfAny(type: string, name: string): void {
        if (this.found.length > 0) {
            throw new ProviderError(type, name, this.found);
        }
    }
}

/** `allowedUses` → `allowed_uses`: the providers' schema names, used in their messages. */
export function toSnake(name: string): string {
    return name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`);
}
