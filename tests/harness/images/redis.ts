/**
 * Stand-in for the Dragonfly image (docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1), which has no
 * binary on this machine: the local redis-server 7.0 started with the SAME uploaded files (server
 * certificate, key, client CA) at the same container paths, the same port and the same password, and
 * the TLS behaviour Dragonfly has:
 *  - TLS only: `port 0` (no plaintext listener), `tls-port` = Dragonfly's --port.
 *  - `tls-protocols "TLSv1.2 TLSv1.3"`: Dragonfly's minimum is hard-coded to TLS 1.2
 *    (dragonflydb/dragonfly src/facade/tls_helpers.cc, SSL_CTX_set_min_proto_version).
 *  - `tls-auth-clients yes` exactly when --tls_ca_cert_file is given: Dragonfly then demands a client
 *    certificate, else it asks for none (tls_helpers.cc); redis's own default would demand one always.
 *  - requirepass from DFLY_requirepass; start-up refused, as Dragonfly refuses it, when the Dragonfly
 *    start-up model (tests/dragonfly-model) finds a reason it would exit on any of the host shapes a stack
 *    meets (1, 2, 8, 64 CPUs): unknown flags, ValidateServerTlsFlags, too little memory for its threads, ...
 *    redis-server itself would start with all of those, so it is never the proof alone.
 * The container's envs are its environment, as in Docker, so `exec` and the healthcheck see DFLY_requirepass.
 * Identity mapping: Dragonfly's uid/gid 999 (it drops to `dfly` via setpriv) is the local `redis` user;
 * uploads owned "999" are chowned to it and the server runs as it. Not emulated: persistence (--dir,
 * --dbfilename, --snapshot_cron: Dragonfly's snapshot format is its own; the stand-in saves nothing and
 * works in the container's private /tmp), --proactor_threads (redis-server has one thread; the model checks
 * the count against the memory) and --admin_port (refused with an error).
 */
import { execFileSync } from "node:child_process";
import { parseDragonflyArgs } from "../../../components/dragonfly/flags";
import { type DragonflyHost, HOST_SHAPES, dragonflyCommandFlags, dragonflyConfigSetRefusals, dragonflyStartupFailures } from "../../dragonfly-model";
import { type Container, type FileSpec, type StartOptions, startInNamespace } from "../namespace";

const IMAGE_UID = "999";
const CONFIG_PATH = "/etc/redis/dragonfly-standin.conf";

/** What the component puts on a docker.Container. */
export interface DragonflyContainerSpec {
    /** Container `command` (Dragonfly flags; the image prepends `dragonfly --logtostderr`). */
    readonly command: readonly string[];
    /** Container `envs`, "K=V". */
    readonly envs: readonly string[];
    /** Container `uploads` with literal content. */
    readonly uploads: readonly { file: string; content: string; permissions: string; owner: string; group: string }[];
}

export interface StandInOptions {
    /** Shown in errors. @default - "dragonfly-standin" */
    readonly name?: string;
    /** redis.conf lines appended after the translated ones (later lines win), e.g. for a negative control. */
    readonly extraConfig?: readonly string[];
    /** Named volumes (the TLS volume) and a fixed host port. */
    readonly binds?: StartOptions["binds"];
    readonly hostPort?: number;
}

export interface RunningStandIn {
    readonly container: Container;
    /** Host port on 127.0.0.1 forwarding to Dragonfly's --port. */
    readonly hostPort: number;
    /** The redis.conf the stand-in runs with (contains the password). */
    readonly config: string;
    stop(): Promise<void>;
}

function localIds(user: string): { uid: number; gid: number } {
    const id = (flag: string) => Number(execFileSync("id", [flag, user], { encoding: "utf8" }).trim());
    return { uid: id("-u"), gid: id("-g") };
}

function envRecord(envs: readonly string[]): Record<string, string> {
    return Object.fromEntries(envs.map((kv) => {
        const eq = kv.indexOf("=");
        if (eq <= 0) throw new Error(`env entry \`${kv.split("=", 1)[0]}\` is not K=V`);
        return [kv.slice(0, eq), kv.slice(eq + 1)];
    }));
}

/** redis.conf string argument: double quotes with backslash escapes (sdssplitargs). */
function confString(value: string): string {
    return `"${value.replace(/\\/g, "\\\\").replace(/"/g, '\\"').replace(/\n/g, "\\n")}"`;
}

/** Why Dragonfly would not start with this command and env on some of `hosts`, one line per host and reason. */
export function dragonflyRefusals(spec: Pick<DragonflyContainerSpec, "command" | "envs">, knownFlags: ReadonlySet<string>, hosts: readonly DragonflyHost[] = HOST_SHAPES): string[] {
    const flags = dragonflyCommandFlags(spec.command);
    if (flags === undefined) return [`the command \`${spec.command.join(" ")}\` does not run dragonfly`];
    const refusals = new Map<string, string[]>();
    for (const host of hosts) {
        for (const failure of dragonflyStartupFailures(flags, spec.envs, host, knownFlags)) {
            refusals.set(failure, [...(refusals.get(failure) ?? []), `${host.cpus}`]);
        }
    }
    return [...refusals].map(([failure, cpus]) => `on ${cpus.join(", ")} CPUs: ${failure}`);
}

