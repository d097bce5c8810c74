import * as crypto from "node:crypto";
import * as net from "node:net";
import { Problem, isKnown, show } from "../shared/problems";
import type { CertificateInputs } from "./certificate";
import type { CertificateAuthorityInputs } from "./certificateAuthority";
import { bundleContains, splitPemBundle, validateGenerations } from "./generations";
import { leafIdentity } from "./identity";
import { validateKeyArgs } from "./keys";
import {
    CERTIFICATE_PURPOSES,
    CertificatePurpose,
    DEFAULT_CA_EARLY_RENEWAL_DAYS,
    DEFAULT_CA_VALIDITY_DAYS,
    DEFAULT_CERTIFICATE_PURPOSE,
    DEFAULT_LEAF_EARLY_RENEWAL_DAYS,
    DEFAULT_LEAF_VALIDITY_DAYS,
    MAX_CA_VALIDITY_DAYS,
    MAX_CLIENT_VALIDITY_DAYS,
    MAX_COMMON_NAME_LENGTH,
    MAX_SERVER_VALIDITY_DAYS,
} from "./defaults";

/** The plain (known-now) parts of a certificate's arguments that validation looks at. */
export interface LifetimeInput {
    readonly validityDays: number;
    readonly earlyRenewalDays: number;
    /** Upper bound for `validityDays`, and the reason quoted when it is exceeded. */
    readonly maxValidityDays: number;
    readonly maxReason: string;
    readonly defaultValidityDays: number;
    readonly defaultEarlyRenewalDays: number;
}

const isWholeDays = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n);

/** Validity and early renewal: renewal inside validity, or the provider replaces the certificate every run. */
export function validateLifetime(input: LifetimeInput): Problem[] {
    const problems: Problem[] = [];
    const { validityDays, earlyRenewalDays } = input;
    if (!isWholeDays(validityDays) || validityDays < 1) {
        problems.push({
            path: "validityDays",
            message: `\`validityDays\`: ${show(validityDays)} is not a whole number of days of at least 1; use e.g. ${input.defaultValidityDays} (the default).`,
        });
    } else if (validityDays > input.maxValidityDays) {
        problems.push({
            path: "validityDays",
            message: `\`validityDays\`: ${validityDays} exceeds the ${input.maxValidityDays}-day maximum ${input.maxReason}; use at most ${input.maxValidityDays} (default ${input.defaultValidityDays}).`,
        });
    }
    if (!isWholeDays(earlyRenewalDays) || earlyRenewalDays < 0) {
        problems.push({
            path: "earlyRenewalDays",
            message: `\`earlyRenewalDays\`: ${show(earlyRenewalDays)} is not a whole number of days of at least 0; use e.g. ${input.defaultEarlyRenewalDays} (the default).`,
        });
    } else if (isWholeDays(validityDays) && earlyRenewalDays >= validityDays) {
        problems.push({
            path: "earlyRenewalDays",
            message: `\`earlyRenewalDays\`: ${earlyRenewalDays} is not shorter than \`validityDays\` (${validityDays}), so every \`pulumi up\` would replace the certificate; use fewer than ${validityDays} days (e.g. a third of the validity).`,
        });
    }
    return problems;
}

export function validateCommonName(commonName: unknown): Problem[] {
    if (commonName === undefined || commonName === null) {
        return [{ path: "commonName", message: "`commonName`: missing; give a name that identifies the certificate, e.g. `commonName: \"api\"`." }];
    }
    if (typeof commonName !== "string") {
        return [{ path: "commonName", message: `\`commonName\`: ${show(commonName)} is not a string; give a name that identifies the certificate, e.g. \`commonName: "api"\`.` }];
    }
    if (commonName.trim() === "") {
        return [{ path: "commonName", message: `\`commonName\`: ${show(commonName)} is empty; give a name that identifies the certificate, e.g. \`api\`.` }];
    }
    if (commonName.length > MAX_COMMON_NAME_LENGTH) {
        return [
            {
                path: "commonName",
                message: `\`commonName\`: ${show(commonName)} is ${commonName.length} characters; X.509 allows at most ${MAX_COMMON_NAME_LENGTH} (RFC 5280 ub-common-name); shorten it (clients match host names against \`dnsNames\`, not the common name).`,
            },
        ];
    }
    return [];
}

// RFC 1123 host name labels; a single leading `*` label is a wildcard (RFC 6125 §6.4.3).
const DNS_LABEL = /^(?!-)[A-Za-z0-9-]{1,63}(?<!-)$/;
const MAX_DNS_NAME_LENGTH = 253;

