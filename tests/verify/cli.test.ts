import * as fs from "node:fs";
import * as https from "node:https";
import type * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type CliIo, defaultIo, main, redact, runCommand, secretsOf } from "../../tools/verify/cli";
import type { Report } from "../../tools/verify/types";
import { TLS12_CIPHER_STRING } from "../../components/shared/tlsProfile";
import { datedCa, type DatedCert, datedLeaf } from "./dated-pki";

// `main` in-process with its world faked: files, stdin, the Pulumi CLI, stdout. The endpoints are
// HTTPS servers in this process, one per HSTS variant.

let pki: { ca: DatedCert };
const servers: https.Server[] = [];
const ports: Record<"hsts" | "shortHsts" | "noHsts", number> = { hsts: 0, shortHsts: 0, noHsts: 0 };
const PASSWORD = "pw-0123456789-abcdefghij";

beforeAll(async () => {
    // A CA with years left: the chain is judged with the certificate-expiry thresholds (CA 90 days).
    pki = { ca: await datedCa("verify test CA", { toDays: 1000 }) };
    const leaf = await datedLeaf(pki.ca, { toDays: 60, altNames: ["web.test", "localhost", "127.0.0.1"] });
    const headers = { hsts: "max-age=63072000; includeSubDomains", shortHsts: "max-age=86400", noHsts: undefined };
    for (const [name, hsts] of Object.entries(headers) as Array<[keyof typeof ports, string | undefined]>) {
        // The project's TLS 1.2 profile: node's default list has CBC suites, which the verifier fails.
        const server = https.createServer({ key: leaf.keyPem, cert: leaf.certPem, ciphers: TLS12_CIPHER_STRING }, (_req, res) => {
            if (hsts) res.setHeader("Strict-Transport-Security", hsts);
            res.end("ok");
        });
        server.on("tlsClientError", () => undefined);
        servers.push(server);
        await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
        ports[name] = (server.address() as net.AddressInfo).port;
    }
});
afterAll(async () => {
    await Promise.all(servers.map((s) => new Promise((resolve) => {
        s.closeAllConnections();
        s.close(resolve);
    })));
});

const doc = (port: number) => ({
    schemaVersion: 2, service: "https", url: `https://127.0.0.1:${port}/`, host: "127.0.0.1", port, username: null, password: null, database: null,
    // A real host name: HSTS is judged as a browser applies it to that name (for localhost, max-age=0 is right).
    tls: { minVersion: "TLSv1.2", serverName: "web.test", ca: { type: "pem", pem: pki.ca.certPem }, clientCertificate: null },
    topology: { mode: "standalone", seeds: [{ host: "127.0.0.1", port }], nodeNameVerification: "server-name" }, reader: null,
});

interface Run {
    code: number;
    stdout: string;
    stderr: string;
}

async function run(argv: string[], io: Partial<CliIo> = {}): Promise<Run> {
    let stdout = "";
    let stderr = "";
    const code = await main(argv, {
        stdout: (t) => (stdout += t),
        stderr: (t) => (stderr += t),
        readFile: async (f) => {
            throw Object.assign(new Error(`no such file ${f}`), { code: "ENOENT" });
        },
        readStdin: async () => "",
        run: async () => {
            throw Object.assign(new Error("spawn pulumi ENOENT"), { code: "ENOENT" });
        },
        env: {},
        ...io,
    });
    return { code, stdout, stderr };
}

const checks = (report: Report, name: string) => Object.fromEntries(report.endpoints.find((e) => e.target.name === name)!.checks.map((c) => [c.id, c.status]));

