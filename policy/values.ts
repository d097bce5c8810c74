import * as policy from "@pulumi/policy";
import type { PolicyResource } from "@pulumi/policy";
import type { Resource } from "@pulumi/pulumi";

/**
 * What a read of a property returns when the property is computed from a resource not created yet
 * (during `pulumi preview`). The policy framework hands rules a proxy that throws on such a read,
 * which would skip the whole rule with only an advisory note ("can't run policy during preview").
 */
export const UNKNOWN: unique symbol = Symbol("unknown until the update");
export type Read<T> = T | typeof UNKNOWN;

// Exported by @pulumi/policy at run time, but its .d.ts leaves the class out (proxy.d.ts is empty).
const UnknownValueError = (policy as unknown as { UnknownValueError: new (...args: never[]) => Error }).UnknownValueError;

/** Runs `get`, turning a value that is unknown until the update into `UNKNOWN`. */
export function read<T>(get: () => T): Read<T> {
    try {
        return get();
    } catch (error) {
        if (error instanceof UnknownValueError) {
            return UNKNOWN;
        }
        throw error;
    }
}

/**
 * True when a property holds something (an unknown value counts: it is being set from another
 * resource's output, e.g. a generated password or a new KMS key's ARN).
 */
export function isSet(get: () => unknown): boolean {
    const value = read(get);
    if (value === UNKNOWN) {
        return true;
    }
    if (Array.isArray(value)) {
        return value.length > 0;
    }
    return value !== undefined && value !== null && value !== "";
}

/** Renders a value for a message: strings in backticks, everything else as JSON. */
export function show(value: unknown): string {
    if (typeof value === "string") {
        return `\`${value}\``;
    }
    return value === undefined ? "not set" : JSON.stringify(value);
}

/** `(is) not set` or `is <value>`, for sentences that name the property first. */
export function describe(value: unknown): string {
    return value === undefined || value === null ? "is not set" : `is ${show(value)}`;
}

/**
 * The resources of `resourceClass` that `resource`'s `property` comes from: the engine's property
 * dependencies first (they are there during preview, when names are still unknown), else the
 * resources whose `outputKey` equals the property's value (a literal name, or a stack whose
 * dependencies were not recorded).
 */
export function referencedResources(
    resource: PolicyResource,
    property: string,
    resourceClass: new (...args: any[]) => Resource,
    resources: readonly PolicyResource[],
    outputKeys: readonly string[],
): PolicyResource[] {
    const dependencies = (resource.propertyDependencies[property] ?? []).filter((r) => r.isType(resourceClass));
    if (dependencies.length > 0) {
        return dependencies;
    }
    const value = read(() => resource.props[property]);
    if (value === UNKNOWN || value === undefined || value === null || value === "") {
        return [];
    }
    return resources.filter((candidate) => candidate.isType(resourceClass) && outputKeys.some((key) => read(() => candidate.props[key]) === value));
}
