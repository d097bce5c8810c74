/**
 * Handshake cost of the server key type: two NginxProxy containers on the real nginx, started from the
 * command and uploads each registered under the provider emulator (certificates issued by the PKI
 * components), measured side by side with `openssl s_time`. One proxy has the default server key (ECDSA
 * P-256), the other `certificateKey: { keyAlgorithm: "RSA", rsaBits: 4096 }`; otherwise they are equal.
 * A measurement, not a test: it prints a table and asserts only that it measured what it claims (the
 * right key served, handshakes completed, sessions resumed where the row says so).
 *
 * Run from the repository root (about 35 s; BENCH_SECONDS changes the 5 s per row):
 *   npx vitest run --config tests/bench/vitest.bench.config.mts
 *
 * s_time runs INSIDE the container's namespaces against 127.0.0.1:443, so the port-publishing proxy
 * (node + socat fork per connection) does not dilute the figures. Client and server share the machine's
 * cores, as in the numbers quoted in shared/reference/testing-notes.md.
 */
import * as os from "node:os";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { KeyArgs } from "../../components";
import { installEmulator } from "../emulator";
import { startNginxContainer } from "../harness/images/nginx";
import type { Container } from "../harness/namespace";
import { registeredContainer } from "../platform/fixture";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

interface Row {
    readonly label: string;
    /** s_time mode and protocol flags. */
    readonly args: readonly string[];
    /** Whether the handshakes of this row must be resumptions. */
    readonly resumed: boolean;
}

const ROWS: readonly Row[] = [
    { label: "full handshake, TLS 1.3", args: ["-new", "-tls1_3"], resumed: false },
    { label: "full handshake, TLS 1.2", args: ["-new", "-tls1_2"], resumed: false },
    // TLS 1.2 session-ID resumption through `ssl_session_cache shared:MozSSL:10m`. s_time cannot resume
    // TLS 1.3 (it takes the session before the post-handshake ticket arrives), so there is no 1.3 row.
    { label: "resumed, TLS 1.2", args: ["-reuse", "-tls1_2"], resumed: true },
];

interface Measurement {
    readonly handshakesPerSecond: number;
    readonly full: number;
    readonly resumed: number;
}

async function measure(c: Container, row: Row): Promise<Measurement> {
    const started = process.hrtime.bigint();
    const r = await c.exec(["openssl", "s_time", "-connect", "127.0.0.1:443", ...row.args, "-time", String(SECONDS)], { timeoutMs: (SECONDS + 30) * 1000 });
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    if (r.code !== 0) throw new Error(`s_time failed:\n${r.stdout}\n${r.stderr}`);
    const connections = Number(/^(\d+) connections in \d+ real seconds/m.exec(r.stdout)?.[1] ?? NaN);
    // s_time prints one character per connection: `*` full handshake, `r` resumed session.
    const progress = r.stdout.split("\n").filter((l) => /^[*r]+$/.test(l)).join("");
    const resumed = [...progress].filter((ch) => ch === "r").length;
    return { handshakesPerSecond: connections / seconds, full: progress.length - resumed, resumed };
}

type Profile = "P-256" | "RSA-4096";
/** One NginxProxy per profile: the default server key (P-256, asserted below), and RSA-4096. */
const PROFILES: Record<Profile, { readonly name: string; readonly certificateKey?: KeyArgs }> = {
    "P-256": { name: "proxy-default" },
    "RSA-4096": { name: "proxy-rsa4096", certificateKey: { keyAlgorithm: "RSA", rsaBits: 4096 } },
};
const servers: Partial<Record<Profile, Container>> = {};

beforeAll(async () => {
    const emulator = await installEmulator({ stack: "bench" });
    const c = await import("../../components");
    const ca = new c.CertificateAuthority("ca", { commonName: "bench CA" });
    for (const [profile, { name, certificateKey }] of Object.entries(PROFILES) as Array<[Profile, (typeof PROFILES)[Profile]]>) {
        const proxy = new c.NginxProxy(name, { ca, network: "bench", certificateKey });
        const { command, uploads } = await registeredContainer(emulator, proxy);
        servers[profile] = await startNginxContainer({ command, uploads, publish: [443] });
    }
});
afterAll(() => Promise.all(Object.values(servers).map((c) => c?.stop())));

it("measures handshakes per second for ECDSA P-256 and RSA-4096 server keys", async () => {
    for (const [keyType, bits, signature] of [["P-256", 256, "ECDSA"], ["RSA-4096", 4096, "RSA-PSS"]] as const) {
        const hello = await servers[keyType]!.exec(["openssl", "s_client", "-connect", "127.0.0.1:443"]);
        expect(hello.stdout, `${keyType} container serves the wrong key`).toContain(`Server public key is ${bits} bit`);
        expect(hello.stdout).toContain(`Peer signature type: ${signature}`);
    }

    const table: Record<string, Record<string, number>> = {};
    for (const row of ROWS) {
        const p256 = await measure(servers["P-256"]!, row);
        const rsa = await measure(servers["RSA-4096"]!, row);
        for (const m of [p256, rsa]) {
            expect(m.full + m.resumed).toBeGreaterThan(0);
            if (row.resumed) expect(m.resumed / (m.full + m.resumed)).toBeGreaterThan(0.99);
            else expect(m.resumed).toBe(0);
        }
        table[row.label] = {
            "P-256 /s": Math.round(p256.handshakesPerSecond),
            "RSA-4096 /s": Math.round(rsa.handshakesPerSecond),
            // Resumption skips the certificate's key, so that row should hover around 1 (noise aside).
            "P-256 ÷ RSA-4096": Number((p256.handshakesPerSecond / rsa.handshakesPerSecond).toFixed(1)),
        };
    }
    console.log(`nginx handshakes per second, openssl s_time ${SECONDS} s per cell, ${os.cpus().length} CPUs shared by client and server`);
    console.table(table);
});
