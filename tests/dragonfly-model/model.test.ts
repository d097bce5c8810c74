import { describe, expect, it } from "vitest";
import { DEFAULT_DRAGONFLY_MAX_MEMORY } from "../../components/dragonfly/cache";
import { dragonflyArgs, dragonflyEnvs, dragonflyReload } from "../../components/dragonfly/config";
import {
    DRAGONFLY_FLAGS, HOST_SHAPES, dragonflyCommandFlags, dragonflyConfigSetRefusals, dragonflyStartupFailures, dragonflyThreads, humanReadableNumBytes, parseMemoryBytesFlag,
    type DragonflyHost,
} from ".";

// One rule of README.md per row: a command line Dragonfly v1.40.1 refuses, and what it says.
const TLS = ["--tls", "--tls_cert_file=/etc/dragonfly/tls/server.crt", "--tls_key_file=/etc/dragonfly/tls/server.key"];
const PW = ["DFLY_requirepass=pw"];
/** A command line that starts on every host shape: TLS, a password, 1gb for one thread. */
const GOOD = [...TLS, "--maxmemory=1gb", "--proactor_threads=1"];
const EIGHT: DragonflyHost = { cpus: 8 };
const noAuth = "--tls needs an authentication method: set DFLY_requirepass or --tls_ca_cert_file; " +
    "Dragonfly exits with \"TLS configured but no authentication method is used!\"";

describe("the component's command line on the host shapes a stack meets", () => {
    // Fails on the code before proactorThreads: `--maxmemory=1gb` and no thread count exit on 8 and 64 CPUs.
    it.each(HOST_SHAPES)("DragonflyCache's defaults start on %j", (host) => {
        expect(dragonflyStartupFailures(dragonflyArgs({ maxMemory: DEFAULT_DRAGONFLY_MAX_MEMORY }), dragonflyEnvs("pw"), host)).toEqual([]);
    });

    it("the old default, 1gb with no thread count, exits on 8 CPUs with Dragonfly's message, and starts on 4", () => {
        const old = [...TLS, "--maxmemory=1073741824", "--dir=/data", "--dbfilename=dump", "--snapshot_cron=*/15 * * * *"];
        expect(dragonflyStartupFailures(old, PW, EIGHT)).toEqual([
            "maxmemory 1.00GiB is less than 256MiB for each of 8 threads (one per CPU of 8: no --proactor_threads and no CPU quota); " +
            "Dragonfly exits with \"There are 8 threads, so 2.00GiB are required. Exiting...\"",
        ]);
        expect(dragonflyStartupFailures(old, PW, { cpus: 4 })).toEqual([]);
    });

    it("the new default, one pinned thread, starts on 64 CPUs and under a CPU quota", () => {
        const args = dragonflyArgs({ maxMemory: DEFAULT_DRAGONFLY_MAX_MEMORY });
        expect(args).toContain("--proactor_threads=1");
        expect(dragonflyStartupFailures(args, PW, { cpus: 64 })).toEqual([]);
        expect(dragonflyStartupFailures(args, PW, { cpus: 64, cpuLimit: 8 })).toEqual([]);
    });

    it("a pinned thread count the memory does not cover fails on every host, not only on big ones", () => {
        const args = [...TLS, "--maxmemory=512mb", "--proactor_threads=4"];
        for (const host of HOST_SHAPES) {
            expect(dragonflyStartupFailures(args, PW, host)).toEqual([
                "maxmemory 512.00MiB is less than 256MiB for each of 4 threads (--proactor_threads); " +
                "Dragonfly exits with \"There are 4 threads, so 1.00GiB are required. Exiting...\"",
            ]);
        }
    });
});

