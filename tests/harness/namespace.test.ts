import * as fs from "node:fs";
import * as net from "node:net";
import { afterAll, afterEach, beforeAll, expect, it } from "vitest";
import { type Container, startInNamespace } from "./namespace";
import { settlesWithin } from "./process";
import { describeWithServers } from "./requirements";

/** Host PIDs of this process's direct children (node's spawned processes). */
function childrenOfThisProcess(): number[] {
    return fs
        .readdirSync(`/proc/${process.pid}/task`)
        .flatMap((tid) => fs.readFileSync(`/proc/${process.pid}/task/${tid}/children`, "utf8").trim().split(/\s+/))
        .filter(Boolean)
        .map(Number);
}

/**
 * Host PIDs of every live (non-zombie) process in the PID namespace of `pid`. A killed exec can linger as a
 * zombie until PID 1 reaps it, which `sleep` as PID 1 never does; the namespace's end clears it.
 */
function processesInPidNamespaceOf(pid: number): number[] {
    const ns = fs.readlinkSync(`/proc/${pid}/ns/pid`);
    return fs.readdirSync("/proc").filter((d) => /^\d+$/.test(d)).map(Number).filter((p) => {
        try {
            const state = fs.readFileSync(`/proc/${p}/stat`, "utf8").split(")").pop()?.trim()[0];
            return fs.readlinkSync(`/proc/${p}/ns/pid`) === ns && state !== "Z";
        } catch {
            return false;
        }
    });
}

function readAll(port: number): Promise<string> {
    return new Promise((resolve, reject) => {
        let data = "";
        const s = net.connect(port, "127.0.0.1");
        s.setTimeout(5000, () => s.destroy(new Error("read timeout")));
        s.on("data", (d) => (data += d.toString())).on("end", () => resolve(data)).on("error", reject);
    });
}

// A one-file "server": answers every TCP connection on port 80 with the content of `file`.
const serveFile = (file: string) => ["socat", "-U", "TCP-LISTEN:80,fork,reuseaddr", `OPEN:${file}`];

describeWithServers("startInNamespace", ["root", "unshare", "socat"], () => {
    let c: Container;
    const started: Container[] = [];
    beforeAll(async () => {
        c = await startInNamespace({
            name: "files",
            files: [
                { path: "/etc/nsh-test/greeting", content: "hello from the container\n" },
                { path: "/etc/nginx/tls/server.key", content: "not a key", mode: 0o600 },
                { path: "/etc/nsh-test/owned.conf", content: "x", mode: 0o640, uid: 4242, gid: 4343 },
            ],
            dirs: [{ path: "/var/lib/nsh-test-data", mode: 0o700, uid: 4242, gid: 4242 }],
            argv: ["/bin/sh", "-c", 'echo "greeting is $GREETING"; exec "$@"', "sh", ...serveFile("/etc/nsh-test/greeting")],
            user: { uid: 4242, gid: 4343 },
            env: { GREETING: "ahoy" },
            publish: [80],
        });
        started.push(c);
    });
    afterAll(() => Promise.all(started.map((s) => s.stop())));

    it("places files and dirs at their container paths with the given mode and owner", async () => {
        const r = await c.exec(["stat", "-c", "%n %a %u %g", "/etc/nsh-test/greeting", "/etc/nginx/tls/server.key",
            "/etc/nsh-test/owned.conf", "/var/lib/nsh-test-data"]);
        expect(r.stderr).toBe("");
        expect(r.stdout.trim().split("\n")).toEqual([
            "/etc/nsh-test/greeting 644 0 0",
            "/etc/nginx/tls/server.key 600 0 0",
            "/etc/nsh-test/owned.conf 640 4242 4343",
            "/var/lib/nsh-test-data 700 4242 4242",
        ]);
        expect((await c.exec(["cat", "/etc/nsh-test/greeting"])).stdout).toBe("hello from the container\n");
    });

    it("keeps the host's own files visible and writes nothing to the host", async () => {
        expect((await c.exec(["test", "-f", "/etc/nginx/mime.types"])).code).toBe(0);
        expect((await c.exec(["touch", "/var/lib/nsh-test-written", "/run/nsh-test.pid"])).code).toBe(0);
        for (const p of ["/etc/nsh-test", "/etc/nginx/tls", "/var/lib/nsh-test-data", "/var/lib/nsh-test-written", "/run/nsh-test.pid"]) {
            expect(fs.existsSync(p), p).toBe(false);
        }
    });

    it("runs the command as PID 1 under the given uid/gid with the given env", async () => {
        const status = (await c.exec(["cat", "/proc/1/status"])).stdout;
        expect(status).toMatch(/^Name:\s+socat$/m);
        expect(status).toMatch(/^Uid:\s+4242\s+4242\s+4242\s+4242$/m);
        expect(status).toMatch(/^Gid:\s+4343\s+4343\s+4343\s+4343$/m);
        expect(c.logs()).toContain("greeting is ahoy");
    });

    it("publishes the container port on an ephemeral 127.0.0.1 port", async () => {
        expect(c.ports[80]).toBeGreaterThan(1024);
        expect(await readAll(c.ports[80]!)).toBe("hello from the container\n");
    });

    it("creates a missing top-level directory on the host only as an empty mount point", async () => {
        const top = "/nsh-harness-test-toplevel";
        const existed = fs.existsSync(top);
        const other = await startInNamespace({ files: [{ path: `${top}/sub/file`, content: "x" }], argv: ["sleep", "300"], readyWhen: async () => true, stopGraceMs: 100 });
        started.push(other);
        try {
            expect((await other.exec(["cat", `${top}/sub/file`])).stdout).toBe("x");
            expect(fs.readdirSync(top)).toEqual([]);
        } finally {
            await other.stop();
            if (!existed) fs.rmdirSync(top);
        }
    });

    it("gives each container its own loopback, so two can listen on port 80 at once", async () => {
        const other = await startInNamespace({
            files: [{ path: "/srv/nsh-test/body", content: "second\n" }],
            argv: serveFile("/srv/nsh-test/body"),
            publish: [80],
        });
        started.push(other);
        expect(await readAll(other.ports[80]!)).toBe("second\n");
        expect(await readAll(c.ports[80]!)).toBe("hello from the container\n");
        expect((await c.exec(["ip", "-o", "link"])).stdout.trim().split("\n")).toHaveLength(1);
    });
});

