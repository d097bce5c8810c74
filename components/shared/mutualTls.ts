import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { Certificate } from "../pki/certificate";
import { leafIdentity } from "../pki/identity";
import { Problem, formatProblems, isKnown, show } from "./problems";
import type { ClientCertificateInput, TlsServiceArgs } from "./service";

/** The client certificate's common name when the service issues it and no user must match. */
export const DEFAULT_CLIENT_COMMON_NAME = "app";

/** Who the service's clients are: the common name of the certificate it issues, and whether a given one must carry it. */
export interface ClientIdentityRule {
    readonly commonName: string;
    /** PostgreSQL `clientcert=verify-full`: the CN must be the database user. */
    readonly mustMatch: boolean;
}

export const ANY_CLIENT: ClientIdentityRule = { commonName: DEFAULT_CLIENT_COMMON_NAME, mustMatch: false };

/** id-kp-clientAuth (RFC 5280 §4.2.1.12). */
const CLIENT_AUTH_OID = "1.3.6.1.5.5.7.3.2";

/** What a client certificate says about itself: from what a `Certificate` was made for, or its PEM once parsed. */
interface ClientIdentity {
    readonly commonName: string | undefined;
    /** False when its extended key usages leave clientAuth out: servers then refuse it. */
    readonly clientAuth: boolean;
    readonly purpose: string;
}

function identityOfPem(pem: string): ClientIdentity | undefined {
    let certificate: crypto.X509Certificate;
    try {
        certificate = new crypto.X509Certificate(pem);
    } catch {
        return undefined;
    }
    const commonName = certificate.subject
        .split("\n")
        .find((line) => line.startsWith("CN="))
        ?.slice(3);
    // No extended key usage at all allows every purpose (RFC 5280 §4.2.1.12).
    const usages = certificate.keyUsage ?? [];
    const clientAuth = usages.length === 0 || usages.includes(CLIENT_AUTH_OID);
    return { commonName, clientAuth, purpose: clientAuth ? "client" : "server" };
}

const ISSUE_FIX = "issue one with `purpose: \"client\"`, or leave `clientCertificate` out to have the service issue one from `ca`";

/** Problems with a client certificate's identity: it must authenticate clients, and carry the user a server maps. */
function identityProblems(identity: ClientIdentity, requiredCommonName: string | undefined, path: string): Problem[] {
    const problems: Problem[] = [];
    if (!identity.clientAuth) {
        problems.push({
            path,
            message: `\`${path}\`: ${show(identity.commonName)} is a server certificate (purpose \`${identity.purpose}\`: no clientAuth usage), and a TLS server refuses it from a client ("unsupported certificate purpose"); ${ISSUE_FIX}.`,
        });
    }
    if (requiredCommonName !== undefined && identity.commonName !== requiredCommonName) {
        problems.push({
            path,
            message: `\`${path}\`: its common name ${show(identity.commonName)} is not the database user ${show(requiredCommonName)}, and PostgreSQL's \`clientcert=verify-full\` accepts a client certificate only when its CN is the user, so every connection would be refused; issue it with \`commonName: "${requiredCommonName}"\`, or leave \`clientCertificate\` out to have one issued for that user.`,
        });
    }
    return problems;
}

/**
 * The mutual-TLS arguments that are known now (pure): a client certificate that can authenticate a
 * client and, for PostgreSQL, names the database user. A `Certificate` is known by what it was made
 * for (pki/identity.ts); a PEM string is parsed; a PEM from another resource's output is checked once
 * known (`mutualTlsDefaults`).
 */
export function validateMutualTls(args: Pick<TlsServiceArgs, "mutualTls" | "clientCaCertPem" | "clientCertificate">, requiredCommonName?: string): Problem[] {
    if (args.mutualTls !== true) {
        return [];
    }
    const path = "clientCertificate";
    const given = args.clientCertificate as ClientCertificateInput | undefined;
    if (given === undefined || given === null) {
        // A CA of the caller's own needs a certificate from it: the one this service would issue comes from `ca`.
        return args.clientCaCertPem === undefined
            ? []
            : [
                  {
                      path,
                      message: "`clientCertificate`: missing while `clientCaCertPem` names a client CA of your own, so the connection documents would carry no certificate that CA accepts; pass one it issued, or leave out `clientCaCertPem` to trust `ca` and have the service issue the client certificate.",
                  },
              ];
    }
    if (typeof given !== "object" || given.certPem === undefined || given.privateKeyPem === undefined) {
        return [{ path, message: `\`${path}\`: ${show(given)} has no \`certPem\` and \`privateKeyPem\`; pass a \`Certificate\` with \`purpose: "client"\`, or leave it out to have the service issue one.` }];
    }
    const leaf = leafIdentity(given);
    if (leaf) {
        return identityProblems({ commonName: leaf.commonName, clientAuth: leaf.purpose !== "server", purpose: leaf.purpose }, requiredCommonName, path);
    }
    if (isKnown(given.certPem) && typeof given.certPem === "string") {
        const identity = identityOfPem(given.certPem);
        return identity ? identityProblems(identity, requiredCommonName, path) : [{ path, message: `\`${path}\`: its \`certPem\` is not a PEM certificate; pass a \`Certificate\` with \`purpose: "client"\`.` }];
    }
    return [];
}

/**
 * Mutual TLS from one argument: `clientCaCertPem` defaults to the CA that issues the server's
 * certificate (`ca`), and `clientCertificate` to one the service issues from it (`<name>-client`,
 * purpose client, common name `client.commonName`). A client certificate PEM that is an output of
 * another resource is checked once known and fails `parent` before the documents carry it.
 * Call after validation: it creates the default certificate.
 */
export function mutualTlsDefaults<T extends TlsServiceArgs>(name: string, args: T, parent: pulumi.Resource, subject: string, client: ClientIdentityRule = ANY_CLIENT): T {
    if (args.mutualTls !== true) {
        return args;
    }
    const clientCaCertPem = args.clientCaCertPem ?? args.ca.trustBundlePem ?? args.ca.certPem;
    if (args.clientCertificate === undefined) {
        const issued = new Certificate(
            `${name}-client`,
            {
                ca: args.ca,
                commonName: client.commonName,
                purpose: "client",
                validityDays: args.certificateValidityDays,
                earlyRenewalDays: args.certificateEarlyRenewalDays,
                ...args.certificateKey,
            },
            { parent },
        );
        return { ...args, clientCaCertPem, clientCertificate: issued };
    }
    const given = args.clientCertificate;
    if (leafIdentity(given) !== undefined || isKnown(given.certPem)) {
        return { ...args, clientCaCertPem };
    }
    const certPem = pulumi.output(given.certPem).apply((pem) => {
        const identity = identityOfPem(pem);
        const problems = identity ? identityProblems(identity, client.mustMatch ? client.commonName : undefined, "clientCertificate") : [{ path: "clientCertificate", message: "`clientCertificate`: its `certPem` is not a PEM certificate; pass a `Certificate` with `purpose: \"client\"`." }];
        if (problems.length > 0) {
            throw new pulumi.ResourceError(formatProblems(subject, problems), parent);
        }
        return pem;
    });
    return { ...args, clientCaCertPem, clientCertificate: { certPem, privateKeyPem: given.privateKeyPem } };
}
