/**
 * Test certificates with chosen validity dates (already expired, expiring in 3 days), which the
 * openssl CLI in tests/support/test-pki.ts cannot make (`x509 -days` starts now). ECDSA P-256 throughout,
 * signed with @peculiar/x509 over node's WebCrypto; PEM strings in and out, as the servers take them.
 */
import "reflect-metadata"; // @peculiar/x509 resolves its ASN.1 services through tsyringe, which needs it
import * as crypto from "node:crypto";
import * as net from "node:net";
import * as x509 from "@peculiar/x509";

x509.cryptoProvider.set(crypto.webcrypto as unknown as Crypto);

const DAY_MS = 86_400_000;
const ALGORITHM = { name: "ECDSA", namedCurve: "P-256", hash: "SHA-256" };

export interface DatedCert {
    readonly certPem: string;
    readonly keyPem: string;
    readonly cert: x509.X509Certificate;
    readonly keys: CryptoKeyPair;
}

export interface Validity {
    /** Days from now the certificate became valid (negative: in the past). @default - -1 */
    readonly fromDays?: number;
    /** Days from now it expires (negative: already expired). */
    readonly toDays: number;
}

export interface LeafValidity extends Validity {
    /** DNS names and IP addresses. @default - localhost and 127.0.0.1 */
    readonly altNames?: readonly string[];
}

async function keyPem(keys: CryptoKeyPair): Promise<string> {
    const pkcs8 = await crypto.webcrypto.subtle.exportKey("pkcs8", keys.privateKey as crypto.webcrypto.CryptoKey);
    return `-----BEGIN PRIVATE KEY-----\n${Buffer.from(pkcs8).toString("base64").replace(/(.{64})/g, "$1\n").replace(/\n?$/, "\n")}-----END PRIVATE KEY-----\n`;
}

const serial = () => `01${crypto.randomBytes(15).toString("hex")}`;

/** A CA: self-signed when `issuer` is absent, else an intermediate signed by it. */
export async function datedCa(commonName: string, validity: Validity, issuer?: DatedCert): Promise<DatedCert> {
    const keys = (await crypto.webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: `CN=${commonName}`,
        issuer: issuer ? issuer.cert.subject : `CN=${commonName}`,
        notBefore: new Date(now + (validity.fromDays ?? -1) * DAY_MS),
        notAfter: new Date(now + validity.toDays * DAY_MS),
        publicKey: keys.publicKey,
        signingKey: (issuer?.keys ?? keys).privateKey,
        signingAlgorithm: ALGORITHM,
        extensions: [
            new x509.BasicConstraintsExtension(true, undefined, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
            await x509.SubjectKeyIdentifierExtension.create(keys.publicKey),
            ...(issuer ? [await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey)] : []),
        ],
    });
    return { certPem: cert.toString("pem") + "\n", keyPem: await keyPem(keys), cert, keys };
}

/** A server leaf, signed by `issuer`. */
export async function datedLeaf(issuer: DatedCert, validity: LeafValidity): Promise<DatedCert> {
    const altNames = validity.altNames ?? ["localhost", "127.0.0.1"];
    const keys = (await crypto.webcrypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
    const now = Date.now();
    const cert = await x509.X509CertificateGenerator.create({
        serialNumber: serial(),
        subject: "CN=localhost",
        issuer: issuer.cert.subject,
        notBefore: new Date(now + (validity.fromDays ?? -1) * DAY_MS),
        notAfter: new Date(now + validity.toDays * DAY_MS),
        publicKey: keys.publicKey,
        signingKey: issuer.keys.privateKey,
        signingAlgorithm: ALGORITHM,
        extensions: [
            new x509.BasicConstraintsExtension(false, undefined, true),
            new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
            new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
            new x509.SubjectAlternativeNameExtension(altNames.map((value) => ({ type: net.isIP(value) ? ("ip" as const) : ("dns" as const), value }))),
            await x509.AuthorityKeyIdentifierExtension.create(issuer.keys.publicKey),
        ],
    });
    return { certPem: cert.toString("pem") + "\n", keyPem: await keyPem(keys), cert, keys };
}
