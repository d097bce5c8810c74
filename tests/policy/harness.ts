// Runs the pack's rules the way @pulumi/policy 1.21.0's analyzer server does (server.js
// makeAnalyzeRpcFun / makeAnalyzeStackRpcFun): props behind the framework's own unknown-checking
// proxy, `isType` by the class's Pulumi type token, `notApplicable` thrown, every reportViolation kept.
// The pack's packages live in policy/node_modules (the pack installs on its own, `npm ci --prefix
// policy`), so this file reaches @pulumi/policy there: the same module instance the rules use.
import type {
    EnforcementLevel,
    Policy,
    PolicyResource,
    ResourceValidationArgs,
    ResourceValidationPolicy,
    StackValidationArgs,
    StackValidationPolicy,
} from "../../policy/node_modules/@pulumi/policy";
import { UnknownValueError, unknownCheckingProxy } from "../../policy/node_modules/@pulumi/policy";
import { policies } from "../../policy/policies";

/**
 * The engine's sentinel for a string that is unknown until the update (pulumi/pulumi
 * sdk/go/common/resource/plugin/rpc.go `UnknownStringValue`), as a preview hands it to a policy.
 */
export const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/** A resource as the engine describes it to a policy: its type token, name and properties. */
export interface TestResource {
    readonly type: string;
    readonly name: string;
    readonly props: Record<string, unknown>;
    /** Property → names of the resources (in the same list) it was computed from. */
    readonly propertyDependencies?: Record<string, string[]>;
}

export interface Outcome {
    /** Every message passed to reportViolation, in order. */
    readonly violations: string[];
    /** The policy declared itself not applicable (another resource type, or nothing to check). */
    readonly notApplicable: boolean;
    /** What the framework would report as "can't run policy during preview" (an unknown value read unguarded). */
    readonly unknownReads: string[];
}

export interface Diagnostic {
    readonly policyName: string;
    readonly enforcementLevel: EnforcementLevel;
    readonly urn: string;
    readonly message: string;
}

export const urnOf = (r: Pick<TestResource, "type" | "name">, stack = "test") => `urn:pulumi:${stack}::tls-platform::${r.type}::${r.name}`;

class NotApplicable extends Error {}

const typeCheck = (type: string) => (resourceClass: unknown) => (resourceClass as { __pulumiType?: string }).__pulumiType === type;

const isUnknownRead = (error: unknown): error is Error => error instanceof UnknownValueError;

function resourceArgs(resource: TestResource): ResourceValidationArgs {
    const props = unknownCheckingProxy(structuredClone(resource.props)) as Record<string, any>;
    const isType = typeCheck(resource.type);
    return {
        type: resource.type,
        props,
        urn: urnOf(resource),
        name: resource.name,
        opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
        stackTags: new Map(),
        isType,
        asType: ((resourceClass: unknown) => (isType(resourceClass) ? props : undefined)) as ResourceValidationArgs["asType"],
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
}

/** Runs one resource policy's validations against one resource. */
export async function validateResource(policy: ResourceValidationPolicy, resource: TestResource): Promise<Outcome> {
    const validations = Array.isArray(policy.validateResource) ? policy.validateResource : policy.validateResource ? [policy.validateResource] : [];
    const violations: string[] = [];
    const unknownReads: string[] = [];
    let applicable = 0;
    for (const validation of validations) {
        try {
            await validation(resourceArgs(resource), (message) => violations.push(message));
            applicable++;
        } catch (error) {
            if (error instanceof NotApplicable) {
                continue;
            }
            if (isUnknownRead(error)) {
                applicable++;
                unknownReads.push(error.message);
                continue;
            }
            throw error;
        }
    }
    return { violations, notApplicable: applicable === 0, unknownReads };
}

/** The stack as a stack policy sees it: every resource, parents left out, dependencies by name. */
export function stackResources(resources: readonly TestResource[], stack = "test"): PolicyResource[] {
    const byName = new Map<string, PolicyResource>();
    const built = resources.map((r) => {
        const props = unknownCheckingProxy(structuredClone(r.props)) as Record<string, any>;
        const isType = typeCheck(r.type);
        const resource: PolicyResource = {
            type: r.type,
            props,
            urn: urnOf(r, stack),
            name: r.name,
            opts: { protect: false, ignoreChanges: [], aliases: [], customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 }, additionalSecretOutputs: [] },
            dependencies: [],
            propertyDependencies: {},
            isType,
            asType: ((resourceClass: unknown) => (isType(resourceClass) ? props : undefined)) as PolicyResource["asType"],
        };
        byName.set(r.name, resource);
        return resource;
    });
    resources.forEach((r, i) => {
        for (const [property, names] of Object.entries(r.propertyDependencies ?? {})) {
            built[i]!.propertyDependencies[property] = names.map((n) => {
                const dependency = byName.get(n);
                if (!dependency) {
                    throw new Error(`test resource ${r.name} depends on ${n}, which is not in the list`);
                }
                return dependency;
            });
        }
        built[i]!.dependencies = Object.values(built[i]!.propertyDependencies).flat();
    });
    return built;
}

