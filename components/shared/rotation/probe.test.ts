import { spawn } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import * as tls from "node:tls";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createCa, issueCert, type KeyPair } from "../../../tests/support/test-pki";
import { RELOAD_TIMEOUT_SECONDS, reloadCommand, type ReloadSpec } from "./probe";
import { shellQuote } from "./writer";

// The reload command run for real, as the command provider runs it (`/bin/sh -c <create>`, stdin the writer's
// payload): the writer and rollback steps as shell commands that record what they got (the real ones are
// writer.test.ts's), a `docker` stand-in on PATH that accepts only the exact `docker exec <container> <argv>`
// and exits 0, then the probe (node -e) against node TLS servers on loopback, one plain and one answering
// PostgreSQL's SSLRequest with 'S' before its handshake.

const fingerprint = (pem: string) => new X509Certificate(pem).fingerprint256.replace(/:/g, "").toLowerCase();

let tmp: string;
let ca: KeyPair;
let certA: KeyPair;
let certB: KeyPair;
let otherName: KeyPair;
let foreign: KeyPair;

beforeAll(() => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), "reload-probe-"));
    ca = createCa("Probe Test CA");
    certA = issueCert(ca, { commonName: "localhost", usage: "server", altNames: ["localhost", "127.0.0.1"] });
    certB = issueCert(ca, { commonName: "localhost", usage: "server", altNames: ["localhost", "127.0.0.1"] });
    otherName = issueCert(ca, { commonName: "other.example", usage: "server", altNames: ["other.example"] });
    foreign = issueCert(createCa("Foreign Probe CA"), { commonName: "localhost", usage: "server", altNames: ["localhost", "127.0.0.1"] });
});
afterAll(() => fs.rmSync(tmp, { recursive: true, force: true }));

const servers: net.Server[] = [];
afterEach(async () => {
    await Promise.all(servers.splice(0).map((s) => new Promise((resolve) => s.close(resolve))));
});

interface ServerOptions { readonly postgres?: boolean; readonly requireClientCert?: boolean }
/**
 * A TLS server on an ephemeral loopback port serving `pair`; `serve(next)` switches what new handshakes
 * get. `handshakes` counts connections and the handshakes it failed for want of a client certificate.
 */
async function server(pair: KeyPair, o: ServerOptions = {}) {
    const verify = o.requireClientCert ? { requestCert: true, rejectUnauthorized: true } : {};
    const contextOf = (p: KeyPair) => ({ cert: p.certPem, key: p.keyPem, minVersion: "TLSv1.2" as const, ...(o.requireClientCert ? { ca: ca.certPem } : {}) });
    let context = tls.createSecureContext(contextOf(pair));
    const handshakes = { started: 0, refusedWithoutClientCert: 0 };
    const onError = (e: Error) => {
        if (/certificate/i.test(e.message)) handshakes.refusedWithoutClientCert++;
    };
    let srv: net.Server;
    if (o.postgres) {
        // PostgreSQL: an 8-byte SSLRequest (length 8, code 80877103), the single byte 'S', then TLS on the same socket.
        srv = net.createServer((raw) => {
            handshakes.started++;
            raw.on("error", () => undefined);
            raw.once("data", (b) => {
                if (b.length !== 8 || b.readUInt32BE(0) !== 8 || b.readUInt32BE(4) !== 80877103) {
                    raw.destroy();
                    return;
                }
                raw.write("S");
                const secure = new tls.TLSSocket(raw, { isServer: true, secureContext: context, ...verify });
                secure.on("secure", () => secure.end("hello\n"));
                secure.on("error", onError);
            });
        });
    } else {
        const t = tls.createServer({ ...contextOf(pair), ...verify }, (socket) => socket.end("hello\n"));
        t.on("connection", () => handshakes.started++);
        t.on("tlsClientError", onError);
        srv = t;
    }
    servers.push(srv);
    await new Promise<void>((resolve) => srv.listen(0, "127.0.0.1", resolve));
    return {
        port: (srv.address() as net.AddressInfo).port,
        handshakes,
        serve(next: KeyPair) {
            context = tls.createSecureContext(contextOf(next));
            if (srv instanceof tls.Server) srv.setSecureContext(contextOf(next));
        },
    };
}

