import * as net from "node:net";
import * as tls from "node:tls";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { probeGate, probeSession, probeVersion } from "../../tools/verify/probes";
import { parseHead } from "../../tools/verify/protocols/https";
import { errorText, startupMessage } from "../../tools/verify/protocols/postgres";
import { encodeCommand } from "../../tools/verify/protocols/redis";
import { clientFinal, clientFirst, serverFinalValid } from "../../tools/verify/protocols/scram";
import type { Target } from "../../tools/verify/types";
import { createCa, issueCert, type KeyPair } from "../support/test-pki";

// The protocol pieces, and the probes against small servers in this process that misbehave on
// purpose (the real servers are in live.test.ts).

describe("protocol pieces", () => {
    it("SCRAM-SHA-256 reproduces the RFC 7677 §3 exchange", () => {
        const first = clientFirst("rOprNGfwEbeRWgbNEkqO", "user");
        expect(first.message).toBe("n,,n=user,r=rOprNGfwEbeRWgbNEkqO");
        const final = clientFinal("pencil", first, "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096");
        expect(final.message).toBe("c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=");
        expect(serverFinalValid("v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", final)).toBe(true);
        expect(serverFinalValid("v=AAAATRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=", final)).toBe(false);
    });

    it.each([
        ["a nonce that does not extend the client's", "r=other,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096", "SCRAM: the server's nonce does not extend the client's"],
        ["a huge iteration count", "r=abcdef,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=999999999", 'SCRAM: iteration count "999999999" is not between 1 and 1000000'],
    ])("SCRAM refuses %s", (_, serverFirst, message) => {
        expect(() => clientFinal("pw", clientFirst("abc"), serverFirst)).toThrow(message);
    });

    it("PostgreSQL: startup message 3.0 with user, database and application_name; ErrorResponse as text", () => {
        const m = startupMessage("app", "appdb");
        expect(m.readInt32BE(0)).toBe(m.length);
        expect(m.readInt32BE(4)).toBe(196608);
        expect(m.subarray(8).toString("latin1")).toBe("user\0app\0database\0appdb\0application_name\0tls-platform-verify\0\0");
        const body = Buffer.from("SFATAL\0VFATAL\0C28000\0Mno pg_hba.conf entry\0\0", "latin1");
        expect(errorText(body)).toBe("FATAL 28000: no pg_hba.conf entry");
    });

    it("Redis: commands as RESP arrays of bulk strings", () => {
        expect(encodeCommand("AUTH", "pä").toString()).toBe("*2\r\n$4\r\nAUTH\r\n$3\r\npä\r\n");
    });

    it("HTTP: status and headers, repeated ones joined", () => {
        expect(parseHead("HTTP/1.1 301 Moved\r\nLocation: /x\r\nSet-Cookie: a\r\nset-cookie: b")).toEqual({ status: 301, headers: new Map([["location", "/x"], ["set-cookie", "a, b"]]) });
        expect(parseHead("SSH-2.0-OpenSSH")).toBeNull();
    });
});

let pki: { ca: KeyPair };
let foreign: { ca: KeyPair };
let server: KeyPair;
const servers: net.Server[] = [];

beforeAll(() => {
    pki = { ca: createCa("verify test CA") };
    foreign = { ca: createCa("someone else's CA") };
    server = issueCert(pki.ca, { commonName: "server", usage: "server", altNames: ["localhost", "127.0.0.1"] });
});
afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

/** Listens on 127.0.0.1:0; open connections are cut when the test ends. */
async function listen(s: net.Server): Promise<number> {
    const open = new Set<net.Socket>();
    s.on("connection", (c: net.Socket) => open.add(c.on("close", () => open.delete(c)).on("error", () => undefined)));
    s.on("secureConnection", (c: net.Socket) => c.on("error", () => undefined));
    s.on("tlsClientError", () => undefined);
    const close = s.close.bind(s);
    s.close = (cb?: (err?: Error) => void) => {
        for (const c of open) c.destroy();
        return close(cb);
    };
    servers.push(s);
    await new Promise<void>((resolve) => s.listen(0, "127.0.0.1", resolve));
    return (s.address() as net.AddressInfo).port;
}

