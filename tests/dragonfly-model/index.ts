/**
 * Dragonfly's start-up as a rule set: every reason the pinned image (dragonfly v1.40.1) exits before it
 * serves, for a command line, an environment and the host it would run on. The binary does not run on
 * this machine, so tests ask this model before they believe a stand-in (redis-server, the provider
 * emulator). Each rule cites its source at tag v1.40.1 of dragonflydb/dragonfly (helio: romange/helio at
 * 884366af, the submodule commit of that tag); README.md beside this file keeps the table.
 * The checks Dragonfly makes of flag names and of its TLS flags are the component folder's own
 * (components/dragonfly/flags.ts), used here as they are; the 256 MiB per thread is the component's
 * DRAGONFLY_MIN_MEMORY_PER_THREAD.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { DRAGONFLY_MAX_PROACTOR_THREADS, DRAGONFLY_MIN_MEMORY_PER_THREAD } from "../../components/dragonfly/config";
import { snapshotCronError } from "../../components/dragonfly/cron";
import { checkDragonflyFlags, checkDragonflyTlsAuth, effectiveDragonflyFlags, parseAbslBool, parseFlagList } from "../../components/dragonfly/flags";

/** The flags defined in Dragonfly's sources at the pinned tag (vendored list). */
export const DRAGONFLY_FLAGS: ReadonlySet<string> = parseFlagList(fs.readFileSync(path.join(__dirname, "../fixtures/dragonfly-flags.txt"), "utf8"));

/** The machine a container runs on, as Dragonfly sees it from inside. */
export interface DragonflyHost {
    /**
     * CPUs the container may run on: the host's online CPUs, or the container's cpuset (helio counts
     * sched_getaffinity, util/fibers/proactor_pool.cc OnlineCpus).
     */
    readonly cpus: number;
    /** CPU quota in CPUs (Docker `cpus`, or `cpuQuota`/`cpuPeriod`). @default - none ("max") */
    readonly cpuLimit?: number;
    /** The host's cgroup version: v2 rounds a quota up, v1 down. @default - 2 */
    readonly cgroupVersion?: 1 | 2;
    /** Memory available to the container, only read when `--maxmemory` is absent or 0. @default - unknown */
    readonly memoryBytes?: number;
}

/** The host shapes a rendered command line must start on: a small VM, a CI runner, a laptop, a server. */
export const HOST_SHAPES: readonly DragonflyHost[] = [{ cpus: 1 }, { cpus: 2 }, { cpus: 8 }, { cpus: 64 }];

/** How many proactor threads Dragonfly starts, and why. */
export interface ThreadCount {
    readonly threads: number;
    readonly reason: string;
}

const MIB = 1024 ** 2;

/**
 * helio's HumanReadableNumBytes (strings/human_readable.cc), which Dragonfly's messages use: 1024-based,
 * one decimal for KiB, two above.
 */
export function humanReadableNumBytes(bytes: number): string {
    if (bytes < 1024) return `${bytes}B`;
    let value = bytes;
    let unit = 0;
    while (value >= 1024 * 1024) {
        value = Math.floor(value / 1024);
        unit++;
    }
    return `${(value / 1024).toFixed(unit === 0 ? 1 : 2)}${"KMGTPE"[unit]}iB`;
}

/** absl's integer flags: optional sign, decimal or 0x hex, within the type (abseil absl/flags/marshalling.cc). */
function integer(min: number, max: number, type: string) {
    return (value: string): string | undefined => {
        const m = /^([+-]?)(0x[0-9a-f]+|\d+)$/i.exec(value.trim());
        const n = m ? (m[1] === "-" ? -1 : 1) * Number(m[2]) : NaN;
        return Number.isSafeInteger(n) && n >= min && n <= max ? undefined : `not a ${type}`;
    };
}

