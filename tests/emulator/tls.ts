import "reflect-metadata"; // @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs it
import * as crypto from "node:crypto";
import * as net from "node:net";
import * as x509 from "@peculiar/x509";
import { Diagnostics } from "./diagnostics";
import { algorithmName, asDomCryptoKey, generateKeyPem, providerPem, publicKeyPem, signerFor } from "./keys";

x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);

type Inputs = Record<string, any>;
type State = Record<string, unknown>;

/** The provider's enum for `allowed_uses`, snake_case (terraform-provider-tls internal/provider/types.go). */
export const SUPPORTED_USES = [
    "digital_signature", "content_commitment", "key_encipherment", "data_encipherment", "key_agreement",
    "cert_signing", "crl_signing", "encipher_only", "decipher_only", "any_extended", "server_auth",
    "client_auth", "code_signing", "email_protection", "ipsec_end_system", "ipsec_tunnel", "ipsec_user",
    "timestamping", "ocsp_signing", "microsoft_server_gated_crypto", "netscape_server_gated_crypto",
    "microsoft_commercial_code_signing", "microsoft_kernel_code_signing",
] as const;

const KEY_USAGE_BITS: Record<string, number> = {
    digital_signature: x509.KeyUsageFlags.digitalSignature,
    content_commitment: x509.KeyUsageFlags.nonRepudiation,
    key_encipherment: x509.KeyUsageFlags.keyEncipherment,
    data_encipherment: x509.KeyUsageFlags.dataEncipherment,
    key_agreement: x509.KeyUsageFlags.keyAgreement,
    cert_signing: x509.KeyUsageFlags.keyCertSign,
    crl_signing: x509.KeyUsageFlags.cRLSign,
    encipher_only: x509.KeyUsageFlags.encipherOnly,
    decipher_only: x509.KeyUsageFlags.decipherOnly,
};
const EXT_KEY_USAGE_OIDS: Record<string, string> = {
    any_extended: "2.5.29.37.0",
    server_auth: "1.3.6.1.5.5.7.3.1",
    client_auth: "1.3.6.1.5.5.7.3.2",
    code_signing: "1.3.6.1.5.5.7.3.3",
    email_protection: "1.3.6.1.5.5.7.3.4",
    ipsec_end_system: "1.3.6.1.5.5.7.3.5",
    ipsec_tunnel: "1.3.6.1.5.5.7.3.6",
    ipsec_user: "1.3.6.1.5.5.7.3.7",
    timestamping: "1.3.6.1.5.5.7.3.8",
    ocsp_signing: "1.3.6.1.5.5.7.3.9",
    microsoft_server_gated_crypto: "1.3.6.1.4.1.311.10.3.3",
    netscape_server_gated_crypto: "2.16.840.1.113730.4.1",
    microsoft_commercial_code_signing: "1.3.6.1.4.1.311.2.1.22",
    microsoft_kernel_code_signing: "1.3.6.1.4.1.311.61.1.1",
};

/** Subject fields in the order Go's pkix.Name.ToRDNSequence writes them. */
const SUBJECT_FIELDS: Array<[string, string]> = [
    ["country", "C"], ["province", "ST"], ["locality", "L"], ["streetAddress", "STREET"], ["postalCode", "2.5.4.17"],
    ["organization", "O"], ["organizationalUnit", "OU"], ["commonName", "CN"], ["serialNumber", "2.5.4.5"], ["emailAddress", "E"],
];

function subjectName(subject: Inputs | undefined): x509.JsonName {
    const name: x509.JsonName = [];
    for (const [field, attr] of SUBJECT_FIELDS) {
        const value = subject?.[field];
        for (const v of Array.isArray(value) ? value : value === undefined || value === null || value === "" ? [] : [value]) {
            name.push({ [attr]: [String(v)] });
        }
    }
    return name;
}

function sanExtension(dnsNames: string[] = [], ipAddresses: string[] = [], uris: string[] = []): x509.Extension[] {
    const names: x509.JsonGeneralNames = [
        ...dnsNames.map((value) => ({ type: "dns" as const, value })),
        ...ipAddresses.map((value) => ({ type: "ip" as const, value })),
        ...uris.map((value) => ({ type: "url" as const, value })),
    ];
    return names.length > 0 ? [new x509.SubjectAlternativeNameExtension(names)] : [];
}

