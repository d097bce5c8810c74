/**
 * Docker named volumes for the harness: a host directory per volume, bind-mounted where a container mounts
 * it. And the volume writer's payload read back, for tests that start a server from the files it would
 * deliver without running the writer (tests/servers/rotation.test.ts runs the writer itself).
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { TlsFile } from "../../components/shared/rotation/files";
import type { Container } from "./namespace";
import { type ExecResult, runProcess } from "./process";

/** The files in a writer payload (components/shared/rotation/files.ts tlsPayload), decoded. */
export function decodeTlsPayload(stdin: string): TlsFile[] {
    const [generation, ...lines] = stdin.split("\n").filter((l) => l !== "");
    if (!generation || !/^[0-9a-f]+$/.test(generation)) throw new Error(`writer payload: first line ${JSON.stringify(generation)} is not a generation id`);
    return lines.map((line) => {
        const [name, permissions, ids, data, ...rest] = line.split(" ");
        const [owner, group] = (ids ?? "").split(":");
        if (!name || !permissions || !owner || !group || data === undefined || rest.length > 0) throw new Error(`writer payload: malformed line for ${JSON.stringify(name)}`);
        return { name, permissions, owner, group, content: Buffer.from(data, "base64").toString("utf8") };
    });
}

/** The container inputs the harness reads, and the command resources registered beside it. */
interface ContainerWithVolumes {
    readonly name?: unknown;
    readonly uploads?: unknown;
    readonly volumes?: unknown;
}

/**
 * Every file the server finds when its container starts: its own `uploads` plus the files the TLS
 * volume's writer command (`--volume <container>-tls:/tls`) delivers, placed at the mount's path, as
 * uploads. `commands` are the inputs of the `command:local:Command` resources (from the emulator or an
 * exported state).
 */
export function withDeliveredTlsFiles<T extends ContainerWithVolumes>(container: T, commands: ReadonlyArray<{ readonly create?: unknown; readonly stdin?: unknown }>): T & { uploads: Array<{ file: string; content: string; permissions: string; owner: string; group: string }> } {
    const volumes = (container.volumes ?? []) as Array<{ volumeName: string; containerPath: string }>;
    const volume = volumes.find((v) => v.volumeName === `${String(container.name)}-tls`);
    if (!volume) throw new Error(`container ${String(container.name)} mounts no TLS volume ${String(container.name)}-tls`);
    // The writer command itself, not the reload step that also runs it.
    const writer = commands.find((c) => typeof c.create === "string" && c.create.includes(` --volume ${volume.volumeName}:/tls `) && !c.create.includes("docker exec "));
    if (!writer || typeof writer.stdin !== "string") throw new Error(`no writer command for volume ${volume.volumeName}`);
    const delivered = decodeTlsPayload(writer.stdin).map((f) => ({ file: `${volume.containerPath}/${f.name}`, content: f.content, permissions: f.permissions, owner: f.owner, group: f.group }));
    return { ...container, uploads: [...((container.uploads ?? []) as Array<{ file: string; content: string; permissions: string; owner: string; group: string }>), ...delivered] };
}

/** The `docker` of tests/harness/docker-standin.js, on a PATH of its own, and the state it reads. */
export interface DockerStandIn {
    /** Creates a named volume (an empty host directory); `ids` maps the image's `uid:gid` to local ones. */
    addVolume(name: string, ids: Readonly<Record<string, string>>): string;
    /** Makes a harness container reachable as `docker exec <name>`, with the container's environment. */
    addContainer(name: string, container: Container, env: Readonly<Record<string, string>>, rewrites?: ReadonlyArray<readonly [string, string]>): void;
    /** Runs a registered command as the command provider does: `/bin/sh -c <command>`, `stdin` on stdin. */
    run(command: string, stdin: string, timeoutMs?: number): Promise<ExecResult>;
    /** Removes the volumes' directories and the state. */
    remove(): void;
}

export function dockerStandIn(): DockerStandIn {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "docker-standin-"));
    const bin = path.join(dir, "bin");
    fs.mkdirSync(bin);
    // Written with this Node's path: the stand-in must not depend on which node is first on PATH.
    fs.writeFileSync(path.join(bin, "docker"), `#!/bin/sh\nexec ${JSON.stringify(process.execPath)} ${JSON.stringify(path.join(__dirname, "docker-standin.js"))} "$@"\n`, { mode: 0o755 });
    const stateFile = path.join(dir, "state.json");
    const state: { volumes: Record<string, { hostPath: string; ids: Record<string, string> }>; containers: Record<string, { pid: number; env: Record<string, string>; rewrites: Array<readonly [string, string]> }> } = { volumes: {}, containers: {} };
    const save = () => fs.writeFileSync(stateFile, JSON.stringify(state));
    save();
    return {
        addVolume(name, ids) {
            const hostPath = path.join(dir, "volumes", name);
            fs.mkdirSync(hostPath, { recursive: true, mode: 0o755 });
            state.volumes[name] = { hostPath, ids: { ...ids } };
            save();
            return hostPath;
        },
        addContainer(name, container, env, rewrites = []) {
            state.containers[name] = { pid: container.pid, env: { ...env }, rewrites: [...rewrites] };
            save();
        },
        run(command, stdin, timeoutMs = 60_000) {
            return runProcess(["/bin/sh", "-c", command], {
                env: { ...process.env, PATH: `${bin}:${process.env.PATH ?? ""}`, TLS_PLATFORM_DOCKER_STANDIN: stateFile },
                input: stdin,
                timeoutMs,
            });
        },
        remove() {
            fs.rmSync(dir, { recursive: true, force: true });
        },
    };
}