describe("dragonflyStartupFailures: one row per rule (README.md)", () => {
    it.each<[string, string[], string[], DragonflyHost, string[]]>([
        ["1 unknown flag", [...GOOD, "--tls_min_version=TLSv1.2"], PW, EIGHT, ["flag `--tls_min_version` is not a Dragonfly flag; startup would abort"]],
        ["1 helio's proactor_threads is a flag", GOOD, PW, EIGHT, []],
        ["2 thread count not a uint32", [...TLS, "--maxmemory=1gb", "--proactor_threads=-1"], PW, EIGHT,
            ["flag `--proactor_threads=-1` is refused by absl (not a uint32_t); Dragonfly exits before starting"]],
        ["2 memory with a space", [...TLS, "--maxmemory=1 gb", "--proactor_threads=1"], PW, EIGHT,
            ["flag `--maxmemory=1 gb` is refused by absl (Use human-readable format, eg.: 500MB, 1G, 1TB); Dragonfly exits before starting"]],
        ["2 negative memory", [...TLS, "--maxmemory=-1G", "--proactor_threads=1"], PW, EIGHT,
            ["flag `--maxmemory=-1G` is refused by absl (Use human-readable format, eg.: 500MB, 1G, 1TB); Dragonfly exits before starting"]],
        ["2 port not an int32", [...GOOD, "--port=redis"], PW, EIGHT, ["flag `--port=redis` is refused by absl (not a int32_t); Dragonfly exits before starting"]],
        ["2 admin port beyond uint16", [...GOOD, "--admin_port=70000"], PW, EIGHT,
            ["flag `--admin_port=70000` is refused by absl (not a uint16_t); Dragonfly exits before starting"]],
        ["2 tls not an absl bool", ["--tls=on", ...TLS.slice(1), "--maxmemory=1gb", "--proactor_threads=1"], PW, EIGHT,
            ["flag `--tls=on` is refused by absl (not a bool); Dragonfly exits before starting"]],
        ["2 cron minute 61", [...GOOD, "--snapshot_cron=61 * * * *"], PW, EIGHT,
            ["flag `--snapshot_cron=61 * * * *` is refused by absl (Specified range exceeds maximum); Dragonfly exits before starting"]],
        ["2 cron with seconds", [...GOOD, "--snapshot_cron=0 */5 * * * *"], PW, EIGHT,
            ["flag `--snapshot_cron=0 */5 * * * *` is refused by absl (cron expression must have six fields); Dragonfly exits before starting"]],
        ["3 DFLY_PASSWORD", GOOD, ["DFLY_PASSWORD=pw"], EIGHT, ["env `DFLY_PASSWORD` is not DFLY_<flag>; Dragonfly would LOG(FATAL) at startup"]],
        ["3 DFLY_DEV_ENV is allowed", GOOD, [...PW, "DFLY_DEV_ENV=1"], EIGHT, []],
        ["4 env value that does not parse", [...TLS, "--proactor_threads=1"], [...PW, "DFLY_maxmemory=lots"], EIGHT,
            ["env `DFLY_maxmemory=lots`: Dragonfly exits with \"could not parse flag maxmemory from environment variable. Error: Use human-readable format, eg.: 500MB, 1G, 1TB\""]],
        ["4 the command line wins over DFLY_<flag>", GOOD, [...PW, "DFLY_maxmemory=lots"], EIGHT, []],
        ["4 DFLY_proactor_threads sets the thread count", [...TLS, "--maxmemory=1gb"], [...PW, "DFLY_proactor_threads=2"], { cpus: 64 }, []],
        ["5 port 0 without a unix socket", [...GOOD, "--port=0"], PW, EIGHT,
            ["--port=0 without --unixsocket; Dragonfly exits with \"received --port 0, yet no unix socket to listen to. Exiting.\""]],
        ["6 TLS without a password or CA", GOOD, [], EIGHT, [noAuth]],
        ["6 TLS with a client CA and no password", [...GOOD, "--tls_ca_cert_file=/ca"], [], EIGHT, []],
        ["6 TLS off, no password needed", ["--notls", "--maxmemory=1gb", "--proactor_threads=1"], [], EIGHT, []],
        ["7 TLS without a key", ["--tls", "--tls_cert_file=/c", "--maxmemory=1gb", "--proactor_threads=1"], PW, EIGHT,
            ["--tls needs --tls_key_file; Dragonfly exits with \"To use TLS, a server certificate must be provided with the --tls_key_file flag!\""]],
        ["8 snapshot name with .rdb", [...GOOD, "--dbfilename=dump.rdb"], PW, EIGHT,
            ["--dbfilename: Dragonfly exits with \"DF snapshot format is used but '.rdb' extension was given. Use --nodf_snapshot_format or remove the filename extension.\""]],
        ["8 snapshot name with another extension", [...GOOD, "--dbfilename=dump.dfs"], PW, EIGHT,
            ["--dbfilename: Dragonfly exits with \"DF snapshot format requires no filename extension. Got \".dfs\"\""]],
        ["8 snapshot name with a directory", [...GOOD, "--dbfilename=backups/dump"], PW, EIGHT,
            ["--dbfilename: Dragonfly exits with \"filename may not contain directory separators (Got \"backups/dump\"). dbfilename should specify the filename without the directory\""]],
        ["8 .rdb in RDB format", [...GOOD, "--dbfilename=dump.rdb", "--nodf_snapshot_format"], PW, EIGHT, []],
        ["8 another extension in RDB format", [...GOOD, "--dbfilename=dump.json", "--df_snapshot_format=false"], PW, EIGHT,
            ["--dbfilename: Dragonfly exits with \"Bad filename extension \".json\" for SAVE with type RDB\""]],
        ["9 no maxmemory: 80% of 16GiB for 8 threads", [...TLS, "--proactor_threads=0"], PW, { cpus: 8, memoryBytes: 16 * 1024 ** 3 }, []],
        ["9 no maxmemory: 80% of 1GiB for 8 threads", TLS, PW, { cpus: 8, memoryBytes: 1024 ** 3 },
            ["maxmemory 819.20MiB is less than 256MiB for each of 8 threads (one per CPU of 8: no --proactor_threads and no CPU quota); " +
                "Dragonfly exits with \"There are 8 threads, so 2.00GiB are required. Exiting...\""]],
        ["9 no maxmemory and no memory found", [...TLS, "--maxmemory=0"], PW, { cpus: 1, memoryBytes: 0 },
            ["no --maxmemory and no memory found; Dragonfly exits with \"Could not deduce how much memory available. Use --maxmemory=... to specify explicitly\""]],
        ["10+11 a CPU quota of 1.5 is 2 threads on cgroup v2", [...TLS, "--maxmemory=256mb"], PW, { cpus: 64, cpuLimit: 1.5 },
            ["maxmemory 256.00MiB is less than 256MiB for each of 2 threads (the container's CPU quota of 1.5, rounded up); " +
                "Dragonfly exits with \"There are 2 threads, so 512.00MiB are required. Exiting...\""]],
        ["10 a CPU quota of 1.5 is 1 thread on cgroup v1", [...TLS, "--maxmemory=256mb"], PW, { cpus: 64, cpuLimit: 1.5, cgroupVersion: 1 }, []],
        ["10 a cgroup v1 quota below one CPU counts as none", [...TLS, "--maxmemory=1gb"], PW, { cpus: 8, cpuLimit: 0.5, cgroupVersion: 1 },
            ["maxmemory 1.00GiB is less than 256MiB for each of 8 threads (one per CPU of 8: no --proactor_threads and no CPU quota); " +
                "Dragonfly exits with \"There are 8 threads, so 2.00GiB are required. Exiting...\""]],
        ["10 --proactor_threads overrides a CPU quota", GOOD, PW, { cpus: 64, cpuLimit: 16 }, []],
        ["10 more threads than CPUs is no reason to exit", [...TLS, "--maxmemory=4gb", "--proactor_threads=16"], PW, { cpus: 1 }, []],
        ["11 3 threads need 768MiB", [...TLS, "--maxmemory=512mb", "--proactor_threads=3"], PW, { cpus: 1 },
            ["maxmemory 512.00MiB is less than 256MiB for each of 3 threads (--proactor_threads); " +
                "Dragonfly exits with \"There are 3 threads, so 768.00MiB are required. Exiting...\""]],
        ["11 exactly 256MiB per thread is enough", [...TLS, "--maxmemory=1gb", "--proactor_threads=4"], PW, { cpus: 1 }, []],
        ["12 1024 threads", [...TLS, "--maxmemory=256gb", "--proactor_threads=1024"], PW, EIGHT,
            ["1024 threads (--proactor_threads) are not below kMaxThreadSize, 1024; Dragonfly aborts on CHECK_LT(pp->size(), kMaxThreadSize)"]],
        ["13 port beyond 65535", [...GOOD, "--port=70000"], PW, EIGHT, ["--port=70000; Dragonfly exits with \"Bad port number 70000\""]],
        ["13 port -1 means any free port", [...GOOD, "--port=-1"], PW, EIGHT, []],
        ["14 admin port equal to the port", [...GOOD, "--port=6379", "--admin_port=6379"], PW, EIGHT,
            ["--admin_port equals --port; Dragonfly exits with \"Could not open port 6379, error: Address already in use\""]],
        ["15 save_schedule", [...GOOD, "--save_schedule=*:30"], PW, EIGHT,
            ["--save_schedule; Dragonfly exits with \"save_schedule flag is deprecated, please use snapshot_cron instead\""]],
    ])("%s", (_rule, args, envs, host, expected) => {
        expect(dragonflyStartupFailures(args, envs, host)).toEqual(expected);
    });

    it("reports every reason at once, in the order Dragonfly meets them", () => {
        expect(dragonflyStartupFailures([...TLS, "--maxmemory=256mb", "--dbfilename=dump.rdb", "--port=70000"], [], { cpus: 2 })).toEqual([
            noAuth,
            "--dbfilename: Dragonfly exits with \"DF snapshot format is used but '.rdb' extension was given. Use --nodf_snapshot_format or remove the filename extension.\"",
            "maxmemory 256.00MiB is less than 256MiB for each of 2 threads (one per CPU of 2: no --proactor_threads and no CPU quota); " +
            "Dragonfly exits with \"There are 2 threads, so 512.00MiB are required. Exiting...\"",
            "--port=70000; Dragonfly exits with \"Bad port number 70000\"",
        ]);
    });

    it("will not guess the memory Dragonfly would find without --maxmemory", () => {
        expect(() => dragonflyStartupFailures(TLS, PW, EIGHT)).toThrow(/--maxmemory is absent or 0.*give host.memoryBytes/);
    });

    it("uses the vendored list of the flags in Dragonfly's sources at v1.40.1", () => {
        expect(DRAGONFLY_FLAGS.has("snapshot_cron")).toBe(true);
        expect(DRAGONFLY_FLAGS.has("shard_repl_backlog_len")).toBe(true); // renamed after v1.40.1
        expect(DRAGONFLY_FLAGS.has("proactor_threads")).toBe(false); // helio's
    });
});

