/**
 * Docker named volumes for the harness: a host directory per volume, bind-mounted where a container mounts
 * it. And the volume writer's payload read back, for tests that start a server from the files it would
 * deliver without running the writer (tests/servers/rotation.test.ts runs the writer itself).
 */
import type { TlsFile } from "../../components/shared/rotation/files";

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
    const writer = commands.find((c) => typeof c.create === "string" && c.create.includes(` --volume ${volume.volumeName}:/tls `));
    if (!writer || typeof writer.stdin !== "string") throw new Error(`no writer command for volume ${volume.volumeName}`);
    const delivered = decodeTlsPayload(writer.stdin).map((f) => ({ file: `${volume.containerPath}/${f.name}`, content: f.content, permissions: f.permissions, owner: f.owner, group: f.group }));
    return { ...container, uploads: [...((container.uploads ?? []) as Array<{ file: string; content: string; permissions: string; owner: string; group: string }>), ...delivered] };
}
