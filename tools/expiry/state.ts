/**
 * The certificates of a `pulumi stack export` (deployment format v3): each live `tls` certificate's
 * name, type, URN and the three outputs the check reads. Nothing else of the state is kept, so no
 * secret (they stay encrypted in an export without --show-secrets anyway) can reach a message.
 */
import { CERTIFICATE_TYPES, type CertificateRecord } from "./check";

export class StateError extends Error {}

interface ExportedResource {
    urn?: unknown;
    type?: unknown;
    delete?: unknown;
    outputs?: Record<string, unknown>;
}

/** `urn:pulumi:dev::tls-platform::parent$type::name` → `name` (a name may itself hold `::`). */
export const nameOfUrn = (urn: string) => urn.split("::").slice(3).join("::") || urn;

/** The certificates in `text`, the output of `pulumi stack export`; a StateError says why when it is not one. */
export function certificatesFromExport(text: string): CertificateRecord[] {
    let exported: unknown;
    try {
        exported = JSON.parse(text);
    } catch (error) {
        throw new StateError(`the input is not JSON (${(error as Error).message}): give the output of \`pulumi stack export --stack <stack>\`.`);
    }
    const deployment = (exported as { deployment?: { resources?: unknown } } | null)?.deployment;
    if (typeof deployment !== "object" || deployment === null) {
        throw new StateError("the input has no `deployment`: give the output of `pulumi stack export --stack <stack>` (a checkpoint, not `pulumi stack output`).");
    }
    const resources = deployment.resources ?? [];
    if (!Array.isArray(resources)) throw new StateError("`deployment.resources` is not a list: the export is damaged.");
    return (resources as ExportedResource[])
        // A resource marked `delete` is the old half of a replacement, waiting for its deletion.
        .filter((r) => typeof r.type === "string" && CERTIFICATE_TYPES.includes(r.type) && r.delete !== true)
        .map((r) => {
            const urn = typeof r.urn === "string" ? r.urn : undefined;
            const outputs = r.outputs ?? {};
            return {
                name: urn ? nameOfUrn(urn) : "(no URN)",
                type: r.type as string,
                ...(urn ? { urn } : {}),
                isCaCertificate: outputs.isCaCertificate,
                validityEndTime: outputs.validityEndTime,
                earlyRenewalHours: outputs.earlyRenewalHours,
            };
        });
}