/** The redis.conf equivalent of Dragonfly's args and env; throws where Dragonfly would refuse to start. */
export function redisConfigFor(spec: DragonflyContainerSpec, knownFlags: ReadonlySet<string>, extra: readonly string[] = []): string {
    const problems = dragonflyRefusals(spec, knownFlags);
    if (problems.length > 0) throw new Error(`Dragonfly would not start:\n  ${problems.join("\n  ")}`);
    const flags = parseDragonflyArgs(spec.command);
    const env = new Map(spec.envs.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));
    const password = flags.get("requirepass") ?? env.get("DFLY_requirepass") ?? "";
    const ignored = new Set(["tls", "dir", "dbfilename", "snapshot_cron", "requirepass", "proactor_threads"]);
    const handled = new Set(["port", "tls_cert_file", "tls_key_file", "tls_ca_cert_file", "tls_ciphers", "maxmemory"]);
    const unsupported = [...flags.keys()].filter((f) => !ignored.has(f) && !handled.has(f));
    if (unsupported.length > 0) throw new Error(`the redis stand-in does not emulate --${unsupported.join(", --")}`);
    if (flags.get("tls") !== "true") throw new Error("the redis stand-in only emulates Dragonfly with --tls");
    const ca = flags.get("tls_ca_cert_file");
    return [
        "port 0",
        `tls-port ${flags.get("port") ?? "6379"}`,
        "bind 0.0.0.0",
        // Dragonfly has no protected mode; the namespace's loopback is the only way in anyway.
        "protected-mode no",
        `tls-cert-file ${confString(flags.get("tls_cert_file")!)}`,
        `tls-key-file ${confString(flags.get("tls_key_file")!)}`,
        ...(ca ? [`tls-ca-cert-file ${confString(ca)}`, "tls-auth-clients yes"] : ["tls-auth-clients no"]),
        'tls-protocols "TLSv1.2 TLSv1.3"',
        // Both hand the list to SSL_CTX_set_cipher_list (TLS 1.2 and below): redis tls.c, Dragonfly tls_helpers.cc.
        ...(flags.has("tls_ciphers") ? [`tls-ciphers ${confString(flags.get("tls_ciphers")!)}`] : []),
        ...(password ? [`requirepass ${confString(password)}`] : []),
        ...(flags.has("maxmemory") ? [`maxmemory ${flags.get("maxmemory")}`] : []),
        "dir /tmp",
        'save ""',
        "appendonly no",
        'logfile ""',
        ...extra,
        "",
    ].join("\n");
}

export async function startRedisStandIn(spec: DragonflyContainerSpec, knownFlags: ReadonlySet<string>, o: StandInOptions = {}): Promise<RunningStandIn> {
    const config = redisConfigFor(spec, knownFlags, o.extraConfig);
    const redis = localIds("redis");
    const files: FileSpec[] = spec.uploads.map((u) => {
        if (u.owner !== IMAGE_UID || u.group !== IMAGE_UID) {
            throw new Error(`upload ${u.file}: owner ${u.owner}:${u.group} has no local equivalent; only ${IMAGE_UID}:${IMAGE_UID} (redis) is mapped`);
        }
        return { path: u.file, content: u.content, mode: parseInt(u.permissions, 8), uid: redis.uid, gid: redis.gid };
    });
    files.push({ path: CONFIG_PATH, content: config, mode: 0o600, uid: redis.uid, gid: redis.gid });
    const port = Number(parseDragonflyArgs(spec.command).get("port") ?? "6379");
    const container = await startInNamespace({
        name: o.name ?? "dragonfly-standin",
        files,
        argv: ["redis-server", CONFIG_PATH],
        user: redis,
        env: envRecord(spec.envs),
        cwd: "/tmp",
        publish: [port],
        binds: o.binds,
        hostPorts: o.hostPort ? { [port]: o.hostPort } : undefined,
    });
    return { container, hostPort: container.ports[port]!, config, stop: () => container.stop() };
}

/**
 * Dragonfly's certificate reload (`CONFIG SET tls true`, components/dragonfly/config.ts dragonflyReload) in
 * redis-server's words, as a rewrite for the docker stand-in's `exec`. Dragonfly's `tls` flag is mutable and
 * setting it rebuilds the TLS context from the `tls_*` paths it already has (src/server/server_family.cc
 * ServerFamily::Init); redis 7.0.1+ rebuilds its context when `tls-cert-file`/`tls-key-file`/`tls-ca-cert-file`
 * are set, even to the same paths (src/config.c applyTlsCfg → tlsConfigure), and refuses the whole CONFIG
 * SET, keeping the old context, when the new files do not load. The paths are the container's own flags.
 */
export function redisReloadRewrite(spec: Pick<DragonflyContainerSpec, "command">, reloadCommand: string, knownFlags: ReadonlySet<string>): [string, string] {
    // The component's reload as registered, checked against the model first: the stand-in must not take a
    // CONFIG SET the real Dragonfly would refuse.
    const refusals = dragonflyConfigSetRefusals(reloadCommand, knownFlags);
    if (refusals.length > 0) throw new Error(`Dragonfly would refuse its reload: ${refusals.join("; ")}`);
    if (!reloadCommand.includes("CONFIG SET tls true")) throw new Error("the reload does not set `tls true`, which the stand-in's rewrite translates");
    const flags = parseDragonflyArgs(spec.command);
    const ca = flags.get("tls_ca_cert_file");
    const paths = [`tls-cert-file ${flags.get("tls_cert_file")}`, `tls-key-file ${flags.get("tls_key_file")}`, ...(ca ? [`tls-ca-cert-file ${ca}`] : [])];
    return ["CONFIG SET tls true", `CONFIG SET ${paths.join(" ")}`];
}