function parsePrivateKey(pem: unknown, attribute: string, d: Diagnostics): crypto.KeyObject | undefined {
    if (typeof pem !== "string") {
        return undefined;
    }
    try {
        return crypto.createPrivateKey(pem);
    } catch (e) {
        d.add(`Failed to decode ${attribute}: ${(e as Error).message}`);
        return undefined;
    }
}

/**
 * The schema validators shared by self-signed and locally signed certificates (terraform-provider-tls
 * resource_self_signed_cert.go, resource_locally_signed_cert.go `Schema`): int64validator.AtLeast(0) on
 * validity_period_hours and early_renewal_hours, AtLeast(-1) on max_path_length, OneOf on each
 * allowed use.
 */
function checkCertCommon(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "validityPeriodHours", "allowedUses");
    d.atLeast("validity_period_hours", inputs.validityPeriodHours, 0, "validityPeriodHours");
    d.atLeast("early_renewal_hours", inputs.earlyRenewalHours, 0, "earlyRenewalHours");
    d.atLeast("max_path_length", inputs.maxPathLength, -1, "maxPathLength");
    (inputs.allowedUses ?? []).forEach((use: unknown, i: number) => d.oneOf(`allowed_uses[${i}]`, use, SUPPORTED_USES, `allowedUses[${i}]`));
}

/** listvalidator.ValueStringsAre(stringvalidator.LengthAtLeast(1)) on ip_addresses and uris (self-signed and cert request `Schema`). */
function checkSubjectAlternativeNames(inputs: Inputs, d: Diagnostics): void {
    for (const [input, attribute] of [["ipAddresses", "ip_addresses"], ["uris", "uris"]] as const) {
        (inputs[input] ?? []).forEach((value: unknown, i: number) => {
            if (typeof value === "string" && value.length < 1) {
                d.add(`Invalid Attribute Value Length: Attribute ${attribute}[${i}] string length must be at least 1, got: 0`, `${input}[${i}]`);
            }
        });
    }
}

/** Create: net.ParseIP of each IP address ("Invalid IP address", resource_self_signed_cert.go and resource_cert_request.go `Create`). */
function checkIpAddressesParse(inputs: Inputs, d: Diagnostics): void {
    (inputs.ipAddresses ?? []).forEach((ip: unknown, i: number) => {
        if (typeof ip === "string" && ip !== "" && net.isIP(ip) === 0) {
            d.add(`Invalid IP address: Failed to parse ${JSON.stringify(ip)}`, `ipAddresses[${i}]`);
        }
    });
}

/** Plan-time checks of `tls:index/privateKey` (resource_private_key.go `Schema`: OneOf on algorithm and ecdsa_curve). */
export function checkPrivateKey(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "algorithm");
    d.oneOf("algorithm", inputs.algorithm, ["RSA", "ECDSA", "ED25519"], "algorithm");
    d.oneOf("ecdsa_curve", inputs.ecdsaCurve, ["P224", "P256", "P384", "P521"], "ecdsaCurve");
}

/** Plan-time checks of `tls:index/selfSignedCert`. */
export function checkSelfSignedCert(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "privateKeyPem");
    checkCertCommon(inputs, d);
    checkSubjectAlternativeNames(inputs, d);
}

/** Plan-time checks of `tls:index/certRequest`. */
export function checkCertRequest(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "privateKeyPem");
    checkSubjectAlternativeNames(inputs, d);
}

/** Plan-time checks of `tls:index/locallySignedCert` (it has no set_authority_key_id: Go copies the CA's key id). */
export function checkLocallySignedCert(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "certRequestPem", "caCertPem", "caPrivateKeyPem");
    checkCertCommon(inputs, d);
}

const randomSerial = (): string => {
    const bytes = crypto.randomBytes(16);
    bytes[0]! &= 0x7f; // positive, as Go's rand.Int(rand.Reader, 2^128) is
    return bytes.toString("hex");
};

