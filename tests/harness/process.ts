/**
 * Child processes the harness starts: each in its own process group, with its output kept, killed as a
 * group, and never waited on without a deadline.
 */
import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as net from "node:net";
import * as os from "node:os";
import * as path from "node:path";

/** Outcome of a finished command. */
export interface ExecResult {
    /** Exit code, or null when a signal ended it. */
    readonly code: number | null;
    readonly signal: NodeJS.Signals | null;
    readonly stdout: string;
    readonly stderr: string;
}

/** A process running in the background, stopped by its owner or by the container's `stop()`. */
export interface Background {
    readonly pid: number;
    /** stdout and stderr so far, interleaved. */
    output(): string;
    /** Resolves when the process has exited. */
    readonly exited: Promise<ExecResult>;
    /** SIGTERM to the process group, SIGKILL after `graceMs`; resolves once it has exited. Idempotent. */
    stop(graceMs?: number): Promise<void>;
}

const MAX_KEPT_OUTPUT = 1 << 20;

/** Signals a whole process group, ignoring "already gone". */
export function killGroup(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(-pid, signal);
    } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== "ESRCH") throw e;
    }
}

/** Signals one process, ignoring "already gone". */
export function signalPid(pid: number, signal: NodeJS.Signals): void {
    try {
        process.kill(pid, signal);
    } catch {
        // already gone
    }
}

/** Live members of process group `pgid` (from /proc/<pid>/stat: `pid (comm) state ppid pgrp ...`). */
export function groupMembers(pgid: number): number[] {
    const members: number[] = [];
    for (const entry of fs.readdirSync("/proc")) {
        if (!/^\d+$/.test(entry)) continue;
        try {
            const [state, , pgrp] = fs.readFileSync(`/proc/${entry}/stat`, "utf8").split(")").pop()!.trim().split(" ");
            if (Number(pgrp) === pgid && state !== "Z") members.push(Number(entry));
        } catch {
            // exited meanwhile
        }
    }
    return members;
}

export function isAlive(pid: number): boolean {
    try {
        process.kill(pid, 0);
        return true;
    } catch {
        return false;
    }
}

export function delay(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, ms));
}

/** Resolves true if `p` settles within `ms`. */
export async function settlesWithin(p: Promise<unknown>, ms: number): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
    try {
        return await Promise.race([p.then(() => true), timeout]);
    } finally {
        clearTimeout(timer);
    }
}

/**
 * stdout/stderr as FIFOs, the way containerd hands them to containers. Node's "pipe" stdio is a unix
 * socketpair, and `open("/dev/stdout")` on a socket fails with ENXIO, which breaks servers that log to
 * /dev/stdout (the official nginx image's access log is a symlink to it).
 */
function fifoPipe(): { reader: net.Socket; writeFd: number; ended: Promise<void> } {
    const fifo = path.join(os.tmpdir(), `harness-${process.pid}-${randomBytes(6).toString("hex")}.fifo`);
    execFileSync("mkfifo", ["-m", "600", fifo]);
    try {
        // Read end first and non-blocking, so neither open waits (fifo(7)); the child holds the only write end,
        // so the reader sees EOF once the child and everything that inherited its stdout are gone.
        const readFd = fs.openSync(fifo, fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
        const writeFd = fs.openSync(fifo, fs.constants.O_WRONLY);
        const reader = new net.Socket({ fd: readFd, readable: true, writable: false });
        const ended = new Promise<void>((resolve) => reader.once("end", resolve).once("close", resolve).once("error", () => resolve()));
        return { reader, writeFd, ended };
    } finally {
        fs.rmSync(fifo, { force: true });
    }
}

/** Starts `argv` detached (own process group) with stdin fed from `input` or closed. */
export function startProcess(
    argv: readonly string[],
    options: { env: NodeJS.ProcessEnv; input?: string | Buffer },
): Background & { child: ChildProcess } {
    const [file, ...args] = argv;
    if (!file) throw new Error("empty argv");
    const out = fifoPipe();
    const err = fifoPipe();
    let child: ChildProcess;
    try {
        child = spawn(file, args, {
            detached: true,
            cwd: "/",
            env: options.env,
            stdio: [options.input === undefined ? "ignore" : "pipe", out.writeFd, err.writeFd],
        });
    } finally {
        fs.closeSync(out.writeFd);
        fs.closeSync(err.writeFd);
    }
    let stdout = "";
    let stderr = "";
    let both = "";
    const keep = (s: string, add: string) => (s.length > MAX_KEPT_OUTPUT ? s : s + add);
    out.reader.on("data", (d: Buffer) => {
        stdout = keep(stdout, d.toString());
        both = keep(both, d.toString());
    });
    err.reader.on("data", (d: Buffer) => {
        stderr = keep(stderr, d.toString());
        both = keep(both, d.toString());
    });
    if (options.input !== undefined) {
        child.stdin?.on("error", () => undefined); // the process may exit before reading it all
        child.stdin?.end(options.input);
    }
    const exitStatus = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => {
        child.once("error", (e) => {
            stderr += `\n[spawn ${file}: ${e.message}]`;
            resolve({ code: null, signal: null });
        });
        child.once("exit", (code, signal) => resolve({ code, signal }));
    });
    const exited = exitStatus.then(async (status) => {
        // Output written before exit is in the pipe; a descendant that kept stdout open must not block us.
        await settlesWithin(Promise.all([out.ended, err.ended]), 1000);
        out.reader.destroy();
        err.reader.destroy();
        return { ...status, stdout, stderr };
    });
    if (child.pid === undefined) {
        out.reader.destroy();
        err.reader.destroy();
        throw new Error(`could not start \`${file}\``);
    }
    const pid = child.pid;
    let stopping: Promise<void> | undefined;
    return {
        child,
        pid,
        exited,
        output: () => both,
        stop: (graceMs = 2000) =>
            (stopping ??= (async () => {
                // Workload first, wrapper last: `nsenter --pid` waits for its child and reaps it. Killing both
                // at once orphans the child to the HOST's init, which may take seconds to reap it, and the
                // container's PID namespace cannot end before it is reaped (zap_pid_ns_processes).
                const signalWorkload = (sig: NodeJS.Signals) => {
                    const members = groupMembers(pid).filter((p) => p !== pid);
                    for (const p of members.length > 0 ? members : [pid]) signalPid(p, sig);
                };
                signalWorkload("SIGTERM");
                if (!(await settlesWithin(exited, graceMs))) {
                    signalWorkload("SIGKILL");
                    if (!(await settlesWithin(exited, 1000))) killGroup(pid, "SIGKILL");
                    await settlesWithin(exited, 5000);
                }
                killGroup(pid, "SIGKILL");
            })()),
    };
}

/** Runs `argv` to completion; rejects (after killing its group) if it outlives `timeoutMs`. */
export async function runProcess(
    argv: readonly string[],
    options: { env: NodeJS.ProcessEnv; input?: string | Buffer; timeoutMs: number },
): Promise<ExecResult> {
    const proc = startProcess(argv, options);
    if (await settlesWithin(proc.exited, options.timeoutMs)) return proc.exited;
    await proc.stop(0);
    throw new Error(`\`${argv.join(" ")}\` did not finish within ${options.timeoutMs} ms; output so far:\n${proc.output()}`);
}
