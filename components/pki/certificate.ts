import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { formatProblems, isKnown, throwIfProblems } from "../shared/problems";
import { CertificateIssuer } from "./certificateAuthority";
import {
    CertificatePurpose,
    DEFAULT_CERTIFICATE_PURPOSE,
    DEFAULT_LEAF_EARLY_RENEWAL_DAYS,
    DEFAULT_LEAF_VALIDITY_DAYS,
    EXTENDED_KEY_USES,
    HOURS_PER_DAY,
} from "./defaults";
import { KeyArgs, leafKeyUsages, privateKeyArgs, resolveKey } from "./keys";
import { validateCertificateArgs, validateIssuer, validateIssuerPem, validateSans } from "./validate";

export interface CertificateArgs extends KeyArgs {
    /** The CA that signs this certificate, e.g. a `CertificateAuthority`. */
    readonly ca: CertificateIssuer;
    /**
     * `server` (serverAuth), `client` (clientAuth, for mutual TLS) or `both`. A union, so that a typo
     * such as `"clinet"` is a type error; other languages' values are checked at construction.
     * @default - `server`
     */
    readonly purpose?: CertificatePurpose;
    /**
     * Subject common name, at most 64 characters. For a client certificate it is the identity a server
     * maps to a user (PostgreSQL `clientcert=verify-full` requires it to equal the database user).
     */
    readonly commonName: string;
    /**
     * The organization (O) in the subject.
     * @default - none
     */
    readonly organization?: string;
    /**
     * DNS subject alternative names: every host name a client uses to reach the server.
     * @default - none (a server certificate needs at least one DNS name or IP address)
     */
    readonly dnsNames?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * IP subject alternative names.
     * @default - none
     */
    readonly ipAddresses?: pulumi.Input<pulumi.Input<string>[]>;
    /**
     * How long the certificate is valid, in days: at most 398 for a server certificate.
     * @default - 90 days
     */
    readonly validityDays?: number;
    /**
     * How many days before expiry a `pulumi up` replaces the certificate. Must be shorter than
     * `validityDays`.
     * @default - 30 days
     */
    readonly earlyRenewalDays?: number;
}

/**
 * A leaf certificate signed by a private CA: its own key, a CSR carrying the subject and SANs, and a
 * locally signed certificate with the EKUs of its purpose and a subject key id. Replaced by the first
 * `pulumi up` inside its renewal window, and whenever its CA is replaced.
 */
export class Certificate extends pulumi.ComponentResource {
    /** The certificate, PEM. */
    public readonly certPem: pulumi.Output<string>;
    /** The certificate's private key, PEM (secret). */
    public readonly privateKeyPem: pulumi.Output<string>;
    /** The issuing CA's certificate, PEM: the trust bundle for the other side. */
    public readonly caCertPem: pulumi.Output<string>;
    /** The certificate followed by its CA, PEM, for servers that send the chain. */
    public readonly fullChainPem: pulumi.Output<string>;
    /** When the certificate expires, RFC 3339. */
    public readonly validityEndTime: pulumi.Output<string>;
    /** The subject common name: for a client certificate, the identity servers map to a user. */
    public readonly commonName: string;
    /** What the certificate is for, which decides its extended key usages. */
    public readonly purpose: CertificatePurpose;
    /** Always false: a leaf signs nothing. Components refuse a leaf where they need a CA. */
    public readonly isCertificateAuthority = false as const;

    constructor(name: string, givenArgs: CertificateArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tls-platform:index:Certificate", name, {}, opts);

        const subject = `Certificate "${name}"`;
        // Plain JavaScript callers can leave out the whole bag: every missing argument is a problem below.
        const args: CertificateArgs = givenArgs ?? ({} as CertificateArgs);
        throwIfProblems(subject, [...validateIssuer(args.ca), ...validateCertificateArgs(args)]);
        // Checked above, before anything uses them.
        const purpose = args.purpose ?? DEFAULT_CERTIFICATE_PURPOSE;
        const validityDays = args.validityDays ?? DEFAULT_LEAF_VALIDITY_DAYS;
        const earlyRenewalDays = args.earlyRenewalDays ?? DEFAULT_LEAF_EARLY_RENEWAL_DAYS;
        this.commonName = args.commonName;
        this.purpose = purpose;
        // An issuer PEM from another resource's output is checked once known, before the CSR is signed:
        // the provider signs with any certificate, CA or not (Go's x509.CreateCertificate does not check).
        const caCertPem = isKnown(args.ca.certPem)
            ? pulumi.output(args.ca.certPem)
            : pulumi.output(args.ca.certPem).apply((pem) => {
                  const late = validateIssuerPem(pem);
                  if (late.length > 0) {
                      throw new pulumi.ResourceError(formatProblems(subject, late), this);
                  }
                  return pem;
              });
        // SANs that come from other resources are checked once known, and then fail this component
        // before its CSR is created.
        const sansKnown = isKnown(args.dnsNames) && isKnown(args.ipAddresses);
        const resolvedKey = resolveKey(args);

        const sans = pulumi.all([args.dnsNames ?? [], args.ipAddresses ?? []]).apply(([dnsNames, ipAddresses]) => {
            const late = sansKnown ? [] : validateSans(purpose, dnsNames, ipAddresses);
            if (late.length > 0) {
                throw new pulumi.ResourceError(formatProblems(subject, late), this);
            }
            return { dnsNames, ipAddresses };
        });

        const key = new tls.PrivateKey(`${name}-key`, privateKeyArgs(resolvedKey), { parent: this });
        const csr = new tls.CertRequest(
            `${name}-csr`,
            {
                privateKeyPem: key.privateKeyPem,
                subject: { commonName: args.commonName, organization: args.organization },
                // Empty lists are left out: `[]` makes the provider replace the CSR on every run (TF tls #263).
                dnsNames: sans.apply((s) => (s.dnsNames.length > 0 ? s.dnsNames : undefined)) as pulumi.Output<string[]>,
                ipAddresses: sans.apply((s) => (s.ipAddresses.length > 0 ? s.ipAddresses : undefined)) as pulumi.Output<string[]>,
            },
            { parent: this },
        );
        const cert = new tls.LocallySignedCert(
            `${name}-cert`,
            {
                certRequestPem: csr.certRequestPem,
                caCertPem,
                caPrivateKeyPem: args.ca.privateKeyPem,
                allowedUses: [...leafKeyUsages(resolvedKey), ...EXTENDED_KEY_USES[purpose]],
                setSubjectKeyId: true,
                validityPeriodHours: validityDays * HOURS_PER_DAY,
                earlyRenewalHours: earlyRenewalDays * HOURS_PER_DAY,
            },
            { parent: this },
        );

        this.certPem = cert.certPem;
        this.privateKeyPem = pulumi.secret(key.privateKeyPem);
        this.caCertPem = caCertPem;
        this.fullChainPem = pulumi.interpolate`${cert.certPem}${caCertPem}`;
        this.validityEndTime = cert.validityEndTime;
        this.registerOutputs({
            certPem: this.certPem,
            privateKeyPem: this.privateKeyPem,
            caCertPem: this.caCertPem,
            fullChainPem: this.fullChainPem,
            validityEndTime: this.validityEndTime,
        });
    }
}