/** A TLS 1.3 client with no certificate that waits for the server's first bytes: what it got, or its error. */
async function withoutClientCert(port: number, postgres: boolean): Promise<string> {
    let socket: net.Socket | undefined;
    if (postgres) {
        socket = net.connect(port, "127.0.0.1");
        socket.write(Buffer.from([0, 0, 0, 8, 4, 210, 22, 47]));
        await new Promise((resolve) => socket!.once("data", resolve));
    }
    return new Promise((resolve) => {
        const c = tls.connect({ socket, host: "127.0.0.1", port, ca: ca.certPem, servername: "localhost", minVersion: "TLSv1.3" });
        c.on("data", (d) => resolve(`data ${String(d)}`));
        c.on("error", (e) => resolve(e.message));
        c.on("close", () => resolve("closed"));
    });
}

const CONTAINER = "tls-platform-dev-db";
const RELOAD = ["sh", "-c", "kill -HUP 1"];

/**
 * A `docker` on PATH that accepts exactly `docker exec <CONTAINER> <RELOAD...>` with nothing on stdin (the
 * CA bundle must be left for the probe), counts its calls, and exits `status`.
 */
function dockerStandIn(status = 0): { bin: string; calls: () => number } {
    const bin = fs.mkdtempSync(path.join(tmp, "bin-"));
    const calls = path.join(bin, "calls");
    const expected = ["exec", CONTAINER, ...RELOAD];
    const checks = expected.map((word, i) => `[ "$${i + 1}" = ${shellQuote(word)} ]`).join(" && ");
    fs.writeFileSync(path.join(bin, "docker"), [
        "#!/bin/sh",
        `[ "$#" -eq ${expected.length} ] && ${checks} || { echo "docker stand-in: unexpected call: docker $*" >&2; exit 97; }`,
        'if IFS= read -r line; then echo "docker stand-in: docker exec was given stdin" >&2; exit 98; fi',
        `echo call >> ${shellQuote(calls)}`,
        `exit ${status}`,
        "",
    ].join("\n"), { mode: 0o755 });
    return { bin, calls: () => (fs.existsSync(calls) ? fs.readFileSync(calls, "utf8").split("\n").filter(Boolean).length : 0) };
}

interface Run { status: number | null; stdout: string; stderr: string; ms: number; dockerCalls: number; written: string; rollbacks: number }
const PAYLOAD = "0123456789abcdef\nserver.crt 0644 0:0 Y2VydA==\n";
/**
 * `/bin/sh -c <reloadCommand(spec)>` with the payload on stdin and the stand-in first on PATH, then node. The
 * writer step saves what it read from stdin; the rollback step counts its runs.
 */
