import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
    checkDragonflyFlags, checkDragonflyTlsAuth, dragonflyArgs, dragonflyEnvs, dragonflyUploads, parseFlagList,
    parseMemoryLimit, validateDragonflyInput, type DragonflyConfigInput,
} from "./config";

// Vendored copy of the flags defined in Dragonfly's sources (its header states the commit).
const KNOWN_FLAGS = parseFlagList(readFileSync(join(__dirname, "../../tests/fixtures/dragonfly-flags.txt"), "utf8"));
const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const base: DragonflyConfigInput = { maxMemory: "1gb" };

describe("parseMemoryLimit", () => {
    it.each([
        ["1gb", 1073741824], ["512mb", 536870912], ["512MB", 536870912], ["1.5GiB", 1610612736],
        ["2048 kb", 2097152], ["1tb", 1099511627776], ["300000000b", 300000000],
    ])("%s = %d bytes", (text, bytes) => {
        expect(parseMemoryLimit(text)).toBe(bytes);
    });

    it.each(["1g", "1024", "", "gb", "-1gb", "1 gigabyte", "1e3mb"])("rejects %j with the allowed units", (text) => {
        expect(() => parseMemoryLimit(text)).toThrow(
            `\`maxMemory\`: \`${text}\` is not a memory size; use a number with one of the units b, kb, mb, gb, tb ` +
            "(1024-based; kib, mib, gib, tib also accepted), for example `512mb` or `2gb`");
    });

    it("rejects zero", () => {
        expect(() => parseMemoryLimit("0mb")).toThrow("`maxMemory`: `0mb` is zero; give a positive size such as `512mb`");
    });
});

describe("validateDragonflyInput", () => {
    it.each<[string, Partial<DragonflyConfigInput>, string, string]>([
        ["port 0", { port: 0 }, "port", "`port`: `0` is out of range; use a whole number from 1 to 65535"],
        ["port 65536", { port: 65536 }, "port", "`port`: `65536` is out of range; use a whole number from 1 to 65535"],
        ["admin port out of range", { adminPort: 70000 }, "adminPort",
            "`adminPort`: `70000` is out of range; use a whole number from 1 to 65535"],
        ["admin port equals port", { adminPort: 6379 }, "adminPort",
            "`adminPort`: `6379` equals `port`; choose a different port or omit `adminPort`"],
        ["memory below one thread's minimum", { maxMemory: "128mb" }, "maxMemory",
            "`maxMemory`: `128mb` is below 256mb; Dragonfly needs 256mb per thread and exits otherwise (dfly_main.cc), " +
            "so use at least `256mb` (times the CPU count it gets)"],
        ["memory without unit", { maxMemory: "3" }, "maxMemory",
            "`maxMemory`: `3` is not a memory size; use a number with one of the units b, kb, mb, gb, tb " +
            "(1024-based; kib, mib, gib, tib also accepted), for example `512mb` or `2gb`"],
        ["cron with 6 fields", { snapshotCron: "0 */5 * * * *" }, "snapshotCron",
            "`snapshotCron`: `0 */5 * * * *` is not a 5-field cron expression; use e.g. `*/15 * * * *`"],
        ["CA that is a key", { clientCaCertPem: "-----BEGIN PRIVATE KEY-----" }, "clientCaCertPem",
            "`clientCaCertPem`: the value is not a PEM certificate (no `-----BEGIN CERTIFICATE-----` line); pass the CA's certPem"],
    ])("%s", (_title, override, path, message) => {
        expect(validateDragonflyInput({ ...base, ...override })).toEqual([{ path, message }]);
    });

    it("accepts the defaults and a full input", () => {
        expect(validateDragonflyInput(base)).toEqual([]);
        expect(validateDragonflyInput({ maxMemory: "256mb", port: 6380, adminPort: 9999, clientCaCertPem: CA, snapshotCron: "0 * * * *" })).toEqual([]);
    });
});