const target = (port: number, over: Partial<Target> = {}): Target => ({
    name: "t", service: "redis", host: "127.0.0.1", port, serverName: "localhost", ca: { type: "pem", pem: pki.ca.certPem },
    clientCertificate: null, expectMutualTls: false, documentMinVersion: "TLSv1.2", username: null, password: "the-password-1234", database: null, ...over,
});

/** A TLS Redis that answers AUTH and PING and records every byte it received after the handshake. */
async function fakeTlsRedis(options: tls.TlsOptions = {}): Promise<{ port: number; received: () => string }> {
    let received = "";
    const port = await listen(tls.createServer({ key: server.keyPem, cert: server.certPem, ...options }, (c) => {
        c.on("data", (d: Buffer) => {
            received += d.toString();
            c.write(d.includes("AUTH") ? "+OK\r\n" : "+PONG\r\n");
        });
    }));
    return { port, received: () => received };
}

describe("TLS versions", () => {
    it("negative control: TLS 1.1 shows as accepted by a server configured to allow it (probe at SECLEVEL=0)", async () => {
        const port = await listen(tls.createServer({ key: server.keyPem, cert: server.certPem, minVersion: "TLSv1", ciphers: "DEFAULT:@SECLEVEL=0" }));
        expect(await probeVersion(target(port), "TLSv1.1", 2000)).toMatchObject({ result: "accepted", detail: expect.stringMatching(/^TLSv1\.1 with /) });
        expect(await probeVersion(target(port), "TLSv1", 2000)).toMatchObject({ result: "accepted" });
    });

    it("refuses TLS 1.0/1.1 at a TLS 1.2+ server with the server's alert, and 1.2 at a 1.3-only server", async () => {
        const modern = await listen(tls.createServer({ key: server.keyPem, cert: server.certPem }));
        const only13 = await listen(tls.createServer({ key: server.keyPem, cert: server.certPem, minVersion: "TLSv1.3" }));
        expect(await probeVersion(target(modern), "TLSv1.1", 2000)).toEqual({ result: "refused", detail: 'TLS alert "protocol version"' });
        expect(await probeVersion(target(modern), "TLSv1.3", 2000)).toMatchObject({ result: "accepted" });
        expect(await probeVersion(target(only13), "TLSv1.2", 2000)).toEqual({ result: "refused", detail: 'TLS alert "protocol version"' });
    });
});

