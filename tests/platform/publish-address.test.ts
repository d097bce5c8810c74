import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { installEmulator, rejectedBeforeCreating, valueOf, type ProviderEmulator } from "../emulator";

// `publishAddress` end to end: Docker binds the port to that IP, the connection document names it, and
// the server certificate carries it, so a client that uses the document as it is verifies the server
// on the address actually published. The first release bound the port there but always wrote
// 127.0.0.1 into the document and never put the address in the certificate; and it accepted
// `localhost`, which Docker port bindings do not take (older engines bind every interface for it).

let emulator: ProviderEmulator;
let c: typeof import("../../components");
let ca: InstanceType<typeof c.CertificateAuthority>;
const CONTAINER = "docker:index/container:Container";

beforeAll(async () => {
    emulator = await installEmulator({ stack: "dev" });
    c = await import("../../components");
    ca = new c.CertificateAuthority("ca", { commonName: "publish CA" });
});

const secretValue = (v: unknown): string => (typeof v === "object" && v !== null && "value" in v ? (v as { value: string }).value : (v as string));

async function deployed(name: string, args: { publishAddress?: string; allowNonLoopbackPublish?: boolean }) {
    const cache = new c.DragonflyCache(name, { ca, network: "backend", ...args });
    const document = await valueOf(cache.connection);
    const containerName = await valueOf(cache.containerName);
    const container = emulator.ofType(CONTAINER).find((r) => r.state.name === containerName)!;
    const csr = emulator.get("tls:index/certRequest:CertRequest", `${name}-tls-csr`);
    const certPem = emulator.get("tls:index/locallySignedCert:LocallySignedCert", `${name}-tls-cert`).state.certPem as string;
    const keyPem = secretValue(emulator.get("tls:index/privateKey:PrivateKey", `${name}-tls-key`).state.privateKeyPem);
    return { document, container, csr, certPem, keyPem };
}

describe("the published address in the port binding, the document and the certificate", () => {
    it.each([
        // address, allow, bound ip, document host, verified as, URL host, certificate IPs
        [undefined, false, "127.0.0.1", "127.0.0.1", "localhost", "127.0.0.1", ["127.0.0.1"]],
        ["127.0.0.2", false, "127.0.0.2", "127.0.0.2", "127.0.0.2", "127.0.0.2", ["127.0.0.1", "127.0.0.2"]],
        ["::1", false, "::1", "::1", "::1", "[::1]", ["127.0.0.1", "::1"]],
        // Any spelling of an IPv6 address ends up as its one canonical text, everywhere.
        ["0:0:0:0:0:0:0:1", false, "::1", "::1", "::1", "[::1]", ["127.0.0.1", "::1"]],
        ["192.0.2.10", true, "192.0.2.10", "192.0.2.10", "192.0.2.10", "192.0.2.10", ["127.0.0.1", "192.0.2.10"]],
        // Every interface: not a destination, so the document names loopback of the same family.
        ["0.0.0.0", true, "0.0.0.0", "127.0.0.1", "localhost", "127.0.0.1", ["127.0.0.1"]],
        ["::", true, "::", "::1", "::1", "[::1]", ["127.0.0.1", "::1"]],
        ["::0", true, "::", "::1", "::1", "[::1]", ["127.0.0.1", "::1"]],
    ] as const)("%s (opt-in %s): binds %s, document host %s verified as %s, URL host %s, certificate IPs %j",
        async (address, allow, bind, host, serverName, urlHost, ips) => {
            const name = `pub-${(address ?? "default").replace(/[.:]/g, "x")}`;
            const { document, container, csr } = await deployed(name, { publishAddress: address, allowNonLoopbackPublish: allow || undefined });
            expect(container.inputs.ports.map((p: { ip: string }) => p.ip)).toEqual([bind]);
            expect(document.host).toBe(host);
            expect(document.tls.serverName).toBe(serverName);
            expect(new URL(document.url).hostname).toBe(urlHost);
            expect(csr.inputs.ipAddresses).toEqual(ips);
            expect(csr.inputs.dnsNames).toContain("localhost");
        });

    it.each([
        ["localhost", "`publishAddress`: `localhost` is not an IP address; Docker binds published ports to an IP (older engines given a name bind every interface), so use `127.0.0.1` (the default) or `::1`."],
        ["db.example.com", "`publishAddress`: `db.example.com` is not an IP address; Docker binds published ports to an IP (older engines given a name bind every interface), so use `127.0.0.1` (the default) or `::1`."],
        ["fe80::1%eth0", "`publishAddress`: `fe80::1%eth0` is not an IP address; Docker binds published ports to an IP (older engines given a name bind every interface), so use `127.0.0.1` (the default) or `::1`."],
        ["", "`publishAddress`: `` is not an IP address; Docker binds published ports to an IP (older engines given a name bind every interface), so use `127.0.0.1` (the default) or `::1`."],
    ])("refuses %j before anything is created", async (address, message) => {
        const error = await rejectedBeforeCreating(emulator, () => new c.DragonflyCache(`bad-${address.length}`, { ca, network: "backend", publishAddress: address }));
        expect(error.errors.map((e) => e.reason)).toEqual([message]);
    });
});

