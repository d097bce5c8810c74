import * as pulumi from "@pulumi/pulumi";
import { canonicalIp, isUnspecifiedIp } from "./hosts";
import { Problem } from "./problems";

/**
 * Host ports published by the services of one program. Docker refuses a second container on a port
 * that is taken ("port is already allocated") only at `pulumi up`, after the first one exists; the
 * root program's config check covers this project's own stacks, but other teams compose the
 * components in programs of their own, so the components keep this registry themselves.
 *
 * Keyed by the engine's resource monitor: one per program run (a `pulumi up`, or each `setMocks` in
 * tests), so separate programs in one process never see each other's ports. Kept on `globalThis`
 * under a registered symbol, so that two copies of this library loaded in one program share it.
 */
interface Claim {
    readonly owner: string;
    readonly argument: string;
    readonly address: string;
}
type Registry = WeakMap<object, Map<number, Claim[]>>;

const REGISTRY = Symbol.for("tls-platform.hostPorts");
/** Stands in for the monitor when there is none (a program outside the engine). */
const NO_MONITOR = {};

function claimsOfThisProgram(): Map<number, Claim[]> {
    const global = globalThis as { [REGISTRY]?: Registry };
    const registry = (global[REGISTRY] ??= new WeakMap());
    const key = (pulumi.runtime.getMonitor() as object | undefined) ?? NO_MONITOR;
    let claims = registry.get(key);
    if (!claims) {
        claims = new Map();
        registry.set(key, claims);
    }
    return claims;
}

/** Two bindings of one port collide on the same address, or when either binds every interface. */
function collides(a: string, b: string): boolean {
    return a === b || isUnspecifiedIp(a) || isUnspecifiedIp(b);
}

/** A host port wanted by a component: which argument asks for it, on which address. */
export interface HostPortRequest {
    readonly argument: string;
    readonly port: number;
    readonly address: string;
}

/** Problems for requested ports another service of this program already publishes (reads only). */
export function hostPortConflicts(requests: readonly HostPortRequest[]): Problem[] {
    const claims = claimsOfThisProgram();
    return requests.flatMap((request) => {
        const address = canonicalIp(request.address) ?? request.address;
        const taken = (claims.get(request.port) ?? []).find((claim) => collides(claim.address, address));
        return taken
            ? [
                  {
                      path: request.argument,
                      message: `\`${request.argument}\`: ${request.port} is already published on ${taken.address} by ${taken.owner} (\`${taken.argument}\`) in this program, and Docker would refuse the second container at \`pulumi up\` ("port is already allocated") after creating the first; give each service its own host port, or leave \`${request.argument}\` out to let Docker pick a free one.`,
                  },
              ]
            : [];
    });
}

/** Records the ports of a component that passed validation. */
export function claimHostPorts(owner: string, requests: readonly HostPortRequest[]): void {
    const claims = claimsOfThisProgram();
    for (const request of requests) {
        const address = canonicalIp(request.address) ?? request.address;
        claims.set(request.port, [...(claims.get(request.port) ?? []), { owner, argument: request.argument, address }]);
    }
}