/**
 * helio's AbslParseFlag(MemoryBytesFlag) over ParseHumanReadableBytes (strings/human_readable.cc): a
 * number as strtod reads it, one unit letter of B K M G T P E, an optional `i` and `B`, nothing else,
 * and not negative. (strtod's hex, inf and nan forms are not modelled.)
 */
export function parseMemoryBytesFlag(value: string): number | undefined {
    const m = /^(-?)(\s*[+-]?(?:\d+\.?\d*|\.\d+)(?:e[+-]?\d+)?)(.*)$/is.exec(value);
    if (!m) return undefined;
    const scale = { "": 0, b: 0, k: 1, m: 2, g: 3, t: 4, p: 5, e: 6 }[m[3]!.charAt(0).toLowerCase()];
    if (scale === undefined || !/^.?i?b?$/i.test(m[3]!)) return undefined;
    const bytes = Number(m[2]) * 1024 ** scale;
    if (bytes < 0) return undefined;
    const rounded = Math.floor(bytes + 0.5);
    return m[1] === "-" && rounded !== 0 ? undefined : rounded;
}

/** The value types of the flags this model reads, from their ABSL_FLAG definitions. */
const VALUE_TYPES: Record<string, (value: string) => string | undefined> = {
    port: integer(-(2 ** 31), 2 ** 31 - 1, "int32_t"), // src/server/main_service.cc
    admin_port: integer(0, 65535, "uint16_t"), // src/facade/dragonfly_connection.cc
    proactor_threads: integer(0, 2 ** 32 - 1, "uint32_t"), // helio util/fibers/proactor_pool.cc
    maxmemory: (v) => (parseMemoryBytesFlag(v) === undefined ? "Use human-readable format, eg.: 500MB, 1G, 1TB" : undefined),
    tls: (v) => (parseAbslBool(v) === undefined ? "not a bool" : undefined), // src/facade/dragonfly_listener.cc
    no_tls_on_admin_port: (v) => (parseAbslBool(v) === undefined ? "not a bool" : undefined),
    admin_nopass: (v) => (parseAbslBool(v) === undefined ? "not a bool" : undefined), // src/server/main_service.cc
    df_snapshot_format: (v) => (parseAbslBool(v) === undefined ? "not a bool" : undefined), // src/server/server_family.cc
    snapshot_cron: snapshotCronError, // src/server/server_family.cc AbslParseFlag(CronExprFlag)
};

/**
 * The thread count: `--proactor_threads` when above 0 (since v1.38 it overrides a CPU quota:
 * src/server/dfly_main.cc main, #7030), else the quota from the container's cgroup
 * (UpdateResourceLimitsIfInsideContainer: cgroup v2 cpu.max rounded up, v1 cfs quota/period rounded down,
 * "max" or 0 meaning none), else one per CPU the container may use (helio ProactorPool::ProactorPool).
 */
export function dragonflyThreads(flags: ReadonlyMap<string, string>, host: DragonflyHost): ThreadCount {
    const pinned = Number(flags.get("proactor_threads") ?? "0");
    if (pinned > 0) return { threads: pinned, reason: "--proactor_threads" };
    if (host.cpuLimit !== undefined && host.cpuLimit > 0) {
        const v1 = host.cgroupVersion === 1;
        const quota = v1 ? Math.floor(host.cpuLimit) : Math.ceil(host.cpuLimit);
        if (quota > 0) return { threads: quota, reason: `the container's CPU quota of ${host.cpuLimit}, rounded ${v1 ? "down" : "up"}` };
    }
    return { threads: host.cpus, reason: `one per CPU of ${host.cpus}: no --proactor_threads and no CPU quota` };
}

