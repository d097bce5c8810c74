/**
 * A tiny container runtime for tests: runs a real server with exactly the files, command, user, env and
 * published ports a `docker.Container` would give it, without Docker.
 *
 * Layout: `setpriv --pdeathsig KILL -- unshare --mount --net --pid --ipc --uts --fork --kill-child
 * --mount-proc` runs an init script as PID 1 of fresh namespaces. The script brings up a private loopback,
 * mounts the staged files as overlays (see rootfs.ts), gives the container its own /tmp and /dev/shm, and
 * then `exec`s the server (through `setpriv --reuid --regid`, which also execs in place) so the server IS
 * PID 1 and gets signals directly, as in a container without `--init`. Killing PID 1 makes the kernel kill
 * every other process of the PID namespace (pid_namespaces(7)), which is how `stop()` cleans up; if the test
 * process dies, pdeathsig kills `unshare`, whose `--kill-child` kills PID 1.
 *
 * Ports: for each published port a `socat UNIX-LISTEN` runs in the container's network and PID namespaces
 * (but the host's mount namespace, so its socket lands in the host work dir), and a node listener on
 * 127.0.0.1:0 pipes to it (publish.ts).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { type Background, type ExecResult, delay, isAlive, runProcess, settlesWithin, signalPid, startProcess } from "./process";
import { publishUnixSocket, type PublishedPort } from "./publish";
import { DEFAULT_WRITABLE_DIRS, type DirSpec, type FileSpec, stageRootfs } from "./rootfs";

export type { Background, ExecResult } from "./process";
export { DEFAULT_WRITABLE_DIRS, type DirSpec, type FileSpec } from "./rootfs";

/** Numeric identity to run as (Docker's `user: "uid:gid"`). */
export interface RunAs {
    readonly uid: number;
    readonly gid: number;
}

/** When the container counts as started (a bare number is a container port to listen); published ports must also be forwarding. */
export type ReadyCondition =
    | number
    | { readonly port: number }
    | { readonly log: string | RegExp }
    | ((container: Container) => Promise<boolean>);

export interface StartOptions {
    /** Shown in errors. @default - basename of argv[0] */
    readonly name?: string;
    /** Files at container paths (Docker `uploads`). */
    readonly files?: readonly FileSpec[];
    /** Empty directories at container paths (e.g. a data directory owned by the server user). */
    readonly dirs?: readonly DirSpec[];
    /** Host directories the container sees copy-on-write. @default - DEFAULT_WRITABLE_DIRS */
    readonly writableDirs?: readonly string[];
    /** The container command, exec'd as PID 1. */
    readonly argv: readonly string[];
    /** Drop to this identity before exec (setpriv). @default - root */
    readonly user?: RunAs;
    /** Extra environment (Docker `envs`). Only PATH is set otherwise. */
    readonly env?: Readonly<Record<string, string>>;
    /** Working directory (Docker WORKDIR). @default - / */
    readonly cwd?: string;
    /** Container ports to publish on 127.0.0.1 at ephemeral host ports. */
    readonly publish?: readonly number[];
    /** A fixed host port for a published container port (Docker's `external`). @default - ephemeral */
    readonly hostPorts?: Readonly<Record<number, number>>;
    /**
     * Host directories mounted at container paths, as Docker mounts a named volume (tests/harness/volumes.ts):
     * a bind mount made after the overlays, read-only when asked (Docker's `readOnly`).
     */
    readonly binds?: readonly BindMount[];
    /**
     * Host directories under /tmp that stay visible at their own paths over the container's fresh /tmp, for
     * a test that runs this checkout's node and sources inside the namespace (a clone in /tmp, as CI may
     * place it). Read-only. Needs `/run` among the writable directories (the default).
     */
    readonly keepUnderTmp?: readonly string[];
    /** @default - every published port is listening */
    readonly readyWhen?: ReadyCondition;
    /** @default - 20 s */
    readonly readyTimeoutMs?: number;
    /** Time between SIGTERM and SIGKILL in stop(). @default - 5 s */
    readonly stopGraceMs?: number;
}

