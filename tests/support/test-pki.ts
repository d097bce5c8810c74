/**
 * TEMPORARY test certificates from the openssl CLI, as PEM strings. Server tests take PEM strings (never
 * file paths) so that certificates from the project's Pulumi PKI components can replace these later.
 */
import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

export type KeyType = "P-256" | "RSA-4096";

export interface KeyPair {
    readonly certPem: string;
    readonly keyPem: string;
}

export interface TestPki {
    /** ECDSA P-256 CA that issues the server and client certificates. */
    readonly ca: KeyPair;
    /** Server certificate with SANs `localhost`, `127.0.0.1` and the requested names. */
    readonly server: KeyPair;
    /** Client certificate (CN as requested) issued by `ca`. */
    readonly client: KeyPair;
    /** Another CA, unrelated to `ca`. */
    readonly foreignCa: KeyPair;
    /** Client certificate with the same CN, issued by `foreignCa`. */
    readonly foreignClient: KeyPair;
}

const VALIDITY_DAYS = "2";
// A minimal config so the host's openssl.cnf adds nothing we did not ask for.
const OPENSSL_CNF = `[req]
distinguished_name = dn
prompt = no
[dn]
[ca]
basicConstraints = critical, CA:TRUE
keyUsage = critical, keyCertSign, cRLSign
subjectKeyIdentifier = hash
`;

function withTempDir<T>(fn: (dir: string) => T): T {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "test-pki-"));
    try {
        return fn(dir);
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
}

function openssl(dir: string, args: string[]): void {
    execFileSync("openssl", args, { cwd: dir, stdio: ["ignore", "ignore", "pipe"] });
}

function newKey(dir: string, file: string, type: KeyType): string {
    const opts = type === "P-256" ? ["-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"] : ["-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:4096"];
    openssl(dir, ["genpkey", ...opts, "-out", file]);
    return fs.readFileSync(path.join(dir, file), "utf8");
}

function randomSerial(): string {
    return `0x${randomBytes(16).toString("hex").replace(/^./, "1")}`;
}

/** Self-signed ECDSA P-256 CA. */
export function createCa(commonName: string): KeyPair {
    return withTempDir((dir) => {
        fs.writeFileSync(path.join(dir, "openssl.cnf"), OPENSSL_CNF);
        const keyPem = newKey(dir, "ca.key", "P-256");
        openssl(dir, ["req", "-x509", "-new", "-config", "openssl.cnf", "-extensions", "ca", "-key", "ca.key",
            "-subj", `/CN=${commonName}`, "-days", VALIDITY_DAYS, "-set_serial", randomSerial(), "-out", "ca.crt"]);
        return { certPem: fs.readFileSync(path.join(dir, "ca.crt"), "utf8"), keyPem };
    });
}

export interface LeafOptions {
    readonly commonName: string;
    readonly usage: "server" | "client";
    /** DNS names and IP addresses for the subjectAltName extension. */
    readonly altNames?: readonly string[];
    /** @default - P-256 */
    readonly keyType?: KeyType;
    /** @default - 2 days */
    readonly days?: number;
}

/** A leaf certificate signed by `ca`. */
export function issueCert(ca: KeyPair, o: LeafOptions): KeyPair {
    return withTempDir((dir) => {
        fs.writeFileSync(path.join(dir, "openssl.cnf"), OPENSSL_CNF);
        fs.writeFileSync(path.join(dir, "ca.crt"), ca.certPem);
        fs.writeFileSync(path.join(dir, "ca.key"), ca.keyPem, { mode: 0o600 });
        const keyType = o.keyType ?? "P-256";
        const keyPem = newKey(dir, "leaf.key", keyType);
        const san = (o.altNames ?? []).map((n) => (net.isIP(n) ? `IP:${n}` : `DNS:${n}`)).join(", ");
        fs.writeFileSync(path.join(dir, "leaf.ext"), [
            "basicConstraints = critical, CA:FALSE",
            // RSA key exchange is not in the cipher lists used here, but TLS 1.2 RSA certificates conventionally carry it.
            `keyUsage = critical, digitalSignature${keyType === "RSA-4096" ? ", keyEncipherment" : ""}`,
            `extendedKeyUsage = ${o.usage === "server" ? "serverAuth" : "clientAuth"}`,
            "subjectKeyIdentifier = hash",
            "authorityKeyIdentifier = keyid",
            ...(san ? [`subjectAltName = ${san}`] : []),
        ].join("\n") + "\n");
        openssl(dir, ["req", "-new", "-config", "openssl.cnf", "-key", "leaf.key", "-subj", `/CN=${o.commonName}`, "-out", "leaf.csr"]);
        openssl(dir, ["x509", "-req", "-in", "leaf.csr", "-CA", "ca.crt", "-CAkey", "ca.key", "-set_serial", randomSerial(),
            "-days", String(o.days ?? VALIDITY_DAYS), "-extfile", "leaf.ext", "-out", "leaf.crt"]);
        return { certPem: fs.readFileSync(path.join(dir, "leaf.crt"), "utf8"), keyPem };
    });
}

export interface TestPkiOptions {
    /** SANs beyond `localhost` and `127.0.0.1`. @default - none */
    readonly serverNames?: readonly string[];
    /** @default - test-client */
    readonly clientCommonName?: string;
    /** @default - P-256 */
    readonly serverKeyType?: KeyType;
}

/** The usual set: CA, server, client, and a foreign CA with its own client certificate. */
export function makeTestPki(o: TestPkiOptions = {}): TestPki {
    const ca = createCa("Test CA");
    const foreignCa = createCa("Foreign Test CA");
    const clientCn = o.clientCommonName ?? "test-client";
    return {
        ca,
        server: issueCert(ca, { commonName: "localhost", usage: "server", altNames: ["localhost", "127.0.0.1", ...(o.serverNames ?? [])], keyType: o.serverKeyType }),
        client: issueCert(ca, { commonName: clientCn, usage: "client" }),
        foreignCa,
        foreignClient: issueCert(foreignCa, { commonName: clientCn, usage: "client" }),
    };
}
