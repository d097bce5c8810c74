import * as crypto from "node:crypto";
import type { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { read, UNKNOWN } from "../values";

// The CA key rollover's guards that need the whole stack (README, "CA key rollover"). The component
// checks what its own arguments show (the issuing generation is in the bundle) before anything is
// created, and what its outputs show once known (an issuer outside its bundle, an expired generation);
// this rule sees every certificate the stack holds, also on exported state and in a preview.

const LEAF = "tls:index/locallySignedCert:LocallySignedCert";
const SELF_SIGNED = "tls:index/selfSignedCert:SelfSignedCert";

/** The DER of a PEM certificate, or undefined when it does not parse. */
function der(pem: unknown): Buffer | undefined {
    try {
        return typeof pem === "string" ? new crypto.X509Certificate(pem).raw : undefined;
    } catch {
        return undefined;
    }
}

const subjectOf = (pem: string) => new crypto.X509Certificate(pem).subject.replace(/\n/g, ", ");

interface CaCertificate {
    readonly resource: PolicyResource;
    readonly der: Buffer | typeof UNKNOWN;
    readonly validityEndTime: string | typeof UNKNOWN | undefined;
}

function caCertificates(resources: readonly PolicyResource[]): CaCertificate[] {
    return resources
        .filter((r) => r.type === SELF_SIGNED && read(() => r.props.isCaCertificate) !== false)
        .map((r) => {
            const pem = read(() => r.props.certPem);
            return { resource: r, der: pem === UNKNOWN ? UNKNOWN : (der(pem) ?? UNKNOWN), validityEndTime: read(() => r.props.validityEndTime) as string | typeof UNKNOWN | undefined };
        });
}

export const caRollover: StackValidationPolicy = {
    name: "ca-rollover",
    description:
        "Every leaf certificate chains to a CA certificate this stack still holds (no leaf of a dropped CA generation), and no expired CA certificate stays in a trust bundle.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const cas = caCertificates(args.resources);
        const now = Date.now();
        for (const ca of cas) {
            const end = ca.validityEndTime;
            // Unknown or missing: issued by this run (certificate-expiry says the same).
            if (typeof end === "string" && Date.parse(end) <= now) {
                reportViolation(
                    `CA certificate \`${ca.resource.name}\` expired at ${end} and is still in its CA's trust bundle, so every client and server given that bundle trusts a CA that signs nothing valid. ` +
                        "Drop its generation from the CA's `generations` (rollover phase 3) once nothing is issued from it, or run `pulumi up`, which renews an expired CA certificate with the same key.",
                    ca.resource.urn,
                );
            }
        }
        // A CA certificate created or replaced by this run has no PEM yet: a leaf may chain to it, so no
        // leaf can be judged until the update.
        if (cas.length === 0 || cas.some((ca) => ca.der === UNKNOWN)) return;
        const held = cas.map((ca) => ca.der as Buffer);
        for (const leaf of args.resources.filter((r) => r.type === LEAF)) {
            const issuerPem = read(() => leaf.props.caCertPem);
            const issuer = issuerPem === UNKNOWN ? undefined : der(issuerPem);
            if (issuer === undefined || held.some((d) => d.equals(issuer))) continue;
            reportViolation(
                `Leaf certificate \`${leaf.name}\` chains to the CA certificate \`${subjectOf(issuerPem as string)}\`, which this stack no longer holds (a dropped CA generation, or a CA from elsewhere), so clients given this stack's trust bundles refuse it. ` +
                    "Issue it from the CA's issuing generation (its `ca` argument), or keep that generation in `generations` until every leaf is re-issued (rollover phase 2 before phase 3).",
                leaf.urn,
            );
        }
    },
};

export const rolloverPolicies = [caRollover];
