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

/** Validates the certificate attributes shared by self-signed and locally signed certificates. */
function validateCertCommon(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "validityPeriodHours", "allowedUses");
    d.atLeast("validity_period_hours", inputs.validityPeriodHours, 0);
    d.atLeast("early_renewal_hours", inputs.earlyRenewalHours, 0);
    (inputs.allowedUses ?? []).forEach((use: unknown, i: number) => d.oneOf(`allowed_uses[${i}]`, use, SUPPORTED_USES));
}

function validateSans(inputs: Inputs, d: Diagnostics): void {
    (inputs.ipAddresses ?? []).forEach((ip: unknown, i: number) => {
        if (typeof ip !== "string" || net.isIP(ip) === 0) {
            d.add(`Invalid IP address: ip_addresses[${i}] ${JSON.stringify(ip)} is not an IP address`);
        }
    });
}

const randomSerial = (): string => {
    const bytes = crypto.randomBytes(16);
    bytes[0]! &= 0x7f; // positive, as Go's rand.Int(rand.Reader, 2^128) is
    return bytes.toString("hex");
};

interface SigningPlan {
    inputs: Inputs;
    subject: x509.Name | x509.JsonName;
    issuer: x509.Name | x509.JsonName;
    publicKey: x509.PublicKey;
    signer: crypto.KeyObject;
    issuerKeyId?: string;
    sans: x509.Extension[];
    now: Date;
}

/** Builds the certificate the provider would: Go's x509.CreateCertificate from the TF tls template. */
async function signCertificate(plan: SigningPlan): Promise<State> {
    const { inputs, now } = plan;
    const notAfter = new Date(now.getTime() + inputs.validityPeriodHours * 3_600_000);
    const uses: string[] = inputs.allowedUses;
    const keyUsage = uses.reduce((bits, use) => bits | (KEY_USAGE_BITS[use] ?? 0), 0);
    const extKeyUsages = uses.filter((use) => EXT_KEY_USAGE_OIDS[use]).map((use) => EXT_KEY_USAGE_OIDS[use]!);
    const isCa = inputs.isCaCertificate === true;
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
    if (inputs.setSubjectKeyId === true) {
        const ski = await x509.SubjectKeyIdentifierExtension.create(plan.publicKey);
        subjectKeyId = ski.keyId;
        extensions.push(ski);
    }
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
        readyForRenewal: readyForRenewal(notAfter, earlyRenewalHours, now),
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
 * What the tls provider plans for a certificate already in state when the program now asks for
 * `inputs` at time `now`: the provider's resources have no update, so any changed argument replaces
 * (a new CA's `caCertPem` re-issues every leaf under it), and ModifyPlan replaces a certificate once
 * now ≥ validity end − early renewal hours (`ready_for_renewal`; terraform-provider-tls
 * common_cert.go). The engine carries both out as create-before-delete replacements (pulumi-terraform-bridge pkg/pf/tfbridge/provider_diff.go).
 */
export function planCertificate(previous: { inputs: Inputs; state: State }, inputs: Inputs, now: Date): { replace: boolean; reasons: string[] } {
    const reasons = Object.keys({ ...previous.inputs, ...inputs })
        .filter((k) => JSON.stringify(previous.inputs[k]) !== JSON.stringify(inputs[k]))
        .map((k) => `${k} changed`);
    const end = new Date(String(previous.state.validityEndTime));
    const early = Number(previous.state.earlyRenewalHours ?? 0);
    if (readyForRenewal(end, early, now)) {
        reasons.push(`ready_for_renewal: ${rfc3339(now)} is within ${early}h of ${rfc3339(end)}`);
    }
    return { replace: reasons.length > 0, reasons };
}

export async function privateKey(name: string, inputs: Inputs): Promise<State> {
    const d = new Diagnostics();
    d.required(inputs, "algorithm");
    d.oneOf("algorithm", inputs.algorithm, ["RSA", "ECDSA", "ED25519"]);
    d.oneOf("ecdsa_curve", inputs.ecdsaCurve, ["P224", "P256", "P384", "P521"]);
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
    const d = new Diagnostics();
    d.required(inputs, "privateKeyPem");
    validateCertCommon(inputs, d);
    validateSans(inputs, d);
    const key = parsePrivateKey(inputs.privateKeyPem, "private_key_pem", d);
    d.throwIfAny("tls:index/selfSignedCert:SelfSignedCert", name);
    const subject = subjectName(inputs.subject);
    const state = await signCertificate({
        inputs,
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
    d.required(inputs, "privateKeyPem");
    validateSans(inputs, d);
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
    const d = new Diagnostics();
    d.required(inputs, "certRequestPem", "caCertPem", "caPrivateKeyPem");
    validateCertCommon(inputs, d);
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
    d.throwIfAny("tls:index/locallySignedCert:LocallySignedCert", name);
    // Go copies the requested SANs from the CSR into the template (TF tls resource_locally_signed_cert.go).
    const requested = csr!.extensions.find((e) => e.type === "2.5.29.17");
    const state = await signCertificate({
        inputs,
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