/** ValidateFilename (src/server/detail/save_stages_controller.cc) for `--dbfilename`; cloud paths are not modelled. */
function dbFilenameError(name: string, dfFormat: boolean): string | undefined {
    if (name === "") return undefined;
    if (name.startsWith('"')) return "filename should not start with '\"', could it be that you put quotes in the flagfile?";
    if (name.includes("/")) {
        return `filename may not contain directory separators (Got "${name}"). dbfilename should specify the filename without the directory`;
    }
    const dot = name.lastIndexOf(".");
    const extension = dot > 0 && name !== ".." ? name.slice(dot) : "";
    if (extension === "") return undefined;
    if (dfFormat) {
        return extension.toLowerCase() === ".rdb"
            ? "DF snapshot format is used but '.rdb' extension was given. Use --nodf_snapshot_format or remove the filename extension."
            : `DF snapshot format requires no filename extension. Got "${extension}"`;
    }
    return extension.toLowerCase() === ".rdb" ? undefined : `Bad filename extension "${extension}" for SAVE with type RDB`;
}

/**
 * Every reason Dragonfly would exit at start with these container `command` flags (what follows
 * `dragonfly`; the image's entrypoint adds it and `--logtostderr`) and `envs` ("K=V") on `host`, in the
 * order Dragonfly meets them; empty when it would serve. Throws when the answer depends on something the
 * host does not say (the memory, when `--maxmemory` is absent or 0).
 */
export function dragonflyStartupFailures(args: readonly string[], envs: readonly string[], host: DragonflyHost, knownFlags: ReadonlySet<string> = DRAGONFLY_FLAGS): string[] {
    // absl::ParseCommandLine (helio base/init.cc MainInitGuard), then ParseFlagsFromEnv (dfly_main.cc).
    const failures = checkDragonflyFlags(args, knownFlags, envs);
    const fromArgs = effectiveDragonflyFlags(args, [], knownFlags);
    const flags = effectiveDragonflyFlags(args, envs, knownFlags);
    for (const [name, value] of flags) {
        const error = VALUE_TYPES[name]?.(value);
        if (error === undefined) continue;
        failures.push(fromArgs.has(name)
            ? `flag \`--${name}=${value}\` is refused by absl (${error}); Dragonfly exits before starting`
            : `env \`DFLY_${name}=${value}\`: Dragonfly exits with "could not parse flag ${name} from environment variable. Error: ${error}"`);
    }
    if (failures.length > 0) return failures; // flag parsing stops the process before anything below
    const get = (name: string, fallback: string) => flags.get(name) ?? fallback;

    const port = Number(get("port", "6379"));
    if (port === 0 && get("unixsocket", "") === "") {
        failures.push('--port=0 without --unixsocket; Dragonfly exits with "received --port 0, yet no unix socket to listen to. Exiting."');
    }
    failures.push(...checkDragonflyTlsAuth(args, envs)); // ValidateServerTlsFlags (server_family.cc), in main
    const dbError = dbFilenameError(get("dbfilename", "dump-{timestamp}"), parseAbslBool(get("df_snapshot_format", "true"))!);
    if (dbError !== undefined) failures.push(`--dbfilename: Dragonfly exits with "${dbError}"`); // ValidateSnapshotFilenameFlags

    let maxmemory = parseMemoryBytesFlag(get("maxmemory", "0"))!;
    if (maxmemory === 0) {
        if (host.memoryBytes === undefined) {
            throw new Error("dragonfly model: --maxmemory is absent or 0, so Dragonfly sizes it from the memory it finds; give host.memoryBytes");
        }
        maxmemory = Math.floor(0.8 * host.memoryBytes); // dfly_main.cc main: 80% of the available memory
        if (maxmemory === 0) {
            failures.push('no --maxmemory and no memory found; Dragonfly exits with "Could not deduce how much memory available. Use --maxmemory=... to specify explicitly"');
        }
    }
    const { threads, reason } = dragonflyThreads(flags, host);
    const needed = threads * DRAGONFLY_MIN_MEMORY_PER_THREAD;
    if (maxmemory > 0 && maxmemory < needed) { // RunEngine (dfly_main.cc)
        failures.push(
            `maxmemory ${humanReadableNumBytes(maxmemory)} is less than ${DRAGONFLY_MIN_MEMORY_PER_THREAD / MIB}MiB for each of ` +
            `${threads} thread${threads === 1 ? "" : "s"} (${reason}); ` +
            `Dragonfly exits with "There are ${threads} threads, so ${humanReadableNumBytes(needed)} are required. Exiting..."`);
    }
    if (threads > DRAGONFLY_MAX_PROACTOR_THREADS) { // Service::Service (main_service.cc), CHECK_LT(pp->size(), kMaxThreadSize)
        failures.push(`${threads} threads (${reason}) are not below kMaxThreadSize, 1024; Dragonfly aborts on CHECK_LT(pp->size(), kMaxThreadSize)`);
    }
    if (port < -1 || port > 65535) { // RunEngine
        failures.push(`--port=${port}; Dragonfly exits with "Bad port number ${port}"`);
    }
    const adminPort = Number(get("admin_port", "0"));
    if (adminPort !== 0 && adminPort === port) { // RunEngine binds the admin listener first, then the main one
        failures.push(`--admin_port equals --port; Dragonfly exits with "Could not open port ${port}, error: Address already in use"`);
    }
    if (get("save_schedule", "") !== "") { // InferSnapshotCronExpr (server_family.cc)
        failures.push('--save_schedule; Dragonfly exits with "save_schedule flag is deprecated, please use snapshot_cron instead"');
    }
    return failures;
}

