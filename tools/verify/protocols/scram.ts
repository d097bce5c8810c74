/**
 * SCRAM-SHA-256 client (RFC 5802, RFC 7677) without channel binding, as PostgreSQL's
 * `scram-sha-256` method wants it: the user name is left empty in the client-first message, the server
 * takes it from the startup packet (PostgreSQL docs, "SCRAM-SHA-256 Authentication").
 * The password is used as its UTF-8 bytes, not SASLprep'd: identical for ASCII passwords, which is what
 * the components generate; libpq itself falls back to the raw bytes when SASLprep fails.
 */
import { createHash, createHmac, pbkdf2Sync, randomBytes, timingSafeEqual } from "node:crypto";

/** An upper bound so a hostile server cannot make the client spin on PBKDF2. */
const MAX_ITERATIONS = 1_000_000;

export interface ClientFirst {
    readonly nonce: string;
    /** client-first-message-bare. */
    readonly bare: string;
    /** With the GS2 header `n,,` (no channel binding). */
    readonly message: string;
}

export function clientFirst(nonce = randomBytes(18).toString("base64"), username = ""): ClientFirst {
    const name = username.replace(/=/g, "=3D").replace(/,/g, "=2C");
    const bare = `n=${name},r=${nonce}`;
    return { nonce, bare, message: `n,,${bare}` };
}

function attributes(message: string): Map<string, string> {
    const out = new Map<string, string>();
    for (const part of message.split(",")) {
        const eq = part.indexOf("=");
        if (eq === 1) out.set(part[0]!, part.slice(2));
    }
    return out;
}

const hmac = (key: Buffer, data: string) => createHmac("sha256", key).update(data).digest();

export interface ClientFinal {
    readonly message: string;
    /** What the server-final `v=` must be, base64. */
    readonly serverSignature: string;
}

/** The client-final message for `serverFirst`; throws on a message that breaks the protocol. */
export function clientFinal(password: string, first: ClientFirst, serverFirst: string): ClientFinal {
    const attrs = attributes(serverFirst);
    const nonce = attrs.get("r");
    const salt = attrs.get("s");
    const iterations = Number(attrs.get("i"));
    if (!nonce || !nonce.startsWith(first.nonce) || nonce.length === first.nonce.length) {
        throw new Error("SCRAM: the server's nonce does not extend the client's");
    }
    if (!salt) throw new Error("SCRAM: no salt in the server-first message");
    if (!Number.isInteger(iterations) || iterations < 1 || iterations > MAX_ITERATIONS) {
        throw new Error(`SCRAM: iteration count ${JSON.stringify(attrs.get("i"))} is not between 1 and ${MAX_ITERATIONS}`);
    }
    const salted = pbkdf2Sync(Buffer.from(password, "utf8"), Buffer.from(salt, "base64"), iterations, 32, "sha256");
    const clientKey = hmac(salted, "Client Key");
    const storedKey = createHash("sha256").update(clientKey).digest();
    const withoutProof = `c=${Buffer.from("n,,").toString("base64")},r=${nonce}`;
    const authMessage = `${first.bare},${serverFirst},${withoutProof}`;
    const signature = hmac(storedKey, authMessage);
    const proof = Buffer.from(clientKey.map((b, i) => b ^ signature[i]!));
    const serverSignature = hmac(hmac(salted, "Server Key"), authMessage).toString("base64");
    return { message: `${withoutProof},p=${proof.toString("base64")}`, serverSignature };
}

/** True when the server-final message proves the server knows the password's verifier. */
export function serverFinalValid(serverFinal: string, expected: ClientFinal): boolean {
    const v = attributes(serverFinal).get("v");
    if (!v) return false;
    const got = Buffer.from(v, "base64");
    const want = Buffer.from(expected.serverSignature, "base64");
    return got.length === want.length && timingSafeEqual(got, want);
}