function run(spec: Partial<ReloadSpec> & Pick<ReloadSpec, "port" | "fingerprint">, docker = dockerStandIn(), bundle = ca.certPem): Promise<Run> {
    const dir = fs.mkdtempSync(path.join(tmp, "steps-"));
    const [written, rollbacks] = [path.join(dir, "written"), path.join(dir, "rollbacks")];
    const command = reloadCommand({
        container: CONTAINER, reload: RELOAD, host: "127.0.0.1", protocol: "tls", serverName: "localhost", generation: "0123456789abcdef", timeoutSeconds: 1,
        trustBundlePem: bundle, writer: `cat > ${shellQuote(written)}`, rollback: `echo rollback >> ${shellQuote(rollbacks)}`, ...spec,
    });
    const started = Date.now();
    const read = (file: string) => (fs.existsSync(file) ? fs.readFileSync(file, "utf8") : "");
    return new Promise((resolve) => {
        const child = spawn("/bin/sh", ["-c", command], { env: { PATH: `${docker.bin}:${path.dirname(process.execPath)}:/usr/bin:/bin` }, stdio: ["pipe", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (c) => (stdout += c));
        child.stderr.on("data", (c) => (stderr += c));
        child.stdin.end(PAYLOAD);
        child.on("close", (status) => resolve({ status, stdout, stderr, ms: Date.now() - started, dockerCalls: docker.calls(), written: read(written), rollbacks: read(rollbacks).split("\n").filter(Boolean).length }));
    });
}

/** What the command prints when a generation is not taken, after the probe's own message. */
const NOT_TAKEN = "tls-platform reload: generation 0123456789abcdef was not taken; the TLS volume goes back to the generation being served\n";

describe("reloadCommand: write, docker exec, then the probe of the served certificate; back to the served generation when not taken", () => {
    it("is `set -eu`, the writer, then the docker exec (stdin from /dev/null) and node -e with the probe's arguments and the bundle in base64; 30 s unless told; else the rollback, the reload again and exit 1", () => {
        const command = reloadCommand({
            container: CONTAINER, reload: RELOAD, host: "127.0.0.1", port: 5433, protocol: "postgres", serverName: "localhost", fingerprint: "ab".repeat(32), generation: "0123456789abcdef",
            trustBundlePem: ca.certPem, writer: "WRITER", rollback: "ROLLBACK",
        });
        const exec = `docker exec ${CONTAINER} sh -c 'kill -HUP 1' </dev/null`;
        // The probe script spans lines inside its quotes: compare around it.
        expect(command.startsWith(`set -eu\nWRITER\nif ${exec} && node -e '"use strict";`)).toBe(true);
        const afterProbe = command.slice(command.indexOf(`' 127.0.0.1 5433 postgres`));
        expect(afterProbe.split("\n")).toEqual([
            `' 127.0.0.1 5433 postgres localhost ${"ab".repeat(32)} 0123456789abcdef ${RELOAD_TIMEOUT_SECONDS} ${Buffer.from(ca.certPem).toString("base64")}; then exit 0; fi`,
            `echo "${NOT_TAKEN.trim()}" >&2`,
            'ROLLBACK </dev/null || echo "tls-platform reload: the TLS volume could not go back; the container would start with generation 0123456789abcdef if restarted" >&2',
            `${exec} >/dev/null 2>&1 || true`,
            "exit 1",
        ]);
        expect(RELOAD_TIMEOUT_SECONDS).toBe(30);
    });

    it.each([
        ["a TLS server", {}],
        ["a PostgreSQL-style server (SSLRequest, 'S', then TLS)", { postgres: true }],
    ])("%s serving the delivered certificate: passes and prints the generation and fingerprint", async (_, o: ServerOptions) => {
        const s = await server(certA, o);
        const r = await run({ port: s.port, fingerprint: fingerprint(certA.certPem), protocol: o.postgres ? "postgres" : "tls" });
        expect(r).toMatchObject({ status: 0, stderr: "", dockerCalls: 1, written: PAYLOAD, rollbacks: 0 });
        expect(r.stdout).toBe(`tls-platform reload: 127.0.0.1:${s.port} serves generation 0123456789abcdef (sha256 ${fingerprint(certA.certPem)})\n`);
    });

    it("checks the name as given: an IP address against the certificate's IP SAN, without SNI", async () => {
        const s = await server(certA);
        const r = await run({ port: s.port, fingerprint: fingerprint(certA.certPem), serverName: "127.0.0.1" });
        expect(r).toMatchObject({ status: 0, stderr: "", dockerCalls: 1, rollbacks: 0 });
    });

    it.each([
        ["a TLS server", {}],
        ["a PostgreSQL-style server", { postgres: true }],
    ])("%s still serving the previous certificate: fails after the timeout, naming both fingerprints", async (_, o: ServerOptions) => {
        const s = await server(certA, o);
        const r = await run({ port: s.port, fingerprint: fingerprint(certB.certPem), protocol: o.postgres ? "postgres" : "tls" });
        expect(r.status).toBe(1);
        expect(r.stdout).toBe("");
        expect(r.stderr).toBe(
            `tls-platform reload: 127.0.0.1:${s.port} does not serve the delivered certificate (sha256 ${fingerprint(certB.certPem)}, generation 0123456789abcdef) after 1 s; it serves sha256 ${fingerprint(certA.certPem)}. A refused reload keeps the previous certificate serving: read the server's log for why the new files were refused, fix, and run pulumi up again.\n` +
                NOT_TAKEN,
        );
        // The volume went back, and the server read it again.
        expect(r).toMatchObject({ rollbacks: 1, dockerCalls: 2 });
        // It kept trying for the whole timeout (every 250 ms), and no longer.
        expect(r.ms).toBeGreaterThanOrEqual(1000);
        expect(r.ms).toBeLessThan(5000);
        expect(s.handshakes.started).toBeGreaterThanOrEqual(3);
    });

    it("a server that switches to the delivered certificate after 1 s: passes (the probe retries until it is served)", async () => {
        const s = await server(certA);
        setTimeout(() => s.serve(certB), 1000);
        const r = await run({ port: s.port, fingerprint: fingerprint(certB.certPem), timeoutSeconds: 5 });
        expect(r).toMatchObject({ status: 0, stderr: "", dockerCalls: 1, rollbacks: 0 });
        expect(r.stdout).toContain(`(sha256 ${fingerprint(certB.certPem)})`);
        expect(r.ms).toBeGreaterThanOrEqual(1000);
        expect(s.handshakes.started).toBeGreaterThanOrEqual(2);
    });

    it.each([
        ["for another name (same CA)", () => otherName, /no verified handshake: Hostname\/IP does not match certificate's altnames: Host: localhost\. is not in the cert's altnames: DNS:other\.example[;.]/],
        ["from another CA (same name)", () => foreign, /no verified handshake: unable to verify the first certificate[;.]/],
    ])("a served certificate %s fails even when its fingerprint is the one expected: chain and name are verified", async (_, pair, message) => {
        const s = await server(pair());
        const r = await run({ port: s.port, fingerprint: fingerprint(pair().certPem) });
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(message);
    });

    it("an empty CA bundle verifies nothing: the probe fails though the fingerprint is the one served", async () => {
        const s = await server(certA);
        const r = await run({ port: s.port, fingerprint: fingerprint(certA.certPem) }, dockerStandIn(), "");
        expect(r.status).toBe(1);
        expect(r.stderr).toMatch(/no verified handshake: /);
    });

    it.each([
        ["a TLS server", {}],
        ["a PostgreSQL-style server", { postgres: true }],
    ])("%s that demands a client certificate (requestCert, rejectUnauthorized): the probe, which has none, still reads the served certificate over TLS 1.3", async (_, o: ServerOptions) => {
        const s = await server(certA, { ...o, requireClientCert: true });
        // The control: a client without a certificate that stays to read is refused by this server.
        expect(await withoutClientCert(s.port, o.postgres === true)).toMatch(/certificate required/);
        expect(s.handshakes.refusedWithoutClientCert).toBe(1);
        const r = await run({ port: s.port, fingerprint: fingerprint(certA.certPem), protocol: o.postgres ? "postgres" : "tls" });
        expect(r).toMatchObject({ status: 0, stderr: "", dockerCalls: 1, rollbacks: 0 });
    });

    it("a reload that docker refuses (non-zero exit): no probe, the volume goes back, the reload runs again, the command fails", async () => {
        const s = await server(certA);
        const r = await run({ port: s.port, fingerprint: fingerprint(certA.certPem) }, dockerStandIn(1));
        expect(r).toMatchObject({ status: 1, stdout: "", stderr: NOT_TAKEN, dockerCalls: 2, rollbacks: 1 });
        expect(s.handshakes.started).toBe(0);
    });

    it("a writer that refuses the payload fails the command before any reload, with nothing to undo", async () => {
        const s = await server(certA);
        const r = await run({ port: s.port, fingerprint: fingerprint(certA.certPem), writer: "cat >/dev/null; echo 'tls-platform writer: no files in the payload; nothing was changed' >&2; exit 64" });
        expect(r).toMatchObject({ status: 64, stdout: "", stderr: "tls-platform writer: no files in the payload; nothing was changed\n", dockerCalls: 0, rollbacks: 0 });
        expect(s.handshakes.started).toBe(0);
    });

    it("the stand-in refuses any other shape: a reload argv with another container name fails the command", async () => {
        const s = await server(certA);
        const r = await run({ port: s.port, fingerprint: fingerprint(certA.certPem), container: "another" });
        expect(r.status).toBe(1);
        expect(r.stderr).toBe(`docker stand-in: unexpected call: docker exec another sh -c kill -HUP 1\n${NOT_TAKEN}`);
        expect(s.handshakes.started).toBe(0);
    });
});
