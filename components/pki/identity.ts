import type { CertificatePurpose } from "./defaults";

/**
 * What the PKI components know about each certificate they made, for the checks other components
 * run on their arguments (a leaf given as a CA, a server certificate given as a client certificate,
 * a client certificate for the wrong user). Kept beside the instances rather than as class
 * properties: Pulumi's component analyzer would publish every class property as an output of the
 * package schema. Internal: not exported from the package.
 */
export interface LeafIdentity {
    readonly commonName: string;
    readonly purpose: CertificatePurpose;
}

const leaves = new WeakMap<object, LeafIdentity>();

export function recordLeaf(certificate: object, identity: LeafIdentity): void {
    leaves.set(certificate, identity);
}

/** The identity of a leaf a `Certificate` made, or undefined for anything else. */
export function leafIdentity(value: unknown): LeafIdentity | undefined {
    return typeof value === "object" && value !== null ? leaves.get(value) : undefined;
}
