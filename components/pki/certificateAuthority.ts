import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { throwIfProblems } from "../shared/problems";
import { CA_ALLOWED_USES, DEFAULT_CA_EARLY_RENEWAL_DAYS, DEFAULT_CA_VALIDITY_DAYS, HOURS_PER_DAY } from "./defaults";
import { KeyInputs, privateKeyArgs, resolveKey } from "./keys";
import { EcdsaCurve, KeyAlgorithm } from "./limits";
import { validateCertificateAuthorityArgs } from "./validate";

/** What a leaf certificate needs from its issuer. `CertificateAuthority` is one. */
export interface CertificateIssuer {
    /** The issuer's certificate, PEM. */
    readonly certPem: pulumi.Input<string>;
    /** The issuer's private key, PEM (secret). */
    readonly privateKeyPem: pulumi.Input<string>;
}

/** `CertificateAuthority`'s arguments as every language passes them: choices are strings, checked at construction. */
export interface CertificateAuthorityInputs extends KeyInputs {
    /** The CA's common name, e.g. `acme dev root CA`: at most 64 characters. */
    readonly commonName: string;
    /**
     * The organization (O) in the CA's subject.
     * @default - none
     */
    readonly organization?: string;
    /**
     * How long the CA certificate is valid, in days.
     * @default - 1095 days (three years)
     */
    readonly validityDays?: number;
    /**
     * How many days before expiry a `pulumi up` replaces the CA, which re-issues every leaf under it.
     * @default - 180 days
     */
    readonly earlyRenewalDays?: number;
}

/** `CertificateAuthority`'s arguments in TypeScript: the key choices as literal unions. */
export interface CertificateAuthorityArgs extends CertificateAuthorityInputs {
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
 * A private certificate authority: its own key and a self-signed CA certificate (CA:TRUE, keyCertSign,
 * cRLSign, subject key id). Issue leaves from it with `Certificate`; hand `certPem` to clients as
 * their trust bundle.
 */
export class CertificateAuthority extends pulumi.ComponentResource implements CertificateIssuer {
    /** The CA certificate, PEM: the trust bundle clients verify servers (and servers clients) against. */
    public readonly certPem: pulumi.Output<string>;
    /** The CA's private key, PEM (secret). */
    public readonly privateKeyPem: pulumi.Output<string>;
    /** When the CA certificate expires, RFC 3339. */
    public readonly validityEndTime: pulumi.Output<string>;

    constructor(name: string, args: CertificateAuthorityInputs, opts?: pulumi.ComponentResourceOptions) {
        super("tls-platform:index:CertificateAuthority", name, {}, opts);

        // Plain JavaScript callers can leave out the whole bag: every missing argument is a problem below.
        args = args ?? ({} as CertificateAuthorityInputs);
        const validityDays = args.validityDays ?? DEFAULT_CA_VALIDITY_DAYS;
        const earlyRenewalDays = args.earlyRenewalDays ?? DEFAULT_CA_EARLY_RENEWAL_DAYS;
        throwIfProblems(`CertificateAuthority "${name}"`, validateCertificateAuthorityArgs(args));
        const resolvedKey = resolveKey(args);

        const key = new tls.PrivateKey(`${name}-key`, privateKeyArgs(resolvedKey), { parent: this });
        const cert = new tls.SelfSignedCert(
            `${name}-cert`,
            {
                privateKeyPem: key.privateKeyPem,
                isCaCertificate: true,
                allowedUses: [...CA_ALLOWED_USES],
                setSubjectKeyId: true,
                setAuthorityKeyId: true,
                subject: { commonName: args.commonName, organization: args.organization },
                validityPeriodHours: validityDays * HOURS_PER_DAY,
                earlyRenewalHours: earlyRenewalDays * HOURS_PER_DAY,
            },
            { parent: this },
        );

        this.certPem = cert.certPem;
        this.privateKeyPem = pulumi.secret(key.privateKeyPem);
        this.validityEndTime = cert.validityEndTime;
        this.registerOutputs({ certPem: this.certPem, privateKeyPem: this.privateKeyPem, validityEndTime: this.validityEndTime });
    }
}

