/**
 * Stages the files a container would get (Docker `uploads`) as overlayfs upper layers.
 *
 * Inside the private mount namespace each "anchor" directory gets an overlay whose lower layer is the host
 * directory and whose upper layer is a staging tree under the harness work dir. The server thus sees the
 * host's files (nginx's mime.types, libraries, ...) plus the uploaded ones at their container paths, and
 * everything it writes lands in the upper layer, never on the host. Host paths are never written, except
 * one case: a path whose FIRST component does not exist on the host (e.g. `/data`) needs a mount point, so
 * that empty directory is created on the host (mode 0755, root) and left there.
 */
import * as fs from "node:fs";
import * as path from "node:path";

/** A file placed at a container path, like a `docker.Container` upload. */
export interface FileSpec {
    /** Absolute container path, e.g. `/etc/nginx/nginx.conf`. */
    readonly path: string;
    /** File content. */
    readonly content: string | Buffer;
    /** Permission bits. @default - 0o644 (Docker's upload default) */
    readonly mode?: number;
    /** Numeric owner. @default - 0 */
    readonly uid?: number;
    /** Numeric group. @default - 0 */
    readonly gid?: number;
}

/** A directory created at a container path (e.g. an empty data directory owned by the server user). */
export interface DirSpec {
    /** Absolute container path; must not exist on the host or be empty there (no host content is merged). */
    readonly path: string;
    /** Permission bits. @default - 0o755 */
    readonly mode?: number;
    /** Numeric owner. @default - 0 */
    readonly uid?: number;
    /** Numeric group. @default - 0 */
    readonly gid?: number;
}

/**
 * Directories a container can write to privately (own pid files, sockets, temp and log files), overlaid
 * even when no file is uploaded there. `/tmp` and `/dev/shm` get fresh tmpfs mounts instead.
 */
export const DEFAULT_WRITABLE_DIRS: readonly string[] = ["/run", "/var/log", "/var/lib", "/var/cache"];

/** One overlay mount to make inside the namespace. */
export interface OverlayMount {
    /** Mount point (an existing host directory, symlinks resolved), also the lower layer. */
    readonly target: string;
    readonly upperDir: string;
    readonly workDir: string;
}

const FORBIDDEN_ROOTS = ["/tmp", "/proc", "/sys", "/dev"];

function isInside(child: string, parent: string): boolean {
    return child === parent || child.startsWith(parent === "/" ? "/" : `${parent}/`);
}

function checkContainerPath(p: string): void {
    if (!path.isAbsolute(p) || path.normalize(p) !== p || p === "/" || p.endsWith("/")) {
        throw new Error(`container path \`${p}\` must be absolute and normalized (no trailing slash, not /)`);
    }
    if (/[,:\s]/.test(p)) {
        throw new Error(`container path \`${p}\` contains a comma, colon or space, which overlayfs options cannot carry`);
    }
    const root = FORBIDDEN_ROOTS.find((r) => isInside(p, r));
    if (root) {
        throw new Error(`container path \`${p}\` is under ${root}, which the namespace replaces by a fresh mount; use another path`);
    }
}

/** Nearest existing host directory at or above `dir`, creating the top-level component when even that is missing. */
function anchorFor(dir: string): { anchor: string; rest: string } {
    let existing = dir;
    while (!fs.existsSync(existing)) existing = path.dirname(existing);
    if (existing === "/") {
        const top = `/${dir.split("/")[1]}`;
        fs.mkdirSync(top, { mode: 0o755 });
        existing = top;
    }
    if (!fs.statSync(existing).isDirectory()) {
        throw new Error(`container path \`${dir}\` runs through host file \`${existing}\`, which is not a directory`);
    }
    return { anchor: fs.realpathSync(existing), rest: path.relative(existing, dir) };
}

function applyOwnership(p: string, mode: number, uid: number, gid: number): void {
    fs.chownSync(p, uid, gid);
    fs.chmodSync(p, mode);
}

/** Creates `rel` under the staging `upper`, giving each new directory the attributes of its host twin (overlay shows the upper's). */
function mkdirsMirroringHost(upper: string, target: string, rel: string): void {
    let sofar = "";
    for (const part of rel.split("/").filter(Boolean)) {
        sofar = path.join(sofar, part);
        const staged = path.join(upper, sofar);
        if (fs.existsSync(staged)) continue;
        fs.mkdirSync(staged);
        const host = path.join(target, sofar);
        const st = fs.existsSync(host) ? fs.statSync(host) : undefined;
        applyOwnership(staged, st ? st.mode & 0o7777 : 0o755, st?.uid ?? 0, st?.gid ?? 0);
    }
}

/**
 * Writes the staging trees under `workDir` and returns the overlays to mount, outermost anchors only
 * (overlayfs merges nested directories itself).
 */
export function stageRootfs(
    workDir: string,
    files: readonly FileSpec[],
    dirs: readonly DirSpec[],
    writableDirs: readonly string[],
): OverlayMount[] {
    const seen = new Set<string>();
    for (const p of [...files.map((f) => f.path), ...dirs.map((d) => d.path)]) {
        checkContainerPath(p);
        if (seen.has(p)) throw new Error(`container path \`${p}\` is given twice`);
        seen.add(p);
    }
    for (const d of dirs) {
        if (fs.existsSync(d.path) && (!fs.statSync(d.path).isDirectory() || fs.readdirSync(d.path).length > 0)) {
            throw new Error(`dir \`${d.path}\` exists on the host and is not an empty directory; its content would leak into the container`);
        }
    }
    writableDirs.forEach(checkContainerPath);

    // Entry = absolute container path resolved against its anchor.
    type Located = { abs: string; entry: FileSpec | DirSpec | undefined };
    const located: Located[] = [];
    const anchors = new Set<string>();
    const locate = (dir: string, leaf: string | undefined, entry: FileSpec | DirSpec | undefined) => {
        const { anchor, rest } = anchorFor(dir);
        anchors.add(anchor);
        located.push({ abs: path.join(anchor, rest, leaf ?? ""), entry });
    };
    for (const f of files) locate(path.dirname(f.path), path.basename(f.path), f);
    for (const d of dirs) locate(path.dirname(d.path), path.basename(d.path), d);
    for (const w of writableDirs) if (fs.existsSync(w)) locate(w, undefined, undefined);

    const outermost = [...anchors]
        .sort((a, b) => a.length - b.length)
        .filter((a, _, all) => !all.some((b) => b !== a && isInside(a, b)));

    return outermost.map((target, i) => {
        const upperDir = path.join(workDir, "overlay", String(i), "upper");
        const ovlWork = path.join(workDir, "overlay", String(i), "work");
        fs.mkdirSync(upperDir, { recursive: true });
        fs.mkdirSync(ovlWork, { recursive: true });
        const st = fs.statSync(target);
        applyOwnership(upperDir, st.mode & 0o7777, st.uid, st.gid);
        for (const { abs, entry } of located.filter((l) => isInside(l.abs, target))) {
            if (!entry) continue;
            const rel = path.relative(target, abs);
            const staged = path.join(upperDir, rel);
            mkdirsMirroringHost(upperDir, target, path.dirname(rel));
            if ("content" in entry) {
                fs.writeFileSync(staged, entry.content);
                applyOwnership(staged, entry.mode ?? 0o644, entry.uid ?? 0, entry.gid ?? 0);
            } else {
                if (!fs.existsSync(staged)) fs.mkdirSync(staged);
                applyOwnership(staged, entry.mode ?? 0o755, entry.uid ?? 0, entry.gid ?? 0);
            }
        }
        return { target, upperDir, workDir: ovlWork };
    });
}