describe("dragonflyArgs", () => {
    it("renders TLS, memory in bytes, persistence, and no CA or admin port by default", () => {
        expect(dragonflyArgs(base)).toEqual([
            "--port=6379",
            "--tls",
            "--tls_cert_file=/etc/dragonfly/tls/server.crt",
            "--tls_key_file=/etc/dragonfly/tls/server.key",
            "--maxmemory=1073741824",
            "--dir=/data",
            "--dbfilename=dump",
            "--snapshot_cron=*/15 * * * *",
        ]);
    });

    it("demands client certificates through --tls_ca_cert_file, never a made-up flag", () => {
        const args = dragonflyArgs({ ...base, clientCaCertPem: CA });
        expect(args).toContain("--tls_ca_cert_file=/etc/dragonfly/tls/ca.crt");
        expect(args.join(" ")).not.toMatch(/client_cert_required/);
    });

    it("opens the admin port only when asked", () => {
        expect(dragonflyArgs({ ...base, adminPort: 9999 })).toContain("--admin_port=9999");
        expect(dragonflyArgs(base).some((a) => a.startsWith("--admin"))).toBe(false);
    });

    it("throws on invalid input", () => {
        expect(() => dragonflyArgs({ maxMemory: "lots" })).toThrow(/`maxMemory`: `lots` is not a memory size/);
    });

    const combinations: DragonflyConfigInput[] = [];
    for (const clientCaCertPem of [undefined, CA]) {
        for (const adminPort of [undefined, 9999]) {
            for (const port of [undefined, 6380]) {
                combinations.push({ maxMemory: "2gb", clientCaCertPem, adminPort, port, snapshotCron: "0 * * * *" });
            }
        }
    }
    it.each(combinations.map((c) => [JSON.stringify(c).replace(/"-----BEGIN[^"]*"/, "CA"), c] as const))(
        "every flag for %s is a Dragonfly flag, and TLS has an auth method", (_title, input) => {
            const args = dragonflyArgs(input);
            for (const password of [undefined, "s3cret"]) {
                const envs = dragonflyEnvs(password);
                expect(checkDragonflyFlags(args, KNOWN_FLAGS, envs)).toEqual([]);
                const hasAuth = password !== undefined || input.clientCaCertPem !== undefined;
                expect(checkDragonflyTlsAuth(args, envs).length === 0).toBe(hasAuth);
            }
        });
});

describe("env and uploads", () => {
    it("passes the password as DFLY_requirepass, never DFLY_PASSWORD", () => {
        expect(dragonflyEnvs("pw")).toEqual(["DFLY_requirepass=pw"]);
        expect(dragonflyEnvs(undefined)).toEqual([]);
    });

    it("uploads the key 0600 and everything as uid/gid 999", () => {
        expect(dragonflyUploads({ ...base, clientCaCertPem: CA }, "C", "K").map((f) => `${f.file} ${f.permissions} ${f.owner}:${f.group}`))
            .toEqual([
                "/etc/dragonfly/tls/server.crt 0644 999:999",
                "/etc/dragonfly/tls/server.key 0600 999:999",
                "/etc/dragonfly/tls/ca.crt 0644 999:999",
            ]);
    });
});

describe("checkDragonflyFlags", () => {
    it("knows the real TLS flags from the vendored list", () => {
        for (const flag of ["tls", "tls_cert_file", "tls_key_file", "tls_ca_cert_file", "requirepass", "maxmemory", "dir", "dbfilename", "snapshot_cron", "admin_port"]) {
            expect(KNOWN_FLAGS.has(flag), flag).toBe(true);
        }
    });

    it.each([
        [["--tls_client_cert_required=true"], [], ["flag `--tls_client_cert_required` is not a Dragonfly flag; startup would abort"]],
        [["--tls_min_version=TLSv1.2"], [], ["flag `--tls_min_version` is not a Dragonfly flag; startup would abort"]],
        [["tls"], [], ["argument `tls` is not of the form --flag or --flag=value"]],
        [["--notls"], [], []],
        [["--tls"], ["DFLY_PASSWORD=x"], ["env `DFLY_PASSWORD` is not DFLY_<flag>; Dragonfly would LOG(FATAL) at startup"]],
        [["--tls"], ["DFLY_requirepass=x", "HOME=/root"], []],
    ])("%j with env %j", (args, envs, expected) => {
        expect(checkDragonflyFlags(args, KNOWN_FLAGS, envs)).toEqual(expected);
    });
});

describe("checkDragonflyTlsAuth (ValidateServerTlsFlags)", () => {
    const tls = ["--tls", "--tls_cert_file=/c", "--tls_key_file=/k"];
    const noAuth = "--tls needs an authentication method: set DFLY_requirepass or --tls_ca_cert_file; " +
        "Dragonfly exits with \"TLS configured but no authentication method is used!\"";
    it.each([
        ["no auth", tls, [], [noAuth]],
        ["empty requirepass", [...tls, "--requirepass="], [], [noAuth]],
        ["empty DFLY_requirepass", tls, ["DFLY_requirepass="], [noAuth]],
        ["password by env", tls, ["DFLY_requirepass=pw"], []],
        ["password by flag", [...tls, "--requirepass=pw"], [], []],
        ["CA file", [...tls, "--tls_ca_cert_file=/ca"], [], []],
        ["CA dir", [...tls, "--tls_ca_cert_dir=/cas"], [], []],
        ["TLS off", ["--tls=false"], [], []],
        ["missing key", ["--tls", "--requirepass=pw"], [], ["--tls needs --tls_key_file"]],
    ])("%s", (_title, args, envs, expected) => {
        expect(checkDragonflyTlsAuth(args, envs)).toEqual(expected);
    });
});