/** Runs one stack policy over a stack (see `stackResources`), keeping the URN each violation names. */
export async function validateStack(policy: StackValidationPolicy, resources: PolicyResource[]): Promise<Outcome & { urns: string[] }> {
    const violations: string[] = [];
    const urns: string[] = [];
    const args: StackValidationArgs = {
        resources,
        stackTags: new Map(),
        getConfig: <T extends object>() => ({}) as T,
        notApplicable: (reason?: string): never => {
            throw new NotApplicable(reason);
        },
    };
    try {
        await policy.validateStack(args, (message, urn) => {
            violations.push(message);
            urns.push(urn ?? "");
        });
    } catch (error) {
        if (error instanceof NotApplicable) {
            return { violations, urns, notApplicable: true, unknownReads: [] };
        }
        if (isUnknownRead(error)) {
            return { violations, urns, notApplicable: false, unknownReads: [error.message] };
        }
        throw error;
    }
    return { violations, urns, notApplicable: false, unknownReads: [] };
}

const isStackPolicy = (p: Policy): p is StackValidationPolicy => typeof (p as StackValidationPolicy).validateStack === "function";

/**
 * Every diagnostic the whole pack gives a stack, as the engine asks for them: each resource policy on
 * each resource's inputs (Analyze), each stack policy on every resource's outputs (AnalyzeStack).
 */
export async function runPack(inputs: readonly TestResource[], outputs: readonly TestResource[], stack = "test"): Promise<Diagnostic[]> {
    const diagnostics: Diagnostic[] = [];
    for (const policy of policies) {
        const enforcementLevel = policy.enforcementLevel ?? "advisory";
        if (isStackPolicy(policy)) {
            const outcome = await validateStack(policy, stackResources(outputs, stack));
            outcome.violations.forEach((message, i) => diagnostics.push({ policyName: policy.name, enforcementLevel, urn: outcome.urns[i]!, message }));
            outcome.unknownReads.forEach((message) => diagnostics.push({ policyName: policy.name, enforcementLevel: "advisory", urn: "", message }));
            continue;
        }
        for (const resource of inputs) {
            const outcome = await validateResource(policy, resource);
            const urn = urnOf(resource, stack);
            outcome.violations.forEach((message) => diagnostics.push({ policyName: policy.name, enforcementLevel, urn, message }));
            // The framework reports a rule that read an unknown value as an advisory "can't run during preview".
            outcome.unknownReads.forEach((message) => diagnostics.push({ policyName: policy.name, enforcementLevel: "advisory", urn, message }));
        }
    }
    return diagnostics;
}

function packPolicy(name: string) {
    const found = policies.find((p) => p.name === name);
    if (!found) {
        throw new Error(`the pack has no policy named ${name}; it has ${policies.map((p) => p.name).join(", ")}`);
    }
    return found;
}

/** The pack's resource policy named `name` (so the tests exercise exactly what the pack serves). */
export function resourcePolicy(name: string): ResourceValidationPolicy {
    const found = packPolicy(name);
    if (isStackPolicy(found)) {
        throw new Error(`${name} is a stack policy`);
    }
    return found;
}

/** The pack's stack policy named `name`. */
export function stackPolicy(name: string): StackValidationPolicy {
    const found = packPolicy(name);
    if (!isStackPolicy(found)) {
        throw new Error(`${name} is a resource policy`);
    }
    return found;
}