interface SigningPlan {
    type: string;
    name: string;
    inputs: Inputs;
    subject: x509.Name | x509.JsonName;
    issuer: x509.Name | x509.JsonName;
    publicKey: x509.PublicKey;
    signer: crypto.KeyObject;
    issuerKeyId?: string;
    /** The template's subject has no distinguished name (pkix.Name{}). */
    subjectIsEmpty: boolean;
    sans: x509.Extension[];
    now: Date;
}

/**
 * Builds the certificate the provider would: Go's x509.CreateCertificate from the TF tls template
 * (common_cert.go `createCertificate`), with its refusals: a CA needs a subject ("Invalid Certificate
 * Subject", RFC 5280 4.1.2.6), and `set_authority_key_id` needs the parent's subject key id ("Invalid
 * Certificate Authority"). A CA always gets a subject key id, asked for or not.
 */
async function signCertificate(plan: SigningPlan): Promise<State> {
    const { inputs, now } = plan;
    const d = new Diagnostics();
    const notAfter = new Date(now.getTime() + inputs.validityPeriodHours * 3_600_000);
    const uses: string[] = inputs.allowedUses;
    const keyUsage = uses.reduce((bits, use) => bits | (KEY_USAGE_BITS[use] ?? 0), 0);
    const extKeyUsages = uses.filter((use) => EXT_KEY_USAGE_OIDS[use]).map((use) => EXT_KEY_USAGE_OIDS[use]!);
    const isCa = inputs.isCaCertificate === true;
    if (isCa && plan.subjectIsEmpty) {
        d.add("Invalid Certificate Subject: Must contain at least one Distinguished Name when creating Certificate Authority (CA)", "subject");
    }
    const pathLength = isCa && typeof inputs.maxPathLength === "number" && inputs.maxPathLength >= 0 ? inputs.maxPathLength : undefined;

    const extensions: x509.Extension[] = [];
    if (keyUsage !== 0) {
        extensions.push(new x509.KeyUsagesExtension(keyUsage, true));
    }
    if (extKeyUsages.length > 0) {
        extensions.push(new x509.ExtendedKeyUsageExtension(extKeyUsages, false));
    }
    extensions.push(new x509.BasicConstraintsExtension(isCa, pathLength, true));
    let subjectKeyId: string | undefined;
    if (isCa || inputs.setSubjectKeyId === true) {
        const ski = await x509.SubjectKeyIdentifierExtension.create(plan.publicKey);
        subjectKeyId = ski.keyId;
        extensions.push(ski);
    }
    // Only the self-signed certificate has set_authority_key_id; its parent is the template itself.
    if (inputs.setAuthorityKeyId === true && subjectKeyId === undefined) {
        d.add("Invalid Certificate Authority: Could not determine Authority Key Identifier", "setAuthorityKeyId");
    }
    d.throwIfAny(plan.type, plan.name);
    const authorityKeyId = plan.issuerKeyId ?? (inputs.setAuthorityKeyId === true ? subjectKeyId : undefined);
    if (authorityKeyId) {
        extensions.push(new x509.AuthorityKeyIdentifierExtension(authorityKeyId));
    }
    extensions.push(...plan.sans);

    const { signingKey, signingAlgorithm } = await signerFor(plan.signer);
    const cert = await x509.X509CertificateGenerator.create({
        serialNumber: randomSerial(),
        subject: plan.subject,
        issuer: plan.issuer,
        notBefore: now,
        notAfter,
        publicKey: plan.publicKey,
        signingKey,
        signingAlgorithm,
        extensions,
    });
    const earlyRenewalHours = inputs.earlyRenewalHours ?? 0;
    return {
        ...inputs,
        id: BigInt(`0x${cert.serialNumber}`).toString(10),
        certPem: `${cert.toString("pem")}\n`,
        validityStartTime: rfc3339(now),
        validityEndTime: rfc3339(notAfter),
        earlyRenewalHours,
        isCaCertificate: isCa,
        readyForRenewal: plannedReadyForRenewal(inputs.validityPeriodHours, earlyRenewalHours),
    };
}

export function rfc3339(date: Date): string {
    return date.toISOString().replace(/\.\d{3}Z$/, "Z");
}

/** terraform-provider-tls common_cert.go: ready once now ≥ validity end − early renewal hours. */
export function readyForRenewal(validityEnd: Date, earlyRenewalHours: number, now: Date): boolean {
    return now.getTime() >= validityEnd.getTime() - earlyRenewalHours * 3_600_000;
}

