import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { formatProblems, isKnown, throwIfProblems } from "../shared/problems";
import { CertificateAuthority, CertificateIssuer } from "./certificateAuthority";
import {
    CertificatePurpose,
    DEFAULT_CERTIFICATE_PURPOSE,
    DEFAULT_LEAF_EARLY_RENEWAL_DAYS,
    DEFAULT_LEAF_VALIDITY_DAYS,
    EXTENDED_KEY_USES,
    HOURS_PER_DAY,
} from "./defaults";
import { EcdsaCurve, KeyAlgorithm } from "./limits";
import { KeyInputs, leafKeyUsages, privateKeyArgs, resolveKey } from "./keys";
import { recordLeaf } from "./identity";
import { validateCertificateArgs, validateIssuer, validateIssuerInBundle, validateIssuerPem, validateSans } from "./validate";

/** `Certificate`'s arguments as every language passes them: choices are strings, checked at construction. */
export interface CertificateInputs extends KeyInputs {
    /** The CA that signs this certificate, e.g. a `CertificateAuthority`. */
    readonly ca: CertificateIssuer;
    /**
     * `server` (serverAuth), `client` (clientAuth, for mutual TLS) or `both`.
     * @default - `server`
     */
    readonly purpose?: string;
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

/** `Certificate`'s arguments in TypeScript: the choices as literal unions, so a typo does not compile. */
export interface CertificateArgs extends CertificateInputs {
    /**
     * `server` (serverAuth), `client` (clientAuth, for mutual TLS) or `both`.
     * @default - `server`
     */
    readonly purpose?: CertificatePurpose;
    /**
     * Key algorithm: `ECDSA` or `RSA`.
     * @default - `ECDSA`
     */
    readonly keyAlgorithm?: KeyAlgorithm;
    /**
     * Curve for ECDSA keys: `P256` or `P384`.
     * @default - `P256`
     */
    readonly ecdsaCurve?: EcdsaCurve;
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
    /**
     * The issuing CA's certificate, PEM. The other side should trust `trustBundlePemOf(ca)` instead, which
     * during a CA key rollover also holds the generation that issued the leaves still in service.
     */
    public readonly caCertPem: pulumi.Output<string>;
    /** The certificate followed by its CA, PEM, for servers that send the chain. */
    public readonly fullChainPem: pulumi.Output<string>;
    /** When the certificate expires, RFC 3339. */
    public readonly validityEndTime: pulumi.Output<string>;

    constructor(name: string, args: CertificateInputs, opts?: pulumi.ComponentResourceOptions) {
        super("tls-platform:index:Certificate", name, {}, opts);

        const subject = `Certificate "${name}"`;
        // Plain JavaScript callers can leave out the whole bag: every missing argument is a problem below.
        args = args ?? ({} as CertificateInputs);
        throwIfProblems(subject, [...validateIssuer(args.ca), ...validateCertificateArgs(args)]);
        // Checked above, before anything uses them.
        const purpose = (args.purpose ?? DEFAULT_CERTIFICATE_PURPOSE) as CertificatePurpose;
        const validityDays = args.validityDays ?? DEFAULT_LEAF_VALIDITY_DAYS;
        const earlyRenewalDays = args.earlyRenewalDays ?? DEFAULT_LEAF_EARLY_RENEWAL_DAYS;
        // Components that take this certificate check what it is for (identity.ts).
        recordLeaf(this, { commonName: args.commonName, purpose });
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
        // An issuer with a trust bundle must sign with a certificate of that bundle, or every client
        // trusting the bundle refuses this leaf: checked once both are known, and the signed certificate
        // waits for the check (dependsOn), so a failed check signs nothing. It is an ordering, not an
        // input: as an input, a bundle unknown in a preview (rollover phase 1, a new generation not
        // issued yet) would plan a replacement of every leaf that the update then does not make. A
        // CertificateAuthority holds its issuing generation by construction (validateGenerations).
        const issuerTrusted =
            args.ca.trustBundlePem === undefined || args.ca instanceof CertificateAuthority
                ? undefined
                : pulumi.all([caCertPem, args.ca.trustBundlePem]).apply(([pem, bundle]) => {
                      const late = validateIssuerInBundle(pem, bundle);
                      if (late.length > 0) {
                          throw new pulumi.ResourceError(formatProblems(subject, late), this);
                      }
                      return [] as pulumi.Resource[];
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
            { parent: this, dependsOn: issuerTrusted },
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
