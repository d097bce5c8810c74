/**
 * Throwaway certificates for the probe tests, made with the openssl CLI: a CA, server leaves signed by
 * it (ECDSA P-256, SANs localhost and 127.0.0.1), and a client leaf.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

export interface Pem {
    readonly certPem: string;
    readonly privateKeyPem: string;
}

export interface TestPki {
    readonly ca: Pem;
    /** A leaf signed by the CA, valid for `days`. */
    leaf(name: string, o?: { days?: number; client?: boolean }): Pem;
    remove(): void;
}

export function makeTestPki(commonName = "verify test CA"): TestPki {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-pki-"));
    const file = (n: string) => path.join(dir, n);
    const openssl = (...args: string[]) => execFileSync("openssl", args, { stdio: ["ignore", "ignore", "pipe"] });
    openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", file("ca.key"), "-out", file("ca.crt"),
        "-days", "30", "-subj", `/CN=${commonName}`, "-addext", "basicConstraints=critical,CA:TRUE", "-addext", "keyUsage=critical,keyCertSign,cRLSign");
    const read = (n: string) => fs.readFileSync(file(n), "utf8");
    return {
        ca: { certPem: read("ca.crt"), privateKeyPem: read("ca.key") },
        leaf(name, o = {}) {
            const ext = file(`${name}.ext`);
            fs.writeFileSync(ext, o.client
                ? "basicConstraints=CA:FALSE\nextendedKeyUsage=clientAuth\n"
                : "basicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\nsubjectAltName=DNS:localhost,IP:127.0.0.1\n");
            openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", file(`${name}.key`), "-out", file(`${name}.csr`), "-subj", `/CN=${name}`);
            openssl("x509", "-req", "-in", file(`${name}.csr`), "-CA", file("ca.crt"), "-CAkey", file("ca.key"), "-CAcreateserial", "-days", String(o.days ?? 20),
                "-extfile", ext, "-out", file(`${name}.crt`));
            return { certPem: read(`${name}.crt`), privateKeyPem: read(`${name}.key`) };
        },
        remove: () => fs.rmSync(dir, { recursive: true, force: true }),
    };
}