/**
 * `ready_for_renewal` as planned at create and update (attribute_plan_modifier_bool/default_value.go
 * `PlanModifyBool`: true when validity_period_hours is 0 or early_renewal_hours ≥ validity_period_hours,
 * else the schema default false). The clock is read only by ModifyPlan (which replaces instead) and Read.
 */
export function plannedReadyForRenewal(validityPeriodHours: number, earlyRenewalHours: number): boolean {
    return validityPeriodHours === 0 || earlyRenewalHours >= validityPeriodHours;
}

/**
 * `ready_for_renewal` after a refresh (common_cert.go `modifyStateIfCertificateReadyForRenewal`, run by
 * each certificate's `Read`): set true once inside the window by the stored early_renewal_hours,
 * otherwise the stored value stands.
 */
export function refreshedReadyForRenewal(state: State, now: Date): boolean {
    if (typeof state.validityEndTime !== "string") return state.readyForRenewal === true;
    return state.readyForRenewal === true || readyForRenewal(new Date(state.validityEndTime), Number(state.earlyRenewalHours ?? 0), now);
}

/** Inputs whose change a certificate takes in place (resource_*_cert.go `Schema`: no RequiresReplace; `Update` is updatedUsingPlan). */
const CERT_IN_PLACE = new Set(["earlyRenewalHours"]);

/**
 * What the tls provider plans for a certificate already in state when the program now asks for
 * `inputs` at time `now`: a changed argument replaces, except `earlyRenewalHours`, which updates in
 * place (so it is no replacement reason); a new CA's `caCertPem` re-issues every leaf under it; and
 * ModifyPlan replaces a certificate once now ≥ validity end − the *planned* early renewal hours
 * (`ready_for_renewal`; common_cert.go `modifyPlanIfCertificateReadyForRenewal` reads the plan, not
 * the state). The engine carries replacements out create-before-delete (pulumi-terraform-bridge
 * pkg/pf/tfbridge/provider_diff.go).
 */
export function planCertificate(previous: { inputs: Inputs; state: State }, inputs: Inputs, now: Date): { replace: boolean; reasons: string[] } {
    const reasons = Object.keys({ ...previous.inputs, ...inputs })
        .filter((k) => !CERT_IN_PLACE.has(k) && JSON.stringify(previous.inputs[k]) !== JSON.stringify(inputs[k]))
        .map((k) => `${k} changed`);
    const end = new Date(String(previous.state.validityEndTime));
    const early = Number(inputs.earlyRenewalHours ?? 0);
    if (readyForRenewal(end, early, now)) {
        reasons.push(`ready_for_renewal: ${rfc3339(now)} is within ${early}h of ${rfc3339(end)}`);
    }
    return { replace: reasons.length > 0, reasons };
}

export async function privateKey(name: string, inputs: Inputs): Promise<State> {
    const d = new Diagnostics();
    checkPrivateKey(inputs, d);
    d.atLeast("rsa_bits", inputs.rsaBits, 1);
    d.throwIfAny("tls:index/privateKey:PrivateKey", name);
    const ecdsaCurve = inputs.ecdsaCurve ?? "P224"; // the provider's default (terraform-provider-tls resource_private_key.go)
    const rsaBits = inputs.rsaBits ?? 2048;
    const key = generateKeyPem(inputs.algorithm, ecdsaCurve, rsaBits);
    const publicPem = publicKeyPem(key);
    return {
        ...inputs,
        id: crypto.createHash("sha1").update(publicPem).digest("hex"),
        ecdsaCurve,
        rsaBits,
        privateKeyPem: providerPem(key),
        privateKeyPemPkcs8: key.export({ type: "pkcs8", format: "pem" }),
        publicKeyPem: publicPem,
    };
}

