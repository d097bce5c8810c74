import { describe, expect, it } from "vitest";
import {
    dragonflyArgs, dragonflyEnvs, dragonflyUploads, formatMemorySize, parseMemoryLimit, validateDragonflyInput, type DragonflyConfigInput,
} from "./config";
import { HELIO_FLAGS, checkDragonflyFlags, checkDragonflyTlsAuth } from "./flags";
import { DRAGONFLY_FLAGS } from "../../tests/dragonfly-model";

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

describe("formatMemorySize", () => {
    it.each([[2 * 1024 ** 3, "2gb"], [768 * 1024 ** 2, "768mb"], [1536, "1536b"], [2048, "2kb"], [300000000, "300000000b"]])("%d = %s", (bytes, text) => {
        expect(formatMemorySize(bytes)).toBe(text);
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
            "`maxMemory`: `128mb` is less than the `256mb` Dragonfly needs for 1 thread (`proactorThreads`, 256mb each) and it would " +
            "exit at start (dragonflydb/dragonfly src/server/dfly_main.cc, RunEngine); use at least `256mb`"],
        ["memory below 256mb per thread", { maxMemory: "1gb", proactorThreads: 8 }, "maxMemory",
            "`maxMemory`: `1gb` is less than the `2gb` Dragonfly needs for 8 threads (`proactorThreads`, 256mb each) and it would " +
            "exit at start (dragonflydb/dragonfly src/server/dfly_main.cc, RunEngine); use at least `2gb`, or at most 4 `proactorThreads`"],
        ["memory not a multiple of 256mb", { maxMemory: "700mb", proactorThreads: 3 }, "maxMemory",
            "`maxMemory`: `700mb` is less than the `768mb` Dragonfly needs for 3 threads (`proactorThreads`, 256mb each) and it would " +
            "exit at start (dragonflydb/dragonfly src/server/dfly_main.cc, RunEngine); use at least `768mb`, or at most 2 `proactorThreads`"],
        ["zero threads", { proactorThreads: 0 }, "proactorThreads",
            "`proactorThreads`: `0` is not a thread count Dragonfly runs with; use a whole number from 1 to 1023 (it aborts at 1024), e.g. `1`"],
        ["fractional threads", { proactorThreads: 2.5 }, "proactorThreads",
            "`proactorThreads`: `2.5` is not a thread count Dragonfly runs with; use a whole number from 1 to 1023 (it aborts at 1024), e.g. `1`"],
        ["1024 threads", { maxMemory: "1tb", proactorThreads: 1024 }, "proactorThreads",
            "`proactorThreads`: `1024` is not a thread count Dragonfly runs with; use a whole number from 1 to 1023 (it aborts at 1024), e.g. `1`"],
        ["memory without unit", { maxMemory: "3" }, "maxMemory",
            "`maxMemory`: `3` is not a memory size; use a number with one of the units b, kb, mb, gb, tb " +
            "(1024-based; kib, mib, gib, tib also accepted), for example `512mb` or `2gb`"],
        ["cron with 6 fields", { snapshotCron: "0 */5 * * * *" }, "snapshotCron",
            "`snapshotCron`: `0 */5 * * * *` is not a 5-field cron expression; use e.g. `*/15 * * * *`"],
        ["cron minute 60", { snapshotCron: "60 * * * *" }, "snapshotCron",
            "`snapshotCron`: `60 * * * *` is refused by Dragonfly's cron parser (\"Specified range exceeds maximum\", croncpp) and it would " +
            "exit at start; use minutes 0-59, hours 0-23, days 1-31, months 1-12, weekdays 0-6, e.g. `*/15 * * * *`"],
        ["CA that is a key", { clientCaCertPem: "-----BEGIN PRIVATE KEY-----" }, "clientCaCertPem",
            "`clientCaCertPem`: the value is not a PEM certificate (no `-----BEGIN CERTIFICATE-----` line); pass the CA's certPem"],
    ])("%s", (_title, override, path, message) => {
        expect(validateDragonflyInput({ ...base, ...override })).toEqual([{ path, message }]);
    });

    it.each(["0 3 * JAN *", "0 3 ? * MON", "*/15 * * * *"])("accepts the cron expression %j, as Dragonfly's croncpp does", (snapshotCron) => {
        expect(validateDragonflyInput({ ...base, snapshotCron })).toEqual([]);
    });

    it("accepts the defaults and a full input", () => {
        expect(validateDragonflyInput(base)).toEqual([]);
        expect(validateDragonflyInput({ maxMemory: "256mb", port: 6380, adminPort: 9999, clientCaCertPem: CA, snapshotCron: "0 * * * *" })).toEqual([]);
    });

    it.each([["1gb", 4], ["1.5gb", 6], ["256gb", 1023], ["256mb", 1]])("accepts exactly 256mb per thread: %s for %d threads", (maxMemory, proactorThreads) => {
        expect(validateDragonflyInput({ maxMemory, proactorThreads })).toEqual([]);
    });

    it("does not compare memory with a thread count that is itself refused", () => {
        expect(validateDragonflyInput({ maxMemory: "128mb", proactorThreads: -1 }).map((p) => p.path)).toEqual(["proactorThreads"]);
    });
});