export interface BindMount {
    readonly hostPath: string;
    readonly containerPath: string;
    readonly readOnly?: boolean;
}

export interface ExecOptions {
    /** Fed to stdin, which is otherwise closed. */
    readonly input?: string | Buffer;
    /** @default - 20 s; the command's group is killed and exec rejects after it */
    readonly timeoutMs?: number;
    /** @default - root */
    readonly user?: RunAs;
    readonly env?: Readonly<Record<string, string>>;
}

export interface Container {
    /** Container port → host port on 127.0.0.1. */
    readonly ports: Readonly<Record<number, number>>;
    /** Host PID of the server (PID 1 in the container). */
    readonly pid: number;
    /** Runs a command inside the container's namespaces (like `docker exec`). */
    exec(argv: readonly string[], options?: ExecOptions): Promise<ExecResult>;
    /** Starts a long-running command inside the container; stopped with it at the latest. */
    background(argv: readonly string[], options?: Omit<ExecOptions, "timeoutMs">): Background;
    /** The server's stdout and stderr so far (plus the init script's). */
    logs(): string;
    isRunning(): boolean;
    /** TCP ports listening inside the container (from /proc/<pid>/net/tcp{,6}). */
    listeningPorts(): number[];
    /** Stops the server and everything else started for it; removes the work dir. Idempotent. */
    stop(): Promise<void>;
}

export const CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const NAMESPACE_FLAGS = ["--mount", "--net", "--pid", "--ipc", "--uts"];

// Safety net for a test that forgets stop() (or a hook that gave up while a start was in flight): PID 1 of
// each live container dies with this process, and its work dir goes.
const live = new Map<number, string>(); // PID 1 → work dir
process.once("exit", () => {
    for (const [pid, workDir] of live) {
        signalPid(pid, "SIGKILL");
        fs.rmSync(workDir, { recursive: true, force: true });
    }
});