export async function selfSignedCert(name: string, inputs: Inputs, now: Date): Promise<State> {
    const type = "tls:index/selfSignedCert:SelfSignedCert";
    const d = new Diagnostics();
    checkSelfSignedCert(inputs, d);
    checkIpAddressesParse(inputs, d);
    const key = parsePrivateKey(inputs.privateKeyPem, "private_key_pem", d);
    d.throwIfAny(type, name);
    const subject = subjectName(inputs.subject);
    const state = await signCertificate({
        type,
        name,
        inputs,
        subjectIsEmpty: subject.length === 0,
        subject,
        issuer: subject,
        publicKey: new x509.PublicKey(crypto.createPublicKey(key!).export({ type: "spki", format: "der" })),
        signer: key!,
        sans: sanExtension(inputs.dnsNames, inputs.ipAddresses, inputs.uris),
        now,
    });
    return { ...state, keyAlgorithm: algorithmName(key!) };
}

export async function certRequest(name: string, inputs: Inputs): Promise<State> {
    const d = new Diagnostics();
    checkCertRequest(inputs, d);
    checkIpAddressesParse(inputs, d);
    const key = parsePrivateKey(inputs.privateKeyPem, "private_key_pem", d);
    d.throwIfAny("tls:index/certRequest:CertRequest", name);
    const { signingKey, signingAlgorithm } = await signerFor(key!);
    const publicKey = await crypto.webcrypto.subtle.importKey(
        "spki",
        crypto.createPublicKey(key!).export({ type: "spki", format: "der" }),
        signingAlgorithm.name === "ECDSA" ? { name: "ECDSA", namedCurve: (signingKey.algorithm as EcKeyAlgorithm).namedCurve } : signingKey.algorithm,
        true,
        ["verify"],
    );
    const csr = await x509.Pkcs10CertificateRequestGenerator.create({
        name: subjectName(inputs.subject),
        keys: { privateKey: signingKey, publicKey: asDomCryptoKey(publicKey) },
        signingAlgorithm,
        extensions: sanExtension(inputs.dnsNames, inputs.ipAddresses, inputs.uris),
    });
    const certRequestPem = `${csr.toString("pem")}\n`;
    return { ...inputs, id: crypto.createHash("sha1").update(certRequestPem).digest("hex"), certRequestPem, keyAlgorithm: algorithmName(key!) };
}

export async function locallySignedCert(name: string, inputs: Inputs, now: Date): Promise<State> {
    const type = "tls:index/locallySignedCert:LocallySignedCert";
    const d = new Diagnostics();
    checkLocallySignedCert(inputs, d);
    const caKey = parsePrivateKey(inputs.caPrivateKeyPem, "ca_private_key_pem", d);
    let csr: x509.Pkcs10CertificateRequest | undefined;
    let caCert: x509.X509Certificate | undefined;
    try {
        csr = inputs.certRequestPem ? new x509.Pkcs10CertificateRequest(inputs.certRequestPem) : undefined;
    } catch (e) {
        d.add(`Failed to decode cert_request_pem: ${(e as Error).message}`);
    }
    try {
        caCert = inputs.caCertPem ? new x509.X509Certificate(inputs.caCertPem) : undefined;
    } catch (e) {
        d.add(`Failed to decode ca_cert_pem: ${(e as Error).message}`);
    }
    if (caKey && caCert && !new crypto.X509Certificate(inputs.caCertPem).checkPrivateKey(caKey)) {
        // Go's x509.CreateCertificate: "x509: provided PrivateKey doesn't match parent's PublicKey".
        d.add("x509: provided PrivateKey doesn't match parent's PublicKey");
    }
    if (csr && !(await csr.verify())) {
        d.add("certificate request signature is invalid");
    }
    d.throwIfAny(type, name);
    // Go copies the requested SANs from the CSR into the template (TF tls resource_locally_signed_cert.go).
    const requested = csr!.extensions.find((e) => e.type === "2.5.29.17");
    const state = await signCertificate({
        type,
        name,
        inputs,
        subjectIsEmpty: csr!.subjectName.toJSON().length === 0,
        subject: csr!.subjectName,
        issuer: caCert!.subjectName,
        publicKey: csr!.publicKey,
        signer: caKey!,
        issuerKeyId: caCert!.getExtension(x509.SubjectKeyIdentifierExtension)?.keyId,
        sans: requested ? [new x509.SubjectAlternativeNameExtension(requested.rawData)] : [],
        now,
    });
    return { ...state, caKeyAlgorithm: algorithmName(caKey!) };
}