describe("a client using the document verifies the server on the published address (real TLS handshakes)", () => {
    const servers: tls.Server[] = [];
    afterAll(async () => {
        await Promise.all(servers.map((s) => new Promise((done) => s.close(done))));
    });

    /** A real TLS server with the component's certificate, on `host` (any 127/8 address is local on Linux). */
    async function serve(host: string, certPem: string, keyPem: string): Promise<number> {
        const server = tls.createServer({ cert: certPem, key: keyPem, minVersion: "TLSv1.2" }, (s) => s.end("hello\n"));
        servers.push(server);
        await new Promise<void>((done) => server.listen(0, host, done));
        return (server.address() as { port: number }).port;
    }

    async function handshake(document: { host: string; tls: unknown }, port: number): Promise<string> {
        const options = c.tlsOptions(document as Parameters<typeof c.tlsOptions>[0]);
        return new Promise<string>((resolve, reject) => {
            const socket = tls.connect({ ...options, host: document.host, port }, () => {
                resolve(socket.getPeerCertificate().subject.CN as string);
                socket.end();
            });
            socket.on("error", reject);
        });
    }

    it("verifies on 127.0.0.2 with the document's own host, CA and name, and sends no IP as SNI", async () => {
        const { document, certPem, keyPem } = await deployed("real-pub", { publishAddress: "127.0.0.2" });
        expect(c.tlsOptions(document)).not.toHaveProperty("servername");
        const port = await serve(document.host, certPem, keyPem);
        await expect(handshake(document, port)).resolves.toBe("real-pub");
    });

    it("checks the certificate against the document's server name, not whatever host was dialled", async () => {
        const { document, certPem, keyPem } = await deployed("real-pub-name", { publishAddress: "127.0.0.4" });
        const port = await serve(document.host, certPem, keyPem);
        const misnamed = { ...document, tls: { ...document.tls, serverName: "127.0.0.9" } };
        await expect(handshake(misnamed, port)).rejects.toThrow(/IP: 127\.0\.0\.9 is not in the cert's list: 127\.0\.0\.1, 127\.0\.0\.4/);
    });

    it("control: a certificate without that IP (the first release's) is refused by the same client", async () => {
        const published = await deployed("real-pub-control-target", { publishAddress: "127.0.0.3" });
        const loopbackOnly = await deployed("real-pub-control", {});
        const port = await serve(published.document.host, loopbackOnly.certPem, loopbackOnly.keyPem);
        await expect(handshake(published.document, port)).rejects.toThrow(/IP: 127\.0\.0\.3 is not in the cert's list: 127\.0\.0\.1/);
    });

    it("the default still verifies as localhost over 127.0.0.1, with SNI", async () => {
        const { document, certPem, keyPem } = await deployed("real-pub-default", {});
        expect(c.tlsOptions(document).servername).toBe("localhost");
        const port = await serve(document.host, certPem, keyPem);
        await expect(handshake(document, port)).resolves.toBe("real-pub-default");
    });
});