export function isValidDnsName(name: string): boolean {
    if (name.length === 0 || name.length > MAX_DNS_NAME_LENGTH) {
        return false;
    }
    const labels = name.split(".");
    return labels.every((label, i) => (i === 0 && label === "*" && labels.length > 2) || DNS_LABEL.test(label));
}

/** Subject alternative names: well-formed, and at least one on a certificate a server presents. */
export function validateSans(purpose: CertificatePurpose, dnsNames: readonly unknown[], ipAddresses: readonly unknown[]): Problem[] {
    const problems: Problem[] = [];
    dnsNames.forEach((name, i) => {
        const path = `dnsNames[${i}]`;
        if (typeof name === "string" && net.isIP(name) !== 0) {
            problems.push({ path, message: `\`${path}\`: ${show(name)} is an IP address; move it to \`ipAddresses\`.` });
        } else if (typeof name !== "string" || !isValidDnsName(name)) {
            problems.push({
                path,
                message: `\`${path}\`: ${show(name)} is not a valid DNS name; use dot-separated labels of letters, digits and inner hyphens, at most 63 characters each (a leading \`*.\` wildcard is allowed).`,
            });
        }
    });
    ipAddresses.forEach((ip, i) => {
        const path = `ipAddresses[${i}]`;
        if (typeof ip !== "string" || net.isIP(ip) === 0) {
            problems.push({ path, message: `\`${path}\`: ${show(ip)} is not an IPv4 or IPv6 address; use e.g. \`127.0.0.1\` or \`::1\`, and put host names in \`dnsNames\`.` });
        }
    });
    if (purpose !== "client" && dnsNames.length === 0 && ipAddresses.length === 0) {
        problems.push({
            path: "dnsNames",
            message: `\`dnsNames\`/\`ipAddresses\`: a ${purpose} certificate has no subject alternative name, and TLS clients check the host only against SANs (RFC 6125); add every name clients use, e.g. \`dnsNames: ["db.internal", "localhost"]\`.`,
        });
    }
    return problems;
}

export function validatePurpose(purpose: unknown): Problem[] {
    if ((CERTIFICATE_PURPOSES as readonly unknown[]).includes(purpose)) {
        return [];
    }
    return [
        {
            path: "purpose",
            message: `\`purpose\`: ${show(purpose)} is not a certificate purpose; use ${CERTIFICATE_PURPOSES.map((p) => `\`${p}\``).join(", ")} (server: serverAuth, client: clientAuth for mutual TLS, both: either).`,
        },
    ];
}

export function leafLifetime(purpose: CertificatePurpose, validityDays: number, earlyRenewalDays: number): LifetimeInput {
    const serving = purpose !== "client";
    return {
        validityDays,
        earlyRenewalDays,
        maxValidityDays: serving ? MAX_SERVER_VALIDITY_DAYS : MAX_CLIENT_VALIDITY_DAYS,
        maxReason: serving ? "for a server certificate (CA/Browser Forum baseline requirements)" : "for a client certificate",
        defaultValidityDays: DEFAULT_LEAF_VALIDITY_DAYS,
        defaultEarlyRenewalDays: DEFAULT_LEAF_EARLY_RENEWAL_DAYS,
    };
}

export function caLifetime(validityDays: number, earlyRenewalDays: number): LifetimeInput {
    return {
        validityDays,
        earlyRenewalDays,
        maxValidityDays: MAX_CA_VALIDITY_DAYS,
        maxReason: "for a private CA (rotate it instead of outliving everyone who knows how)",
        defaultValidityDays: DEFAULT_CA_VALIDITY_DAYS,
        defaultEarlyRenewalDays: DEFAULT_CA_EARLY_RENEWAL_DAYS,
    };
}

const CA_FIX = 'pass the `CertificateAuthority` that issues your certificates, e.g. `ca: new CertificateAuthority("ca", { commonName: "dev CA" })`';

/** Problems with an issuer's certificate PEM, once known: it must parse and be a CA (basic constraints CA:TRUE). */
export function validateIssuerPem(pem: unknown, path = "ca"): Problem[] {
    let certificate: crypto.X509Certificate;
    try {
        certificate = new crypto.X509Certificate(typeof pem === "string" ? pem : "");
    } catch {
        return [{ path, message: `\`${path}\`: its \`certPem\` is not a PEM certificate; ${CA_FIX}.` }];
    }
    if (!certificate.ca) {
        return [
            {
                path,
                message: `\`${path}\`: its certificate (subject \`${certificate.subject.replace(/\n/g, ", ")}\`) is not a certificate authority (no basic constraint CA:TRUE), so every TLS client would refuse what it signs; ${CA_FIX}.`,
            },
        ];
    }
    return [];
}