describe("the session: credentials only to a verified server", () => {
    it("positive control: a verified server gets AUTH with the password, then PING", async () => {
        const fake = await fakeTlsRedis();
        const s = await probeSession(target(fake.port), 2000);
        expect(s).toMatchObject({ established: true, chainVerified: true, identityError: null, request: { ok: true, detail: "AUTH accepted, PING answered +PONG" } });
        expect(fake.received()).toContain("the-password-1234");
    });

    it.each([
        ["a chain from another CA", () => ({ ca: { type: "pem" as const, pem: foreign.ca.certPem } }), { chainVerified: false, chainError: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" }],
        ["a name not in the SANs", () => ({ serverName: "cache.example" }), { chainVerified: true, identityError: expect.stringMatching(/Host: cache\.example\. is not in the cert's altnames: DNS:localhost, IP Address:127\.0\.0\.1/) }],
    ])("a server with %s gets not one byte", async (_, over, expected) => {
        const fake = await fakeTlsRedis();
        const s = await probeSession(target(fake.port, over()), 2000);
        expect(s).toMatchObject({ established: true, request: null, ...expected });
        await new Promise((resolve) => setTimeout(resolve, 100));
        expect(fake.received()).toBe("");
    });
});

describe("mutual TLS, as a TLS 1.3 server refuses it: after the client's handshake", () => {
    it("counts the alert that follows the first request as a refusal", async () => {
        const port = await listen(tls.createServer({ key: server.keyPem, cert: server.certPem, requestCert: true, rejectUnauthorized: true, ca: pki.ca.certPem }));
        expect(await probeGate(target(port, { service: "https" }), "withoutClientCertificate", 2000)).toEqual({
            verdict: "refused", detail: 'without client certificate: TLS alert "certificate required"',
        });
    });

    it("counts an answer as served when the server only asks for a certificate", async () => {
        const fake = await fakeTlsRedis({ requestCert: true, rejectUnauthorized: false, ca: pki.ca.certPem });
        expect(await probeGate(target(fake.port), "withoutClientCertificate", 2000)).toEqual({
            verdict: "served", detail: "PING without client certificate: answered +PONG",
        });
    });
});

describe("plaintext", () => {
    it.each([
        ["+PONG\r\n", "served", "plaintext PING answered +PONG"],
        ["-NOAUTH Authentication required.\r\n", "served", "plaintext PING answered -NOAUTH Authentication required.: the server speaks Redis in plaintext, so AUTH would travel unencrypted"],
        ["-ERR Bad TLS header, double check if you enabled TLS for your client.\r\n", "refused", "plaintext PING answered -ERR Bad TLS header, double check if you enabled TLS for your client., no PONG"],
    ])("Redis answering %j: %s", async (reply, verdict, detail) => {
        const port = await listen(net.createServer((c) => c.once("data", () => c.end(reply))));
        expect(await probeGate(target(port), "plaintext", 2000)).toEqual({ verdict, detail });
    });

    it("PostgreSQL: 'N' to the SSLRequest is no TLS session; a startup answered with an authentication request is plaintext served", async () => {
        const sasl = Buffer.from("R\0\0\0\x17\0\0\0\x0aSCRAM-SHA-256\0\0", "latin1");
        const port = await listen(net.createServer((c) => c.once("data", (d: Buffer) => c.write(d.length === 8 ? "N" : sasl))));
        const t = target(port, { service: "postgres", username: "app", database: "app" });
        expect(await probeSession(t, 2000)).toEqual({ established: false, error: "the server answered the SSLRequest with 'N': it offers no TLS" });
        expect(await probeGate(t, "plaintext", 2000)).toEqual({ verdict: "served", detail: "plaintext startup (no SSLRequest): the server went on to authentication (SASL)" });
        expect(await probeVersion(t, "TLSv1.2", 2000)).toEqual({ result: "error", detail: "the server answered the SSLRequest with 'N': it offers no TLS" });
    });

    it("HTTPS: plain HTTP served on the TLS port", async () => {
        const port = await listen(net.createServer((c) => c.once("data", () => c.end("HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nhi"))));
        expect(await probeGate(target(port, { service: "https" }), "plaintext", 2000)).toEqual({ verdict: "served", detail: "plain HTTP GET / answered HTTP 200" });
    });
});

describe("a server that accepts and never answers", () => {
    it.each(["redis", "postgres", "https"] as const)("%s: every probe ends at its deadline", async (service) => {
        const port = await listen(net.createServer(() => undefined));
        const t = target(port, { service, expectMutualTls: true });
        const started = Date.now();
        const [version, session, gate, plain] = await Promise.all([
            probeVersion(t, "TLSv1.1", 300), probeSession(t, 300), probeGate(t, "withoutClientCertificate", 300), probeGate(t, "plaintext", 300),
        ]);
        expect(Date.now() - started).toBeLessThan(800);
        expect(version).toEqual({ result: "error", detail: "no answer within 300 ms" });
        expect(session).toEqual({ established: false, error: "no answer within 300 ms" });
        expect(gate).toEqual({ verdict: "unknown", detail: "without client certificate: no answer within 300 ms" });
        // A Redis TLS port that ignores a plaintext PING has not served it; for the others silence proves nothing.
        expect(plain).toEqual({ verdict: service === "redis" ? "refused" : "unknown", detail: "plaintext: no answer within 300 ms" });
    });
});