describe("dragonflyArgs", () => {
    it("renders TLS with the profile's TLS 1.2 suites, memory in bytes, a pinned thread count, persistence, and no CA or admin port by default", () => {
        expect(dragonflyArgs(base)).toEqual([
            "--port=6379",
            "--tls",
            "--tls_cert_file=/etc/dragonfly/tls/server.crt",
            "--tls_key_file=/etc/dragonfly/tls/server.key",
            // Dragonfly's default, DEFAULT:!MEDIUM, admits CBC and static-RSA suites (src/facade/tls_helpers.cc; OpenSSL 3 DEFAULT).
            "--tls_ciphers=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305",
            "--maxmemory=1073741824",
            "--proactor_threads=1",
            "--dir=/data",
            "--dbfilename=dump",
            "--snapshot_cron=*/15 * * * *",
        ]);
    });

    it("demands client certificates through --tls_ca_cert_file, never a made-up flag", () => {
        const args = dragonflyArgs({ ...base, clientCaCertPem: CA });
        expect(args).toContain("--tls_ca_cert_file=/etc/dragonfly/tls/ca.crt");
        expect(args.join(" ")).not.toMatch(/client_cert_required/);
        // TLS 1.3 suites stay OpenSSL's defaults, which are the profile's.
        expect(args.some((a) => a.startsWith("--tls_cipher_suites"))).toBe(false);
    });

    it("pins the thread count it is given, so that the memory rule does not depend on the host's CPUs", () => {
        expect(dragonflyArgs({ maxMemory: "2gb", proactorThreads: 8 })).toContain("--proactor_threads=8");
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
                combinations.push({ maxMemory: "2gb", proactorThreads: 8, clientCaCertPem, adminPort, port, snapshotCron: "0 * * * *" });
            }
        }
    }
    it.each(combinations.map((c) => [JSON.stringify(c).replace(/"-----BEGIN[^"]*"/, "CA"), c] as const))(
        "every flag for %s is a Dragonfly flag, and TLS has an auth method", (_title, input) => {
            const args = dragonflyArgs(input);
            for (const password of [undefined, "s3cret"]) {
                const envs = dragonflyEnvs(password);
                expect(checkDragonflyFlags(args, DRAGONFLY_FLAGS, envs)).toEqual([]);
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
            expect(DRAGONFLY_FLAGS.has(flag), flag).toBe(true);
        }
    });

    it("knows proactor_threads as helio's flag, which the vendored list of Dragonfly's own flags lacks", () => {
        expect(DRAGONFLY_FLAGS.has("proactor_threads")).toBe(false);
        expect(HELIO_FLAGS.has("proactor_threads")).toBe(true);
    });

    it.each([
        [["--tls_client_cert_required=true"], [], ["flag `--tls_client_cert_required` is not a Dragonfly flag; startup would abort"]],
        [["--tls_min_version=TLSv1.2"], [], ["flag `--tls_min_version` is not a Dragonfly flag; startup would abort"]],
        [["tls"], [], ["argument `tls` is not of the form --flag or --flag=value"]],
        [["--notls"], [], []],
        [["--tls"], ["DFLY_PASSWORD=x"], ["env `DFLY_PASSWORD` is not DFLY_<flag>; Dragonfly would LOG(FATAL) at startup"]],
        [["--tls"], ["DFLY_requirepass=x", "HOME=/root"], []],
        [["--proactor_threads=2", "--logtostderr"], ["DFLY_proactor_threads=2", "DFLY_DEV_ENV=1"], []],
    ])("%j with env %j", (args, envs, expected) => {
        expect(checkDragonflyFlags(args, DRAGONFLY_FLAGS, envs)).toEqual(expected);
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
        ["TLS off as absl's 0", ["--tls=0"], [], []],
        ["TLS on as absl's yes", ["--tls=yes", "--tls_key_file=/k"], [], [noAuth]],
        ["TLS on by env", ["--tls_key_file=/k"], ["DFLY_tls=true"], [noAuth]],
        ["a flag on the command line wins over its DFLY_ env", [...tls, "--requirepass="], ["DFLY_requirepass=pw"], [noAuth]],
        ["missing key", ["--tls", "--requirepass=pw"], [],
            ["--tls needs --tls_key_file; Dragonfly exits with \"To use TLS, a server certificate must be provided with the --tls_key_file flag!\""]],
    ])("%s", (_title, args, envs, expected) => {
        expect(checkDragonflyTlsAuth(args, envs)).toEqual(expected);
    });
});