describeWithServers("startInNamespace failure and clean-up", ["root", "unshare"], () => {
    let baseline: number[];
    beforeAll(() => {
        baseline = childrenOfThisProcess();
    });
    afterEach(() => {
        expect(childrenOfThisProcess().filter((p) => !baseline.includes(p))).toEqual([]);
    });

    it("stop kills the server, its forwarders and background commands, and closes the host port", async () => {
        const c = await startInNamespace({ argv: serveFile("/etc/hostname"), publish: [80] });
        const bg = c.background(["sleep", "300"]);
        await new Promise((r) => setTimeout(r, 200));
        const inside = processesInPidNamespaceOf(c.pid);
        expect(inside.length).toBeGreaterThanOrEqual(3); // socat server, socat forwarder, sleep
        const port = c.ports[80]!;
        await Promise.all([c.stop(), c.stop()]);
        expect(inside.filter((p) => fs.existsSync(`/proc/${p}`))).toEqual([]);
        expect(await settlesWithin(bg.exited, 1000)).toBe(true);
        await expect(readAll(port)).rejects.toThrow(/ECONNREFUSED/);
    });

    it("fails start-up with the server's log when readiness times out, and leaves nothing running", async () => {
        const start = startInNamespace({
            name: "never-ready",
            argv: ["/bin/sh", "-c", "echo starting but never listening; exec sleep 60"],
            publish: [80],
            readyWhen: 80,
            readyTimeoutMs: 500,
            stopGraceMs: 200, // sh/sleep as PID 1 ignore SIGTERM (no handler), so stop() escalates to SIGKILL
        });
        await expect(start).rejects.toThrow(/never-ready not ready within 500 ms[\s\S]*starting but never listening/);
    });

    it("reports a server that exits during start-up with its log", async () => {
        const start = startInNamespace({ name: "crasher", argv: ["/bin/sh", "-c", "echo boom >&2; exit 3"], publish: [80] });
        await expect(start).rejects.toThrow(/crasher exited during start-up[\s\S]*boom/);
    });

    it("rejects and kills an exec that outlives its timeout", async () => {
        const c = await startInNamespace({ argv: ["sleep", "300"], readyWhen: async () => true, stopGraceMs: 200 });
        try {
            await expect(c.exec(["sleep", "300"], { timeoutMs: 300 })).rejects.toThrow(/did not finish within 300 ms/);
            expect(processesInPidNamespaceOf(c.pid)).toHaveLength(1);
        } finally {
            await c.stop();
        }
    });
});
