import * as crypto from "node:crypto";

/** Node's names for the curves `tls:index/privateKey` offers. */
export const CURVE_NAMES: Record<string, string> = { P224: "secp224r1", P256: "prime256v1", P384: "secp384r1", P521: "secp521r1" };
const WEBCRYPTO_CURVES: Record<string, string> = { prime256v1: "P-256", secp384r1: "P-384", secp521r1: "P-521" };
/** Go's x509 picks the signature hash from the signer's curve (crypto/x509 signingParamsForKey). */
const CURVE_HASH: Record<string, string> = { "P-256": "SHA-256", "P-384": "SHA-384", "P-521": "SHA-512" };

/** A key pair as the tls provider emits it: PKCS#1 for RSA, SEC1 for ECDSA, PKCS#8 for ED25519. */
export function generateKeyPem(algorithm: string, ecdsaCurve: string, rsaBits: number): crypto.KeyObject {
    switch (algorithm) {
        case "RSA":
            return crypto.generateKeyPairSync("rsa", { modulusLength: rsaBits }).privateKey;
        case "ECDSA":
            return crypto.generateKeyPairSync("ec", { namedCurve: CURVE_NAMES[ecdsaCurve]! }).privateKey;
        default:
            return crypto.generateKeyPairSync("ed25519").privateKey;
    }
}

export function providerPem(key: crypto.KeyObject): string {
    switch (key.asymmetricKeyType) {
        case "rsa":
            return key.export({ type: "pkcs1", format: "pem" }) as string;
        case "ec":
            return key.export({ type: "sec1", format: "pem" }) as string;
        default:
            return key.export({ type: "pkcs8", format: "pem" }) as string;
    }
}

/** The provider's `key_algorithm` / `ca_key_algorithm` names. */
export function algorithmName(key: crypto.KeyObject): string {
    return { rsa: "RSA", ec: "ECDSA", ed25519: "ED25519" }[key.asymmetricKeyType as string] ?? String(key.asymmetricKeyType);
}

/**
 * Node's WebCrypto key as the DOM type @peculiar/x509 is typed against: the same object, but
 * @types/node 24 lists key usages (ML-KEM's `encapsulateBits`, ...) that TypeScript 5.9's DOM lib lacks.
 */
export const asDomCryptoKey = (key: crypto.webcrypto.CryptoKey): CryptoKey => key as CryptoKey;

/** The WebCrypto signing key and algorithm for a private key, as Go's x509 would sign with it. */
export async function signerFor(key: crypto.KeyObject): Promise<{ signingKey: CryptoKey; signingAlgorithm: Algorithm & { hash?: string } }> {
    const pkcs8 = key.export({ type: "pkcs8", format: "der" });
    switch (key.asymmetricKeyType) {
        case "rsa": {
            const algorithm = { name: "RSASSA-PKCS1-v1_5", hash: "SHA-256" };
            return { signingKey: asDomCryptoKey(await crypto.webcrypto.subtle.importKey("pkcs8", pkcs8, algorithm, false, ["sign"])), signingAlgorithm: algorithm };
        }
        case "ec": {
            const namedCurve = WEBCRYPTO_CURVES[key.asymmetricKeyDetails?.namedCurve ?? ""];
            if (!namedCurve) {
                // WebCrypto has no P-224; the real provider signs with it. No component of this project
                // may produce such a key, so the emulator refuses loudly rather than pretending.
                throw new Error(`emulator: cannot sign with curve ${key.asymmetricKeyDetails?.namedCurve} (WebCrypto has no P-224)`);
            }
            const signingKey = asDomCryptoKey(await crypto.webcrypto.subtle.importKey("pkcs8", pkcs8, { name: "ECDSA", namedCurve }, false, ["sign"]));
            return { signingKey, signingAlgorithm: { name: "ECDSA", hash: CURVE_HASH[namedCurve]! } };
        }
        default:
            return { signingKey: asDomCryptoKey(await crypto.webcrypto.subtle.importKey("pkcs8", pkcs8, { name: "Ed25519" }, false, ["sign"])), signingAlgorithm: { name: "Ed25519" } };
    }
}

export function publicKeyPem(key: crypto.KeyObject): string {
    return crypto.createPublicKey(key).export({ type: "spki", format: "pem" }) as string;
}

