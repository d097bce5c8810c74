import * as net from "node:net";
import * as tls from "node:tls";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { probeCipherSuites, SUITE_ATTEMPTS } from "../../tools/verify/cipher-probes";
import { listTls12Suites } from "../../tools/verify/ciphers";
import type { CipherSuite, Target } from "../../tools/verify/types";
import { createCa, issueCert, type KeyPair } from "../support/test-pki";

// The per-suite probe against in-process servers: what counts as accepted, refused and undetermined.

let ca: KeyPair;
let leaf: KeyPair;
let suites: CipherSuite[];
const closers: (() => Promise<void>)[] = [];
const pick = (...names: string[]) => names.map((n) => suites.find((s) => s.name === n)!);

beforeAll(async () => {
    ca = createCa("cipher probe CA");
    leaf = issueCert(ca, { commonName: "localhost", usage: "server", altNames: ["localhost", "127.0.0.1"] });
    suites = await listTls12Suites();
});
afterEach(async () => {
    await Promise.all(closers.splice(0).map((close) => close()));
});

async function listen(server: net.Server): Promise<number> {
    const open = new Set<net.Socket>();
    server.on("connection", (c: net.Socket) => open.add(c.on("close", () => open.delete(c)).on("error", () => undefined)));
    server.on("tlsClientError", () => undefined);
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    closers.push(() => new Promise((resolve) => {
        open.forEach((c) => c.destroy());
        server.close(() => resolve());
    }));
    return (server.address() as net.AddressInfo).port;
}

const target = (port: number): Target => ({
    name: "t", service: "https", host: "127.0.0.1", port, serverName: "localhost", ca: { type: "pem", pem: ca.certPem },
    clientCertificate: null, expectMutualTls: false, documentMinVersion: "TLSv1.2", username: null, password: null, database: null,
});

describe("probeCipherSuites", () => {
    it("accepts what the server completes, refuses on its handshake_failure alert, and says how long it took", async () => {
        const port = await listen(tls.createServer({ key: leaf.keyPem, cert: leaf.certPem, ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA" }, (s) => s.end()));
        const r = await probeCipherSuites(target(port), pick("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-GCM-SHA384", "AES128-SHA"), { timeoutMs: 2000, concurrency: 2 });
        expect(r).toMatchObject({ probed: true, refused: 2, undetermined: [], notOfferable: [], candidates: 4, concurrency: 2 });
        expect(r.probed && r.accepted.map((s) => s.name)).toEqual(["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA"]);
        expect(r.probed && r.ms).toBeGreaterThanOrEqual(0);
    });

    it("counts a suite the server chose as accepted when it then ends the handshake for want of a client certificate", async () => {
        const port = await listen(tls.createServer({ key: leaf.keyPem, cert: leaf.certPem, ca: ca.certPem, requestCert: true, rejectUnauthorized: true, ciphers: "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES128-SHA" }, (s) => s.end()));
        const r = await probeCipherSuites(target(port), pick("ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA", "ECDHE-ECDSA-AES256-GCM-SHA384"), { timeoutMs: 2000 });
        expect(r).toMatchObject({ probed: true, refused: 1, undetermined: [] });
        expect(r.probed && r.accepted.map((s) => s.name)).toEqual(["ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-ECDSA-AES128-SHA"]);
    });

    it("counts a reset without TLS alert as no verdict, never as a refusal, after trying again", async () => {
        let connections = 0;
        const port = await listen(net.createServer((c) => {
            connections++;
            c.once("data", () => c.resetAndDestroy());
        }));
        const r = await probeCipherSuites(target(port), pick("ECDHE-ECDSA-AES128-GCM-SHA256"), { timeoutMs: 2000 });
        expect(r).toMatchObject({ probed: true, accepted: [], refused: 0, undetermined: [{ suite: "ECDHE-ECDSA-AES128-GCM-SHA256", detail: "connection reset by the server" }] });
        expect(connections).toBe(SUITE_ATTEMPTS);
    });

    it("stops at the first suite that cannot reach the server: one failure, the rest not probed", async () => {
        const spare = net.createServer();
        const port = await new Promise<number>((resolve) => spare.listen(0, "127.0.0.1", () => resolve((spare.address() as net.AddressInfo).port)));
        await new Promise((resolve) => spare.close(resolve));
        const r = await probeCipherSuites(target(port), suites.slice(0, 20), { timeoutMs: 2000, concurrency: 1 });
        expect(r.probed && r.undetermined[0]).toEqual({ suite: suites[0]!.name, detail: "connection refused" });
        expect(r.probed && r.undetermined.slice(1).every((u) => u.detail === `not probed after ${suites[0]!.name}: connection refused`)).toBe(true);
        expect(r.probed && r.undetermined).toHaveLength(20);
    });
});