/**
 * Problems with an issuer whose signing certificate is not in its own trust bundle (a generation
 * dropped from the bundle while still issuing), once both are known: no leaf may chain to a
 * certificate its clients no longer trust.
 */
export function validateIssuerInBundle(certPem: string, trustBundlePem: string, path = "ca"): Problem[] {
    const bundle = splitPemBundle(trustBundlePem);
    if (bundle.length > 0 && bundleContains(trustBundlePem, certPem)) {
        return [];
    }
    const subject = new crypto.X509Certificate(certPem).subject.replace(/\n/g, ", ");
    const trusted = bundle.map((pem) => `\`${new crypto.X509Certificate(pem).subject.replace(/\n/g, ", ")}\``).join(", ") || "nothing";
    return [
        {
            path: `${path}.trustBundlePem`,
            message:
                `\`${path}\`: it signs with the certificate \`${subject}\`, which its \`trustBundlePem\` (${trusted}) does not hold, so every client trusting that bundle would refuse this certificate; ` +
                `issue from a generation the bundle holds (\`issuingGeneration\`), or put the issuing certificate in the bundle first.`,
        },
    ];
}

/**
 * The issuer argument: present, shaped like one, and a CA. A `Certificate` (a leaf) fits the shape
 * but is known as a leaf (identity.ts); a PEM known now is parsed; a PEM from another resource's
 * output is checked by the component once known.
 */
export function validateIssuer(ca: unknown, path = "ca"): Problem[] {
    if (ca === undefined || ca === null) {
        return [{ path, message: `\`${path}\`: missing; a certificate needs an issuer; ${CA_FIX}.` }];
    }
    const issuer = ca as { certPem?: unknown; privateKeyPem?: unknown };
    if (typeof ca !== "object" || issuer.certPem === undefined || issuer.privateKeyPem === undefined) {
        return [{ path, message: `\`${path}\`: ${typeof ca === "string" ? "a string" : "a value"} without \`certPem\` and \`privateKeyPem\` is not an issuer; ${CA_FIX}.` }];
    }
    const leaf = leafIdentity(ca);
    if (leaf) {
        return [
            {
                path,
                message: `\`${path}\`: the leaf certificate ${show(leaf.commonName)} is not a certificate authority (no basic constraint CA:TRUE), so every TLS client would refuse what it signs; ${CA_FIX}.`,
            },
        ];
    }
    return isKnown(issuer.certPem as string) ? validateIssuerPem(issuer.certPem, path) : [];
}

/** Every problem with a `CertificateAuthority`'s arguments (pure). */
export function validateCertificateAuthorityArgs(given: CertificateAuthorityInputs): Problem[] {
    // Callers from plain JavaScript (or another language) can leave out the whole bag.
    const args: Partial<CertificateAuthorityInputs> = given ?? {};
    return [
        ...validateKeyArgs(args),
        ...validateCommonName(args.commonName),
        ...validateGenerations(args.generations, args.issuingGeneration, args.commonName),
        ...validateLifetime(caLifetime(args.validityDays ?? DEFAULT_CA_VALIDITY_DAYS, args.earlyRenewalDays ?? DEFAULT_CA_EARLY_RENEWAL_DAYS)),
    ];
}

/**
 * Every problem with a `Certificate`'s arguments (pure). SANs that are not known yet (outputs of other
 * resources) are left to `validateSans` once they are.
 */
export function validateCertificateArgs(given: Omit<CertificateInputs, "ca">): Problem[] {
    // Callers from plain JavaScript (or another language) can leave out the whole bag.
    const args: Partial<Omit<CertificateInputs, "ca">> = given ?? {};
    const purpose = args.purpose ?? DEFAULT_CERTIFICATE_PURPOSE;
    const purposeProblems = validatePurpose(purpose);
    const problems = [...validateKeyArgs(args), ...validateCommonName(args.commonName), ...purposeProblems];
    if (purposeProblems.length > 0) {
        return problems;
    }
    const known = purpose as CertificatePurpose;
    problems.push(...validateLifetime(leafLifetime(known, args.validityDays ?? DEFAULT_LEAF_VALIDITY_DAYS, args.earlyRenewalDays ?? DEFAULT_LEAF_EARLY_RENEWAL_DAYS)));
    if (isKnown(args.dnsNames) && isKnown(args.ipAddresses)) {
        problems.push(...validateSans(known, (args.dnsNames ?? []) as unknown[], (args.ipAddresses ?? []) as unknown[]));
    }
    return problems;
}