describe("dragonflyThreads", () => {
    it.each<[Record<string, string>, DragonflyHost, number]>([
        [{}, { cpus: 8 }, 8],
        [{ proactor_threads: "0" }, { cpus: 8 }, 8],
        [{ proactor_threads: "2" }, { cpus: 64, cpuLimit: 4 }, 2],
        [{}, { cpus: 64, cpuLimit: 4 }, 4],
        [{}, { cpus: 64, cpuLimit: 0.1 }, 1],
        [{}, { cpus: 64, cpuLimit: 2.5, cgroupVersion: 1 }, 2],
    ])("%j on %j: %d", (flags, host, threads) => {
        expect(dragonflyThreads(new Map(Object.entries(flags)), host).threads).toBe(threads);
    });
});

describe("helio's byte sizes", () => {
    // helio strings/strings_test.cc HumanReadableNumBytes.Bytes
    it.each([[0, "0B"], [1023, "1023B"], [1024, "1.0KiB"], [1500, "1.5KiB"], [1927, "1.9KiB"], [2048, "2.0KiB"], [1 << 20, "1.00MiB"],
        [12345678, "11.77MiB"], [1 << 30, "1.00GiB"], [2 ** 40, "1.00TiB"]])("HumanReadableNumBytes(%d) = %s", (bytes, text) => {
        expect(humanReadableNumBytes(bytes)).toBe(text);
    });

    it.each<[string, number | undefined]>([
        ["1073741824", 1073741824], ["1gb", 1073741824], ["1G", 1073741824], ["1GiB", 1073741824], ["512MB", 536870912], ["1.25GiB", 1342177280],
        ["1k", 1024], ["0", 0], ["-0", 0], ["1 gb", undefined], ["-1G", undefined], ["1Gigabytes", undefined], ["lots", undefined], ["", undefined],
    ])("ParseHumanReadableBytes(%j) = %s", (text, bytes) => {
        expect(parseMemoryBytesFlag(text)).toBe(bytes);
    });
});

