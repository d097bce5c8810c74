import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, type ProviderEmulator } from "../../../tests/emulator";

// The key/certificate guard of serviceContainer.ts under the provider emulator: a service whose server
// certificate was issued for another key (here: its LocallySignedCert given the CSR of an unrelated key
// by a resource transformation, the one input that decides the certificate's public key) fails with the
// guard's ResourceError, and neither the writer nor the reload command is registered, so nothing is
// delivered. The control, the same component untouched, registers both.

const LEAF = "tls:index/locallySignedCert:LocallySignedCert";
const COMMAND = "command:local:Command";

let emulator: ProviderEmulator;
let c: typeof import("../../index");

beforeAll(async () => {
    emulator = await installEmulator({ stack: "dev" });
    c = await import("../../index");
});

/** Runs `body` with unhandled rejections collected (a ResourceError in an apply surfaces as one per failed registration). */
async function collectingUnhandled(body: () => void): Promise<Error[]> {
    const saved = process.listeners("unhandledRejection");
    const collected: Error[] = [];
    process.removeAllListeners("unhandledRejection");
    process.on("unhandledRejection", (reason) => collected.push(reason as Error));
    try {
        body();
        await new Promise((resolve) => setTimeout(resolve, 1500));
    } finally {
        process.removeAllListeners("unhandledRejection");
        for (const listener of saved) process.on("unhandledRejection", listener);
    }
    return collected;
}

/** A CSR for a fresh P-256 key nobody keeps (openssl). */
function unrelatedCsr(): string {
    return execFileSync("openssl", ["req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "/dev/null", "-subj", "/CN=localhost"], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] });
}

const proxyArgs = () => ({ ca: new c.CertificateAuthority(`ca-${Math.random().toString(36).slice(2, 8)}`, { commonName: "guard test CA" }), network: "backend", upstreams: [{ name: "app", url: "http://upstream.internal:8080" }] });
const commandsOf = (name: string) => emulator.ofType(COMMAND).filter((r) => r.name.startsWith(`${name}-`)).map((r) => r.name).sort();

describe("serviceContainer: a server certificate that does not belong to its key", () => {
    it("the control: the same component untouched registers its writer and reload commands", async () => {
        const errors = await collectingUnhandled(() => new c.NginxProxy("matched", proxyArgs()));
        expect(errors).toEqual([]);
        await emulator.waitFor(COMMAND, "matched-tls-reload");
        expect(commandsOf("matched")).toEqual(["matched-tls-files", "matched-tls-reload"]);
    });

    it("fails with the guard's ResourceError naming the certificate's fingerprint, and registers no writer, no reload and no container", async () => {
        const csr = unrelatedCsr();
        const errors = await collectingUnhandled(() => {
            new c.NginxProxy("swapped", proxyArgs(), {
                transformations: [(args) => (args.type === LEAF && args.name === "swapped-tls-cert" ? { props: { ...args.props, certRequestPem: csr }, opts: args.opts } : undefined)],
            });
        });
        const issued = emulator.get(LEAF, "swapped-tls-cert").state.certPem as string;
        const fingerprint = new X509Certificate(issued).fingerprint256.replace(/:/g, "").toLowerCase();
        const message = `the private key does not match the server certificate (sha256 ${fingerprint}); nothing was delivered and the server keeps its current certificate. Replace the key or the certificate so that they belong together.`;
        expect(errors.length).toBeGreaterThan(0);
        for (const error of errors) {
            expect(pulumi.ResourceError.isInstance(error), String(error)).toBe(true);
            // The SDK prefixes where the failed output was used (`error serializing property …: `).
            expect(error.message.endsWith(message), error.message).toBe(true);
        }
        expect(commandsOf("swapped")).toEqual([]);
        expect(emulator.ofType("docker:index/container:Container").map((r) => r.name)).not.toContain("swapped");
        // What was registered before the guard: the certificate itself and the TLS volume.
        expect(emulator.ofType("docker:index/volume:Volume").map((r) => r.name)).toContain("swapped-tls");
    });
});
