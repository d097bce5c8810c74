import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { formatProblems, throwIfProblems } from "../shared/problems";
import { CA_ALLOWED_USES, DEFAULT_CA_EARLY_RENEWAL_DAYS, DEFAULT_CA_VALIDITY_DAYS, HOURS_PER_DAY } from "./defaults";
import { expiredGenerationProblems, generationCommonName, generationResourcePrefix, joinPemBundle, resolveGenerations } from "./generations";
import { KeyInputs, privateKeyArgs, resolveKey } from "./keys";
import { EcdsaCurve, KeyAlgorithm } from "./limits";
import { validateCertificateAuthorityArgs } from "./validate";

/** What a leaf certificate needs from its issuer. `CertificateAuthority` is one. */
export interface CertificateIssuer {
    /** The issuer's certificate, PEM: what it signs leaves with. */
    readonly certPem: pulumi.Input<string>;
    /** The issuer's private key, PEM (secret). */
    readonly privateKeyPem: pulumi.Input<string>;
    /**
     * Every CA certificate that a client of this issuer's leaves should trust, PEM, `certPem` among
     * them: during a CA key rollover, the old and the new generation. Read it with `trustBundlePemOf`.
     * @default - `certPem` alone
     */
    readonly trustBundlePem?: pulumi.Input<string>;
}

/**
 * What a client (or a server checking client certificates) of `issuer`'s leaves trusts: its trust
 * bundle when it has one, else its certificate. Every trust consumer reads it this way.
 */
export function trustBundlePemOf(issuer: CertificateIssuer): pulumi.Output<string> {
    return pulumi.output(issuer.trustBundlePem ?? issuer.certPem);
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
    /**
     * The key generations this CA holds and trusts, each with its own key and certificate: `[1]`, then
     * `[1, 2]` while rolling over to a new key, then `[2]` (README, "CA key rollover"). Generation 1 is
     * the CA as it was before generations existed; generation n ≥ 2 gets the subject `<commonName> Gn`.
     * @default - `[1]`
     */
    readonly generations?: number[];
    /**
     * The generation that signs leaves; it must be one of `generations`.
     * @default - the oldest of `generations`, so that adding a generation does not switch issuing
     */
    readonly issuingGeneration?: number;
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
 * A private certificate authority: per key generation, its own key and a self-signed CA certificate
 * (CA:TRUE, keyCertSign, cRLSign, subject key id). Issue leaves from it with `Certificate` (signed by
 * the issuing generation); hand `trustBundlePem` (every generation it trusts) to clients as their trust
 * bundle and to servers as their client CA.
 */
export class CertificateAuthority extends pulumi.ComponentResource implements CertificateIssuer {
    /** The issuing generation's CA certificate, PEM: what leaves are signed with. */
    public readonly certPem: pulumi.Output<string>;
    /** The issuing generation's private key, PEM (secret). */
    public readonly privateKeyPem: pulumi.Output<string>;
    /** When the issuing generation's certificate expires, RFC 3339. */
    public readonly validityEndTime: pulumi.Output<string>;
    /**
     * Every trusted generation's CA certificate, PEM, by ascending generation: the trust bundle clients
     * verify servers (and servers clients) against. With one generation it equals `certPem`.
     */
    public readonly trustBundlePem: pulumi.Output<string>;
    /** The trusted generations, ascending. */
    public readonly generations: pulumi.Output<number[]>;
    /** The generation that signs leaves. */
    public readonly issuingGeneration: pulumi.Output<number>;

    constructor(name: string, args: CertificateAuthorityInputs, opts?: pulumi.ComponentResourceOptions) {
        super("tls-platform:index:CertificateAuthority", name, {}, opts);

        // Plain JavaScript callers can leave out the whole bag: every missing argument is a problem below.
        args = args ?? ({} as CertificateAuthorityInputs);
        const validityDays = args.validityDays ?? DEFAULT_CA_VALIDITY_DAYS;
        const earlyRenewalDays = args.earlyRenewalDays ?? DEFAULT_CA_EARLY_RENEWAL_DAYS;
        throwIfProblems(`CertificateAuthority "${name}"`, validateCertificateAuthorityArgs(args));
        const resolvedKey = resolveKey(args);
        const { generations, issuing } = resolveGenerations(args.generations, args.issuingGeneration);

        const made = generations.map((generation) => {
            const prefix = generationResourcePrefix(name, generation);
            const key = new tls.PrivateKey(`${prefix}-key`, privateKeyArgs(resolvedKey), { parent: this });
            const cert = new tls.SelfSignedCert(
                `${prefix}-cert`,
                {
                    privateKeyPem: key.privateKeyPem,
                    isCaCertificate: true,
                    allowedUses: [...CA_ALLOWED_USES],
                    setSubjectKeyId: true,
                    setAuthorityKeyId: true,
                    subject: { commonName: generationCommonName(args.commonName, generation), organization: args.organization },
                    validityPeriodHours: validityDays * HOURS_PER_DAY,
                    earlyRenewalHours: earlyRenewalDays * HOURS_PER_DAY,
                },
                { parent: this },
            );
            return { generation, key, cert };
        });
        const issuer = made.find((m) => m.generation === issuing)!;

        this.certPem = issuer.cert.certPem;
        this.privateKeyPem = pulumi.secret(issuer.key.privateKeyPem);
        this.validityEndTime = issuer.cert.validityEndTime;
        // End times are known once the certificates exist (during `up`, or from the state in preview);
        // an expired generation then fails the CA here, before any consumer receives the bundle.
        this.trustBundlePem = pulumi
            .all(made.map((m) => pulumi.all([m.cert.certPem, m.cert.validityEndTime])))
            .apply((certs) => {
                const expired = expiredGenerationProblems(
                    certs.map(([, validityEndTime], i) => ({ generation: made[i]!.generation, validityEndTime })),
                    new Date(),
                );
                if (expired.length > 0) {
                    throw new pulumi.ResourceError(formatProblems(`CertificateAuthority "${name}"`, expired), this);
                }
                return joinPemBundle(certs.map(([pem]) => pem));
            });
        this.generations = pulumi.output([...generations]);
        this.issuingGeneration = pulumi.output(issuing);
        this.registerOutputs({
            certPem: this.certPem,
            privateKeyPem: this.privateKeyPem,
            validityEndTime: this.validityEndTime,
            trustBundlePem: this.trustBundlePem,
            generations: this.generations,
            issuingGeneration: this.issuingGeneration,
        });
    }
}