describe("dragonflyCommandFlags", () => {
    it("reads a container command as the image's entrypoint runs it", () => {
        expect(dragonflyCommandFlags(["--tls"])).toEqual(["--logtostderr", "--tls"]);
        expect(dragonflyCommandFlags(["dragonfly", "--tls"])).toEqual(["--tls"]);
        expect(dragonflyCommandFlags(undefined)).toEqual(["--logtostderr"]);
        expect(dragonflyCommandFlags(["sh", "-c", "sleep 1"])).toBeUndefined();
    });
});

describe("dragonflyConfigSetRefusals: rule 16, what a running Dragonfly takes from CONFIG SET", () => {
    it("takes the component's certificate reload, with and without a client CA", () => {
        for (const clientCaCertPem of [undefined, "-----BEGIN CERTIFICATE-----\n"]) {
            const reload = dragonflyReload({ maxMemory: "1gb", clientCaCertPem }).join(" ");
            expect(reload).toContain("CONFIG SET tls true");
            expect(dragonflyConfigSetRefusals(reload)).toEqual([]);
        }
    });

    it.each([
        ["CONFIG SET maxmemory 2gb", "`maxmemory` is not registered mutable, so CONFIG SET refuses it"],
        ["CONFIG SET tls-cert-file /x", "`tls-cert-file` is not a Dragonfly flag"],
        ["CONFIG SET tls_certificate /x", "`tls_certificate` is not a Dragonfly flag"],
        ["CONFIG SET tls false", "`CONFIG SET tls false` does not rebuild the TLS context with the current files; set it to true"],
    ])("refuses %s", (command, why) => {
        expect(dragonflyConfigSetRefusals(command)).toContain(why);
    });
});
