import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterEach, beforeAll, describe, expect, it } from "vitest";
import { tlsPayload, type TlsFile } from "./files";
import { ROLLBACK_SCRIPT, WRITER_SCRIPT, rollbackCommand, shellQuote, writerCommand } from "./writer";

// The volume writer run for real: the host's /bin/sh (Debian's dash, as in the postgres and nginx images)
// with GNU coreutils, as root so that chown works, on a temp directory standing in for the volume.

const dirs: string[] = [];
afterEach(() => {
    for (const d of dirs.splice(0)) fs.rmSync(d, { recursive: true, force: true });
});
function volume(): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "tls-writer-"));
    dirs.push(dir);
    return dir;
}

beforeAll(() => {
    // chown to another uid needs root; CI runs as root, and a run that is not root must not pass quietly.
    expect(process.getuid?.(), "the writer test chowns files: run it as root").toBe(0);
});

interface Run { status: number | null; stdout: string; stderr: string }
function write(dir: string, stdin: string): Run {
    const r = spawnSync("/bin/sh", ["-c", WRITER_SCRIPT, "tls-writer", dir], { input: stdin, encoding: "utf8", timeout: 10_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

function rollback(dir: string, gen: string): Run {
    const r = spawnSync("/bin/sh", ["-c", ROLLBACK_SCRIPT, "tls-rollback", dir, gen], { encoding: "utf8", timeout: 10_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

/** Every entry under `dir` (and `dir` itself) with its type, mode, owner, inode, mtime, link target and content hash. */
function snapshot(dir: string): Record<string, string> {
    const out: Record<string, string> = {};
    const visit = (rel: string) => {
        const full = path.join(dir, rel);
        const st = fs.lstatSync(full);
        const kind = st.isSymbolicLink() ? `link->${fs.readlinkSync(full)}` : st.isDirectory() ? "dir" : `file sha256:${createHash("sha256").update(fs.readFileSync(full)).digest("hex")}`;
        out[rel || "."] = `${kind} mode:${(st.mode & 0o7777).toString(8)} ${st.uid}:${st.gid} ino:${st.ino} mtime:${st.mtimeMs}`;
        if (st.isDirectory()) for (const e of fs.readdirSync(full).sort()) visit(path.join(rel, e));
    };
    visit("");
    return out;
}

const file = (name: string, content: string, permissions = "0600", owner = "999", group = "999"): TlsFile => ({ name, content, permissions, owner, group });
/** A generation of the three files a server reads: certificate, key, client CA. */
function generation(tag: string, withCa = true) {
    return tlsPayload([file("server.crt", `CERT ${tag}\n`, "0644", "0", "0"), file("server.key", `KEY ${tag}\n`), ...(withCa ? [file("client-ca.crt", `CA ${tag}\n`, "0644", "0", "0")] : [])]);
}

describe("volume writer (WRITER_SCRIPT under /bin/sh)", () => {
    it("first delivery: a generation directory with each file's content, mode and owner, `current` pointing at it, and a fixed symlink per file through `current`", () => {
        const dir = volume();
        const g = generation("A");
        const run = write(dir, g.stdin);
        expect(run).toEqual({ status: 0, stdout: `tls-platform writer: generation ${g.generation} is current (3 files)\n`, stderr: "" });
        expect(fs.readdirSync(dir).sort()).toEqual([`.gen-${g.generation}`, "client-ca.crt", "current", "server.crt", "server.key"]);
        expect(fs.readlinkSync(path.join(dir, "current"))).toBe(`.gen-${g.generation}`);
        for (const name of ["server.crt", "server.key", "client-ca.crt"]) expect(fs.readlinkSync(path.join(dir, name))).toBe(`current/${name}`);
        expect(fs.readFileSync(path.join(dir, "server.key"), "utf8")).toBe("KEY A\n");
        expect(fs.readFileSync(path.join(dir, "server.crt"), "utf8")).toBe("CERT A\n");
        const stat = (name: string) => fs.statSync(path.join(dir, `.gen-${g.generation}`, name));
        expect([stat("server.key").mode & 0o7777, stat("server.key").uid, stat("server.key").gid]).toEqual([0o600, 999, 999]);
        expect([stat("server.crt").mode & 0o7777, stat("server.crt").uid, stat("server.crt").gid]).toEqual([0o644, 0, 0]);
        // The generation directory is world-searchable so the server's uid reaches its 0600 key; the files keep their modes.
        expect(fs.statSync(path.join(dir, `.gen-${g.generation}`)).mode & 0o7777).toBe(0o755);
    });

    it("a second generation becomes current, the one it replaced is kept, and older ones are pruned", () => {
        const dir = volume();
        const [a, b, c] = [generation("A"), generation("B"), generation("C")];
        for (const g of [a, b]) expect(write(dir, g.stdin).status).toBe(0);
        expect(fs.readlinkSync(path.join(dir, "current"))).toBe(`.gen-${b.generation}`);
        expect(fs.readFileSync(path.join(dir, "server.key"), "utf8")).toBe("KEY B\n");
        expect(fs.readdirSync(dir).filter((e) => e.startsWith(".gen-")).sort()).toEqual([`.gen-${a.generation}`, `.gen-${b.generation}`].sort());
        const run = write(dir, c.stdin);
        expect(run.stdout).toBe(`tls-platform writer: generation ${c.generation} is current (3 files)\n`);
        expect(fs.readdirSync(dir).filter((e) => e.startsWith(".")).sort()).toEqual([`.gen-${b.generation}`, `.gen-${c.generation}`, ".previous"].sort());
        expect(fs.readlinkSync(path.join(dir, ".previous"))).toBe(`.gen-${b.generation}`);
        expect(fs.readFileSync(path.join(dir, "server.crt"), "utf8")).toBe("CERT C\n");
    });

    it("re-delivering the current generation changes nothing and says so", () => {
        const dir = volume();
        const g = generation("A");
        write(dir, g.stdin);
        const before = snapshot(dir);
        expect(write(dir, g.stdin)).toEqual({ status: 0, stdout: `tls-platform writer: generation ${g.generation} is already current\n`, stderr: "" });
        expect(snapshot(dir)).toEqual(before);
    });

    const good = "server.crt 0644 0:0 Q0VSVAo=";
    it.each([
        ["an empty payload", "", "tls-platform writer: the payload is empty: expected a generation line, then one line per file; nothing was changed\n"],
        ["a bad first line", `not-a-generation\n${good}\n`, 'tls-platform writer: the first line is not a generation id (lower-case hex digits); nothing was changed\n'],
        ["a generation and no files", "abcdef\n", "tls-platform writer: no files in the payload; nothing was changed\n"],
        ["a file name with `/`", `abcdef\n${good}\n../server.key 0600 999:999 S0VZCg==\n`, 'tls-platform writer: bad file name "../server.key": letters, digits, \'.\', \'_\' and \'-\' only, not starting with \'.\'; nothing was changed\n'],
        ["a file name with a leading dot", `abcdef\n${good}\n.current 0600 999:999 S0VZCg==\n`, 'tls-platform writer: bad file name ".current": letters, digits, \'.\', \'_\' and \'-\' only, not starting with \'.\'; nothing was changed\n'],
        ["a mode that is not octal", `abcdef\n${good}\nserver.key u+s 999:999 S0VZCg==\n`, 'tls-platform writer: file server.key: mode "u+s" is not an octal mode; nothing was changed\n'],
        ["an owner that is not uid:gid", `abcdef\n${good}\nserver.key 0600 postgres S0VZCg==\n`, 'tls-platform writer: file server.key: owner "postgres" is not numeric uid:gid; nothing was changed\n'],
        ["content that is not base64", `abcdef\n${good}\nserver.key 0600 999:999 %%%\n`, "tls-platform writer: file server.key: content is not base64; nothing was changed\n"],
        ["a repeated file name", `abcdef\n${good}\n${good}\n`, "tls-platform writer: file server.crt is repeated; nothing was changed\n"],
    ])("refuses %s with its message, on an empty volume and over a current generation, and changes nothing", (_, stdin, message) => {
        const empty = volume();
        const emptyBefore = snapshot(empty);
        expect(write(empty, stdin)).toEqual({ status: 64, stdout: "", stderr: message });
        expect(snapshot(empty)).toEqual(emptyBefore);

        const used = volume();
        write(used, generation("A").stdin);
        write(used, generation("B").stdin);
        const usedBefore = snapshot(used);
        expect(write(used, stdin)).toEqual({ status: 64, stdout: "", stderr: message });
        expect(snapshot(used)).toEqual(usedBefore);
    });

    it("rollback: a generation the server refused goes back to the one it replaced, atomically as the writer switches; the next delivery prunes the refused one", () => {
        const dir = volume();
        const [a, b, c] = [generation("A"), generation("B"), generation("C")];
        for (const g of [a, b]) expect(write(dir, g.stdin).status).toBe(0);
        expect(rollback(dir, b.generation)).toEqual({ status: 0, stdout: `tls-platform rollback: generation ${a.generation} is current again\n`, stderr: "" });
        expect(fs.readlinkSync(path.join(dir, "current"))).toBe(`.gen-${a.generation}`);
        expect(fs.readFileSync(path.join(dir, "server.key"), "utf8")).toBe("KEY A\n");
        // Nothing to undo once it is not current (a second rollback, or one for a generation never delivered).
        const before = snapshot(dir);
        expect(rollback(dir, b.generation)).toEqual({ status: 0, stdout: `tls-platform rollback: generation ${b.generation} is not current; nothing to undo\n`, stderr: "" });
        expect(rollback(dir, "0000000000000000").status).toBe(0);
        expect(snapshot(dir)).toEqual(before);
        // Delivering again: the refused generation is pruned, the one served kept as previous.
        expect(write(dir, c.stdin).status).toBe(0);
        expect(fs.readdirSync(dir).filter((e) => e.startsWith(".gen-")).sort()).toEqual([`.gen-${a.generation}`, `.gen-${c.generation}`].sort());
    });

    it("rollback of the first delivery fails and leaves the volume as it is: there is no earlier generation", () => {
        const dir = volume();
        const a = generation("A");
        write(dir, a.stdin);
        const before = snapshot(dir);
        expect(rollback(dir, a.generation)).toEqual({ status: 1, stdout: "", stderr: `tls-platform rollback: no earlier generation to go back to; generation ${a.generation} stays\n` });
        expect(snapshot(dir)).toEqual(before);
    });

    it("rollbackCommand runs the rollback in the service's image with the volume, the generation as its last word", () => {
        const cmd = rollbackCommand("proj-dev-pg-tls", "sha256:abc", "0123456789abcdef");
        expect(cmd).toBe(`docker run --rm -i --network none --user 0:0 --entrypoint /bin/sh --volume proj-dev-pg-tls:/tls sha256:abc -c ${shellQuote(ROLLBACK_SCRIPT)} tls-rollback /tls 0123456789abcdef`);
    });

    it("writerCommand passes the script and the mount as separate words, and the payload on stdin only", () => {
        const cmd = writerCommand("proj-dev-pg-tls", "sha256:abc");
        expect(cmd.startsWith("docker run --rm -i --network none --user 0:0 --entrypoint /bin/sh --volume proj-dev-pg-tls:/tls sha256:abc -c ")).toBe(true);
        expect(cmd.endsWith(` ${shellQuote(WRITER_SCRIPT)} tls-writer /tls`)).toBe(true);
        // The shell the command provider runs reads the quoted script back unchanged.
        const echoed = spawnSync("/bin/sh", ["-c", `printf '%s' ${shellQuote(WRITER_SCRIPT)}`], { encoding: "utf8" });
        expect(echoed.stdout).toBe(WRITER_SCRIPT);
    });
});

describe("the generation switch under a concurrent reader", () => {
    // Each path is switched atomically (rename(2) of `current`), but certificate and key are two paths: a
    // reader that opens `<dir>/server.crt` and then `<dir>/server.key` while the writer switches can get one
    // of each generation (measured here: 42 mixed pairs in 100 switches). What keeps servers safe is the
    // order: the container starts, and the reload runs, only after the writer has exited
    // (serviceContainer.ts dependsOn), so a server reads a settled directory; the reload probe then checks
    // what is served. This test proves the two halves of that: a reader that resolves `current` once reads
    // whole pairs while generations switch, and after each writer exits both fixed paths give the new pair.
    it("100 switches: a reader resolving `current` once per read never sees a pair from two generations, and after each writer exits `server.crt` and `server.key` are the new pair", async () => {
        const dir = volume();
        const payloads = ["G0", "G1", "G2", "G3"].map((t) => generation(t, false));
        expect(write(dir, payloads[0]!.stdin).status).toBe(0);
        const stop = `${dir}.stop`;
        dirs.push(stop);
        const reader = spawn(process.execPath, ["-e", `
const fs = require("node:fs"), path = require("node:path");
const [dir, stop] = process.argv.slice(1);
const seen = { reads: 0, errors: [], pairs: {} };
while (!fs.existsSync(stop)) {
  try {
    const base = path.join(dir, fs.readlinkSync(path.join(dir, "current")));
    const cert = fs.readFileSync(path.join(base, "server.crt"), "utf8").trim().split(" ")[1];
    const key = fs.readFileSync(path.join(base, "server.key"), "utf8").trim().split(" ")[1];
    seen.reads++;
    seen.pairs[cert + "/" + key] = (seen.pairs[cert + "/" + key] || 0) + 1;
  } catch (e) { seen.errors.push(e.code); }
}
process.stdout.write(JSON.stringify(seen));
`, dir, stop], { stdio: ["ignore", "pipe", "inherit"] });
        let out = "";
        reader.stdout.on("data", (c) => (out += c));
        const done = new Promise<void>((resolve) => reader.on("close", () => resolve()));
        const afterEach: string[] = [];
        for (let i = 1; i <= 100; i++) {
            // Asynchronous, so the reader's loop runs while each writer does.
            const w = spawn("/bin/sh", ["-c", WRITER_SCRIPT, "tls-writer", dir], { stdio: ["pipe", "ignore", "inherit"] });
            w.stdin.end(payloads[i % 4]!.stdin);
            const status = await new Promise<number | null>((resolve) => w.on("close", resolve));
            const pair = `${fs.readFileSync(path.join(dir, "server.crt"), "utf8").trim()} / ${fs.readFileSync(path.join(dir, "server.key"), "utf8").trim()}`;
            afterEach.push(`${status} ${pair}`);
        }
        fs.writeFileSync(stop, "");
        await done;
        expect(afterEach).toEqual(Array.from({ length: 100 }, (_, i) => `0 CERT G${(i + 1) % 4} / KEY G${(i + 1) % 4}`));
        const seen = JSON.parse(out) as { reads: number; errors: string[]; pairs: Record<string, number> };
        expect(seen.reads).toBeGreaterThan(100);
        expect(Object.keys(seen.pairs).sort()).toEqual(expect.arrayContaining(["G0/G0", "G1/G1", "G2/G2", "G3/G3"]));
        for (const pair of Object.keys(seen.pairs)) expect(pair).toMatch(/^(G\d)\/\1$/);
        // Only the generation before the previous one is pruned, so a read fails only when the reader was
        // descheduled across two whole switches after resolving `current` (seen once in 200 on a loaded machine).
        for (const error of seen.errors) expect(error).toBe("ENOENT");
    }, 60_000);
});