describe("exit status and output", () => {
    it("exits 0 for a server with everything right (table), 1 for a short HSTS max-age, 2 for none", async () => {
        const files: Record<string, string> = {
            "good.json": JSON.stringify({ web: doc(ports.hsts) }),
            "short.json": JSON.stringify(doc(ports.shortHsts)),
            "none.json": JSON.stringify([doc(ports.noHsts)]),
        };
        const readFile = async (f: string) => files[f]!;
        const good = await run(["--file", "good.json"], { readFile });
        expect(good.code, good.stdout).toBe(0);
        expect(good.stdout).toMatch(/^web\s+https\s+127\.0\.0\.1:\d+\s+no\s+no\s+yes\s+yes\s+59\.9\s+OK$/m);
        const short = await run(["--file", "short.json", "--json"], { readFile });
        expect(short.code).toBe(1);
        expect(checks(JSON.parse(short.stdout), `https@127.0.0.1:${ports.shortHsts}`)).toMatchObject({ hsts: "warn", handshake: "ok", certificate_expiry: "ok" });
        const none = await run(["--file", "none.json", "--json"], { readFile });
        expect(none.code).toBe(2);
        expect(checks(JSON.parse(none.stdout), `https@127.0.0.1:${ports.noHsts}`)).toMatchObject({ hsts: "fail" });
    });

    it("reads documents from stdin (`-`) and the Pulumi CLI (--stack), writing Prometheus metrics", async () => {
        const calls: string[][] = [];
        const r = await run(["-", "--stack", "dev", "--prometheus"], {
            readStdin: async () => JSON.stringify(doc(ports.hsts)),
            run: async (file, args) => {
                calls.push([file, ...args]);
                // First the list of outputs (secret ones shown as the CLI shows them), then `connections`.
                const stdout = args.includes("connections") ? { proxy: doc(ports.hsts) } : { connections: "[secret]" };
                return { code: 0, stdout: JSON.stringify(stdout), stderr: "" };
            },
        });
        expect(r.code).toBe(0);
        expect(calls).toEqual([
            ["pulumi", "stack", "output", "--json", "--stack", "dev"],
            ["pulumi", "stack", "output", "connections", "--show-secrets", "--json", "--stack", "dev"],
        ]);
        expect(r.stdout).toContain('tls_platform_check_ok{endpoint="dev/proxy",check="hsts"} 1');
        expect(r.stdout).toContain(`tls_platform_check_ok{endpoint="https@127.0.0.1:${ports.hsts}",check="handshake"} 1`);
        expect(r.stdout).toMatch(/^tls_platform_certificate_expiry_seconds\{endpoint="dev\/proxy",service="https"\} \d+$/m);
    });

    it("checks --endpoint URLs with --ca and --servername", async () => {
        const r = await run(["--endpoint", `https://127.0.0.1:${ports.hsts}`, "--ca", "ca.pem", "--servername", "web.test", "--json"], {
            readFile: async () => pki.ca.certPem,
        });
        expect(r.code, r.stdout).toBe(0);
        expect(JSON.parse(r.stdout).endpoints[0].target).toMatchObject({ name: `https://127.0.0.1:${ports.hsts}`, trust: "document CA", serverName: "web.test" });
    });

    it("fails verification against the public roots when no --ca is given for a private CA", async () => {
        const r = await run(["--endpoint", `https://localhost:${ports.hsts}`, "--json"]);
        expect(r.code).toBe(2);
        expect(checks(JSON.parse(r.stdout), `https://localhost:${ports.hsts}`)).toMatchObject({ certificate_chain: "fail", service_request: "skip" });
    });

    it("--output writes the whole text through the atomic writer and nothing to stdout", async () => {
        const written: Array<[string, string]> = [];
        const r = await run(["--file", "d.json", "--prometheus", "--output", "/var/lib/node_exporter/tls.prom"], {
            readFile: async () => JSON.stringify(doc(ports.hsts)),
            writeFileAtomic: async (f, t) => {
                written.push([f, t]);
            },
        });
        expect(r).toMatchObject({ code: 0, stdout: "" });
        expect(written).toHaveLength(1);
        expect(written[0]![0]).toBe("/var/lib/node_exporter/tls.prom");
        expect(written[0]![1]).toContain("# TYPE tls_platform_check_ok gauge");
    });
});

