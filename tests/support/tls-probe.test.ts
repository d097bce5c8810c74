import * as net from "node:net";
import * as tls from "node:tls";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { makeTestPki, type TestPki } from "./test-pki";
import { probeTlsVersion, tlsHandshake } from "./tls-probe";

async function listen(server: net.Server): Promise<number> {
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    return (server.address() as net.AddressInfo).port;
}

describe("probeTlsVersion", () => {
    let pki: TestPki;
    const servers: net.Server[] = [];
    let legacyPort: number; // negative control: deliberately accepts TLS 1.0 and 1.1
    let modernPort: number; // TLS 1.2+ only
    let hangUpPort: number; // accepts TCP and closes without speaking TLS

    beforeAll(async () => {
        pki = makeTestPki();
        const creds = { cert: pki.server.certPem, key: pki.server.keyPem };
        const legacy = tls.createServer({ ...creds, minVersion: "TLSv1", maxVersion: "TLSv1.2", ciphers: "DEFAULT:@SECLEVEL=0" });
        const modern = tls.createServer({ ...creds, minVersion: "TLSv1.2" });
        const hangUp = net.createServer((s) => s.destroy());
        servers.push(legacy, modern, hangUp);
        [legacyPort, modernPort, hangUpPort] = await Promise.all([listen(legacy), listen(modern), listen(hangUp)]);
    });
    afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

    it.each(["TLSv1", "TLSv1.1", "TLSv1.2"] as const)("reports %s as accepted by the negative-control server that allows it", async (version) => {
        const r = await probeTlsVersion({ host: "127.0.0.1", port: legacyPort, version });
        expect(r.accepted, r.output).toBe(true);
        expect(r.protocol).toBe(version);
        expect(r.cipher).toMatch(/^[A-Z0-9-]+$/);
    });

    it.each(["TLSv1", "TLSv1.1"] as const)("reports %s as refused (protocol version alert) by a TLS 1.2+ server", async (version) => {
        const r = await probeTlsVersion({ host: "127.0.0.1", port: modernPort, version });
        expect(r.accepted, r.output).toBe(false);
        expect(r.alert).toBe("protocol version");
    });

    it.each(["TLSv1.2", "TLSv1.3"] as const)("reports %s as accepted by a TLS 1.2+ server", async (version) => {
        const r = await probeTlsVersion({ host: "127.0.0.1", port: modernPort, version, servername: "localhost" });
        expect(r).toMatchObject({ accepted: true, protocol: version });
    });

    it("throws instead of reporting 'refused' when the peer hangs up without a TLS alert", async () => {
        await expect(probeTlsVersion({ host: "127.0.0.1", port: hangUpPort, version: "TLSv1.1" })).rejects.toThrow(/no TLS verdict/);
    });

    it("throws when nothing listens", async () => {
        const closed = net.createServer();
        const port = await listen(closed);
        await new Promise((r) => closed.close(r));
        await expect(probeTlsVersion({ host: "127.0.0.1", port, version: "TLSv1.2" })).rejects.toThrow(/no TLS verdict[\s\S]*errno=111/);
    });
});

describe("tlsHandshake", () => {
    let pki: TestPki;
    let port: number; // server-auth only
    let mtlsPort: number; // client certificate from pki.ca required
    const servers: net.Server[] = [];

    beforeAll(async () => {
        pki = makeTestPki({ serverNames: ["cache.internal"] });
        const creds = { cert: pki.server.certPem, key: pki.server.keyPem };
        const plain = tls.createServer(creds);
        const mtls = tls.createServer({ ...creds, ca: pki.ca.certPem, requestCert: true, rejectUnauthorized: true });
        servers.push(plain, mtls);
        [port, mtlsPort] = await Promise.all([listen(plain), listen(mtls)]);
    });
    afterAll(() => Promise.all(servers.map((s) => new Promise((r) => s.close(r)))));

    it.each(["localhost", "cache.internal", "127.0.0.1"])("verifies the server for SAN %s with only the CA", async (name) => {
        const r = await tlsHandshake({ host: "127.0.0.1", port, ca: pki.ca.certPem, servername: name });
        expect(r).toMatchObject({ ok: true, authorized: true, protocol: "TLSv1.3" });
    });

    it("fails for a name that is not in the SANs", async () => {
        const r = await tlsHandshake({ host: "127.0.0.1", port, ca: pki.ca.certPem, servername: "other.example" });
        expect(r.ok).toBe(false);
        expect(r.error).toMatch(/does not match certificate's altnames/);
    });

    it("fails for a client that trusts another CA", async () => {
        const r = await tlsHandshake({ host: "127.0.0.1", port, ca: pki.foreignCa.certPem, servername: "localhost" });
        expect(r.ok).toBe(false);
        expect(r.error).toMatch(/unable to verify the first certificate|unable to get local issuer certificate/);
    });

    it("sees the post-handshake rejection of a missing or foreign client certificate, and accepts the issued one", async () => {
        const base = { host: "127.0.0.1", port: mtlsPort, ca: pki.ca.certPem, servername: "localhost" };
        const none = await tlsHandshake(base);
        const foreign = await tlsHandshake({ ...base, cert: pki.foreignClient.certPem, key: pki.foreignClient.keyPem });
        const issued = await tlsHandshake({ ...base, cert: pki.client.certPem, key: pki.client.keyPem });
        expect(none).toMatchObject({ ok: false, error: expect.stringMatching(/certificate required/) });
        // node's server drops an unauthorized peer without an alert (TLSSocket onhandshakedone → destroy).
        expect(foreign).toMatchObject({ ok: false, error: "connection closed by the server" });
        expect(issued).toMatchObject({ ok: true, authorized: true });
    });
});