/**
 * The `dragonfly` flags of a container command as the image runs it, or undefined for another program:
 * no command is the image's CMD `dragonfly --logtostderr` (tools/packaging/Dockerfile.ubuntu-prod), and
 * one starting with "-" gets `dragonfly --logtostderr` prepended (tools/docker/entrypoint.sh).
 */
export function dragonflyCommandFlags(command: readonly string[] | undefined): readonly string[] | undefined {
    if (command === undefined || command.length === 0) return ["--logtostderr"];
    if (command[0]!.startsWith("-")) return ["--logtostderr", ...command];
    return command[0] === "dragonfly" ? command.slice(1) : undefined;
}

/**
 * Rule 16: the flags `CONFIG SET` may change on a running Dragonfly, of those the certificate reload
 * touches. Only flags registered mutable can be set; `tls` is registered with a callback that validates
 * the TLS flags and rebuilds every listener's TLS context (ReconfigureTLS), which is how new certificate
 * files are taken: "to update TLS certs, first update tls_cert_file, then set 'tls true'"
 * (src/server/server_family.cc, ServerFamily::Init, config_registry.RegisterMutable).
 */
export const DRAGONFLY_MUTABLE_TLS_FLAGS: ReadonlySet<string> = new Set(["tls", "tls_cert_file", "tls_key_file", "tls_ca_cert_file", "tls_ca_cert_dir"]);

/**
 * Why a running Dragonfly would refuse the `CONFIG SET` pairs in `command` (a reload's shell text): each
 * name must be a Dragonfly flag (rule 1's list) and one registered mutable (rule 16); `tls` must be set to
 * a true value, the one that rebuilds the context. Empty when it would take them, or when none is there.
 */
export function dragonflyConfigSetRefusals(command: string, knownFlags: ReadonlySet<string> = DRAGONFLY_FLAGS): string[] {
    const refusals: string[] = [];
    for (const match of command.matchAll(/CONFIG SET((?: [A-Za-z_-]+ \S+)+)/g)) {
        const words = match[1]!.trim().split(" ");
        for (let i = 0; i < words.length; i += 2) {
            const [name, value] = [words[i]!, words[i + 1]!];
            if (!knownFlags.has(name)) refusals.push(`\`${name}\` is not a Dragonfly flag`);
            else if (!DRAGONFLY_MUTABLE_TLS_FLAGS.has(name)) refusals.push(`\`${name}\` is not registered mutable, so CONFIG SET refuses it`);
            else if (name === "tls" && value !== "true") refusals.push(`\`CONFIG SET tls ${value}\` does not rebuild the TLS context with the current files; set it to true`);
        }
    }
    return refusals;
}