describe("bad input: exit 2, every problem on stderr, nothing probed", () => {
    it("reports unreadable files, a missing Pulumi CLI and bad documents together", async () => {
        const r = await run(["--file", "missing.json", "--file", "bad.json", "--stack", "dev"], {
            readFile: async (f) => {
                if (f === "bad.json") return JSON.stringify({ x: { ...doc(1), port: 0, password: PASSWORD } });
                throw Object.assign(new Error("nope"), { code: "ENOENT" });
            },
        });
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr.trimEnd().split("\n")).toEqual([
            "tls-platform-verify: --stack dev: the `pulumi` CLI is not on PATH; install it, or pass the documents with --file (`pulumi stack output connections --show-secrets --json`) or, for a stack with the Secrets Manager sink, with --secret-arn.",
            "tls-platform-verify: --file missing.json: cannot read it (ENOENT).",
            "tls-platform-verify: bad.json.x: `port` is 0; expected a whole number from 1 to 65535.",
        ]);
    });

    it("reports a bad --policy-pack-config together with a bad document, before probing anything", async () => {
        const config = JSON.stringify({ "certificate-expiry": { leafMinDaysLeft: -1, caMinDaysLeft: "ninety" } });
        const r = await run(["--file", "bad.json", "--policy-pack-config", "pack.json"], {
            readFile: async (f) => (f === "pack.json" ? config : JSON.stringify({ x: { ...doc(1), port: 0 } })),
        });
        expect(r.code).toBe(2);
        expect(r.stdout).toBe("");
        expect(r.stderr.trimEnd().split("\n")).toEqual([
            "tls-platform-verify: bad.json.x: `port` is 0; expected a whole number from 1 to 65535.",
            "tls-platform-verify: --policy-pack-config pack.json: `certificate-expiry.leafMinDaysLeft` is -1: it must be a whole number of days, 0 or more (default 14).",
            "tls-platform-verify: --policy-pack-config pack.json: `certificate-expiry.caMinDaysLeft` is \"ninety\": it must be a whole number of days, 0 or more (default 90).",
        ]);
    });

    it("never echoes a URL that holds a password", async () => {
        const r = await run(["--endpoint", `redis://:${PASSWORD}@[oops`, "--bogus"]);
        expect(r.code).toBe(2);
        expect(r.stderr).toBe("tls-platform-verify: unknown option --bogus; see --help.\n");
        const r2 = await run(["--endpoint", `redis://:${PASSWORD}@[oops`]);
        expect(r2.stderr).not.toContain(PASSWORD);
    });

    it("--password-env names a variable that is not set", async () => {
        const r = await run(["--endpoint", "redis://127.0.0.1:1", "--password-env", "CACHE_PASSWORD"]);
        expect(r).toMatchObject({ code: 2, stderr: "tls-platform-verify: --password-env CACHE_PASSWORD: the variable is not set.\n" });
    });

    it("--help prints the usage and exits 0", async () => {
        const r = await run(["--help"]);
        expect(r.code).toBe(0);
        expect(r.stdout).toMatch(/^Usage: tls-platform-verify/);
        expect(r.stdout).toContain("Exit status: 0 all checks passed, 1 warnings only, 2 any failure");
    });
});

describe("secrets", () => {
    it("redacts every password (raw and percent-encoded) and private key line from anything printed", () => {
        const key = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AgEGCCqGSM49\n-----END PRIVATE KEY-----";
        const secrets = secretsOf([{
            name: "x", service: "redis", host: "h", port: 1, serverName: "h", ca: { type: "public-roots" }, expectMutualTls: true, documentMinVersion: null,
            username: null, password: "p#ss word!", database: null, clientCertificate: { certPem: "c", privateKeyPem: key },
        }]);
        expect(redact("a p#ss word! b p%23ss%20word! c MIGHAgEAMBMGByqGSM49AgEGCCqGSM49 d", secrets)).toBe("a [redacted] b [redacted] c [redacted] d");
    });
});

describe("the real command runner and file writer", () => {
    it("runCommand resolves with the exit code and output, and rejects a command that does not exist", async () => {
        expect(await runCommand(process.execPath, ["-e", "process.stdout.write('out'); process.stderr.write('err'); process.exit(3)"])).toEqual({ code: 3, stdout: "out", stderr: "err" });
        await expect(runCommand("no-such-command-tls-verify", [])).rejects.toMatchObject({ code: "ENOENT" });
    });

    it("writeFileAtomic replaces the file and leaves no temp file behind", async () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "verify-out-"));
        try {
            const file = path.join(dir, "tls.prom");
            fs.writeFileSync(file, "old");
            await defaultIo().writeFileAtomic(file, "new\n");
            expect(fs.readFileSync(file, "utf8")).toBe("new\n");
            expect(fs.readdirSync(dir)).toEqual(["tls.prom"]);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});
