import * as tls from "node:tls";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { issueTestPki, type IssuedPems } from "./fixture";

// Real TLS handshakes (node's OpenSSL) with the certificates the PKI components produce under the
// provider emulator: what a client of the deployed services would do.

let pki: Awaited<ReturnType<typeof issueTestPki>>;
const servers: tls.Server[] = [];

beforeAll(async () => {
    pki = await issueTestPki();
});
afterAll(() => servers.forEach((s) => s.close()));

/** Why the mutual-TLS server refused each client: OpenSSL's verify result, as node reports it. */
const refusals: string[] = [];

async function listen(options: tls.TlsOptions): Promise<number> {
    const server = tls.createServer({ minVersion: "TLSv1.2", ...options }, (socket) => {
        // What node's `rejectUnauthorized: true` does, but keeping the reason so that a test can assert it.
        if (options.requestCert && !socket.authorized) {
            refusals.push(String(socket.authorizationError));
            socket.destroy();
            return;
        }
        socket.end(`hello ${socket.authorized ? (socket.getPeerCertificate().subject?.CN ?? "anonymous") : "anonymous"}\n`);
    });
    server.on("tlsClientError", () => undefined); // the client's side of each refusal is asserted
    servers.push(server);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as AddressInfo).port;
}

/** Connects and reads the server's greeting; rejects with the TLS error code on any failure. */
function greet(port: number, options: tls.ConnectionOptions): Promise<string> {
    return new Promise((resolve, reject) => {
        let data = "";
        const socket = tls.connect({ host: "127.0.0.1", port, minVersion: "TLSv1.2", ...options });
        socket.setTimeout(5000, () => socket.destroy(new Error("timeout")));
        socket.on("data", (chunk) => (data += chunk));
        socket.on("error", (e: NodeJS.ErrnoException) => reject(new Error(e.code ?? e.message)));
        socket.on("close", () => (data ? resolve(data.trim()) : reject(new Error("closed without a greeting"))));
    });
}

const serverOptions = (cert: IssuedPems): tls.TlsOptions => ({ cert: cert.fullChainPem, key: cert.privateKeyPem });

describe("server certificate", () => {
    let port: number;
    beforeAll(async () => {
        port = await listen(serverOptions(pki.server));
    });

    it.each(["db.internal", "localhost"])("verifies for the SAN name %s with only the project's CA trusted", async (servername) => {
        await expect(greet(port, { ca: pki.caPem, servername })).resolves.toBe("hello anonymous");
    });

    it("verifies for the SAN IP 127.0.0.1 when no name is sent", async () => {
        await expect(greet(port, { ca: pki.caPem })).resolves.toBe("hello anonymous");
    });

    it("fails for a name that is not in its SANs", async () => {
        await expect(greet(port, { ca: pki.caPem, servername: "cache.internal" })).rejects.toThrow("ERR_TLS_CERT_ALTNAME_INVALID");
    });

    it("fails for a client that does not trust the project's CA", async () => {
        await expect(greet(port, { ca: pki.foreignCaPem, servername: "db.internal" })).rejects.toThrow("SELF_SIGNED_CERT_IN_CHAIN") // the chain ends in a root the client does not trust;
    });

    it("fails for a client that trusts only the public roots", async () => {
        await expect(greet(port, { servername: "db.internal" })).rejects.toThrow("SELF_SIGNED_CERT_IN_CHAIN") // the chain ends in a root the client does not trust;
    });

    it("is refused by a client when it is a client-purpose certificate (EKU clientAuth only)", async () => {
        const clientAsServer = await listen(serverOptions(pki.client));
        await expect(greet(clientAsServer, { ca: pki.caPem, checkServerIdentity: () => undefined })).rejects.toThrow("INVALID_PURPOSE");
    });
});

describe("mutual TLS: client certificates required", () => {
    let port: number;
    beforeAll(async () => {
        port = await listen({ ...serverOptions(pki.server), ca: pki.caPem, requestCert: true, rejectUnauthorized: false });
    });
    const client = (cert?: IssuedPems) => greet(port, { ca: pki.caPem, servername: "db.internal", ...(cert ? { cert: cert.certPem, key: cert.privateKeyPem } : {}) });

    it("accepts the client certificate issued by the project's CA, and sees its common name", async () => {
        await expect(client(pki.client)).resolves.toBe("hello app");
    });

    const refused = async (cert: IssuedPems | undefined, reason: string) => {
        const before = refusals.length;
        await expect(client(cert)).rejects.toThrow(/ECONNRESET|closed without a greeting/);
        expect(refusals.slice(before)).toEqual([reason]);
    };

    it("refuses a client with no certificate", async () => {
        await refused(undefined, "UNABLE_TO_GET_ISSUER_CERT"); // node's word for "no peer certificate"
    });

    it("refuses a client certificate from another CA", async () => {
        await refused(pki.foreignClient, "UNABLE_TO_VERIFY_LEAF_SIGNATURE");
    });

    it("refuses a server-purpose certificate offered as a client certificate (EKU serverAuth only)", async () => {
        await refused(pki.server, "INVALID_PURPOSE");
    });
});