function sh(s: string): string {
    return `'${s.replace(/'/g, `'\\''`)}'`;
}

function hasPasswdEntry(uid: number): boolean {
    return fs
        .readFileSync("/etc/passwd", "utf8")
        .split("\n")
        .some((line) => line.split(":")[2] === String(uid));
}

/** `setpriv` prefix that execs in place as `user` (supplementary groups from /etc/passwd when it knows the uid). */
export function dropPrivileges(user: RunAs | undefined): string[] {
    if (!user) return [];
    const groups = hasPasswdEntry(user.uid) ? "--init-groups" : "--clear-groups";
    return ["setpriv", `--reuid=${user.uid}`, `--regid=${user.gid}`, groups, "--"];
}

/** Ports in LISTEN state in the network namespace of `pid`. */
export function listeningPortsOf(pid: number): number[] {
    const ports = new Set<number>();
    for (const table of ["tcp", "tcp6"]) {
        let text = "";
        try {
            text = fs.readFileSync(`/proc/${pid}/net/${table}`, "utf8");
        } catch {
            continue;
        }
        for (const line of text.split("\n").slice(1)) {
            const cols = line.trim().split(/\s+/);
            if (cols[3] === "0A" && cols[1]) ports.add(parseInt(cols[1].split(":")[1] ?? "", 16));
        }
    }
    return [...ports].sort((a, b) => a - b);
}

function initScript(opts: StartOptions, overlays: ReturnType<typeof stageRootfs>): string {
    // Docker lets unprivileged servers bind ports below 1024 in the container's network namespace
    // (moby/moby#41030 sets this per-namespace sysctl to 0).
    const lines = ["set -eu", "ip link set lo up", "echo 0 > /proc/sys/net/ipv4/ip_unprivileged_port_start"];
    for (const o of overlays) {
        lines.push(`mount -t overlay overlay -o ${sh(`lowerdir=${o.target},upperdir=${o.upperDir},workdir=${o.workDir}`)} ${sh(o.target)}`);
    }
    // Before the fresh /tmp hides the host's: a volume's directory may live there.
    for (const b of opts.binds ?? []) {
        lines.push(`mount --bind ${sh(b.hostPath)} ${sh(b.containerPath)}`);
        if (b.readOnly) lines.push(`mount -o remount,bind,ro ${sh(b.containerPath)}`);
    }
    // Host paths kept over the fresh /tmp: parked on a mount point in the container's own /run (an overlay
    // whose writes stay in the work dir), then moved back.
    const kept = (opts.keepUnderTmp ?? []).filter((p) => p.startsWith("/tmp/"));
    kept.forEach((p, i) => lines.push(`mkdir -p /run/.keep-${i}`, `mount --bind ${sh(p)} /run/.keep-${i}`));
    lines.push("mount -t tmpfs -o mode=1777 tmpfs /tmp", "mount -t tmpfs -o mode=1777,size=64m shm /dev/shm");
    kept.forEach((p, i) => lines.push(`mkdir -p ${sh(p)}`, `mount --move /run/.keep-${i} ${sh(p)}`, `mount -o remount,bind,ro ${sh(p)}`, `rmdir /run/.keep-${i}`));
    lines.push(`cd ${sh(opts.cwd ?? "/")}`);
    lines.push(`exec ${[...dropPrivileges(opts.user), ...opts.argv].map(sh).join(" ")}`);
    return lines.join("\n") + "\n";
}

function isZombie(pid: number): boolean {
    try {
        return / Z /.test(fs.readFileSync(`/proc/${pid}/stat`, "utf8").split(")").pop() ?? "");
    } catch {
        return true;
    }
}

/** True once the init script has exec'd the command, i.e. all mounts are in place. */
function execedCommand(pid: number, script: string): boolean {
    try {
        return !fs.readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(script);
    } catch {
        return false;
    }
}

async function waitForInitPid(unsharePid: number, exited: Promise<unknown>): Promise<number> {
    for (let i = 0; i < 200; i++) {
        const children = fs.readFileSync(`/proc/${unsharePid}/task/${unsharePid}/children`, "utf8").trim();
        if (children) return Number(children.split(/\s+/)[0]);
        if (await settlesWithin(exited, 10)) break;
    }
    throw new Error("unshare did not fork the container's init process");
}

export async function startInNamespace(opts: StartOptions): Promise<Container> {
    if (process.getuid?.() !== 0) {
        throw new Error("the namespace harness needs root (unshare --mount --net --pid, overlay mounts, setpriv); run the server tests as root, as CI does");
    }
    const name = opts.name ?? path.basename(opts.argv[0] ?? "container");
    const workDir = fs.mkdtempSync(path.join(os.tmpdir(), "nsh-"));
    const env = { PATH: CONTAINER_PATH, ...opts.env };
    const helpers = new Set<Background>();
    const published: PublishedPort[] = [];
    const ports: Record<number, number> = {};
    let main: ReturnType<typeof startProcess> | undefined;
    let initPid = -1;
    let stopping: Promise<void> | undefined;

    const nsenter = (user: RunAs | undefined, argv: readonly string[]) => [
        "nsenter",
        `--target=${initPid}`,
        ...NAMESPACE_FLAGS,
        "--",
        ...dropPrivileges(user),
        ...argv,
    ];
    const stop = () =>
        (stopping ??= (async () => {
            await Promise.all(published.map((p) => p.close()));
            if (main) {
                // Signal PID 1 only: unshare blocks SIGTERM and exits once it has reaped PID 1; killing
                // unshare first would leave PID 1 a zombie nobody reaps.
                if (initPid > 0) {
                    signalPid(initPid, "SIGTERM");
                    if (!(await settlesWithin(main.exited, opts.stopGraceMs ?? 5000))) signalPid(initPid, "SIGKILL");
                }
                if (!(await settlesWithin(main.exited, 5000))) main.child.kill("SIGKILL");
                await settlesWithin(main.exited, 5000);
                live.delete(initPid);
            }
            await Promise.all([...helpers].map((h) => h.stop(500)));
            fs.rmSync(workDir, { recursive: true, force: true });
        })());

    const container: Container = {
        ports,
        get pid() {
            return initPid;
        },
        exec: async (argv, o = {}) => {
            if (!container.isRunning()) throw new Error(`${name} is not running; logs:\n${container.logs()}`);
            return runProcess(nsenter(o.user, argv), { env: { ...env, ...o.env }, input: o.input, timeoutMs: o.timeoutMs ?? 20_000 });
        },
        background: (argv, o = {}) => {
            const proc = startProcess(nsenter(o.user, argv), { env: { ...env, ...o.env }, input: o.input });
            helpers.add(proc);
            return proc;
        },
        logs: () => main?.output() ?? "",
        isRunning: () => initPid > 0 && isAlive(initPid) && !isZombie(initPid),
        listeningPorts: () => listeningPortsOf(initPid),
        stop,
    };

    try {
        // A bind mount needs its mount point: an empty directory at the container path.
        const mountPoints = (opts.binds ?? []).map((b) => ({ path: b.containerPath, mode: 0o755 }));
        const overlays = stageRootfs(workDir, opts.files ?? [], [...(opts.dirs ?? []), ...mountPoints], opts.writableDirs ?? DEFAULT_WRITABLE_DIRS);
        const script = path.join(workDir, "init.sh");
        fs.writeFileSync(script, initScript(opts, overlays), { mode: 0o700 });
        main = startProcess(
            ["setpriv", "--pdeathsig=KILL", "--", "unshare", ...NAMESPACE_FLAGS, "--fork", "--kill-child", "--mount-proc",
                "--propagation=private", "--", "/bin/sh", script],
            { env },
        );
        initPid = await waitForInitPid(main.pid, main.exited);
        live.set(initPid, workDir);

        const sockets = (opts.publish ?? []).map((port) => ({ port, socket: path.join(workDir, `p${port}.sock`) }));
        for (const { port, socket } of sockets) {
            // Host mount namespace (no --mount) so the socket file is reachable from here.
            helpers.add(startProcess(
                ["nsenter", `--target=${initPid}`, "--net", "--pid", "--", "socat", `UNIX-LISTEN:${socket},fork,mode=600`, `TCP:127.0.0.1:${port}`],
                { env },
            ));
        }
        const ready = opts.readyWhen ?? (async (c: Container) => sockets.every(({ port }) => c.listeningPorts().includes(port)));
        const deadline = Date.now() + (opts.readyTimeoutMs ?? 20_000);
        for (;;) {
            if (!container.isRunning()) throw new Error(`${name} exited during start-up`);
            const forwarding = sockets.every(({ socket }) => fs.existsSync(socket));
            if (execedCommand(initPid, script) && forwarding && (await isReady(ready, container))) break;
            if (Date.now() > deadline) throw new Error(`${name} not ready within ${opts.readyTimeoutMs ?? 20_000} ms`);
            await delay(50);
        }
        for (const { port, socket } of sockets) {
            const p = await publishUnixSocket(socket, opts.hostPorts?.[port]);
            published.push(p);
            ports[port] = p.hostPort;
        }
        return container;
    } catch (e) {
        await stop();
        const logs = container.logs();
        const helperLogs = [...helpers].map((h) => h.output()).filter(Boolean).join("\n");
        throw new Error(`${(e as Error).message}\n--- ${name} logs ---\n${logs}${helperLogs ? `\n--- forwarders ---\n${helperLogs}` : ""}`);
    }
}

async function isReady(cond: ReadyCondition, c: Container): Promise<boolean> {
    if (typeof cond === "function") return cond(c);
    if (typeof cond === "number") return c.listeningPorts().includes(cond);
    if ("port" in cond) return c.listeningPorts().includes(cond.port);
    return typeof cond.log === "string" ? c.logs().includes(cond.log) : cond.log.test(c.logs());
}
