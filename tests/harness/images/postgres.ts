/**
 * Stand-in for the `postgres:17.9-bookworm` image, built from the local PostgreSQL (whichever major the
 * machine has: 15 on Debian 12; found by `findPostgresBinDir`) on top of
 * namespace.ts. A test hands it exactly what the Pulumi component gives a docker.Container (command, envs,
 * uploads, the data volume, the published port) and gets a real server that went through the image's
 * first-run initialisation:
 *
 *  - docker-entrypoint.sh below is docker-library/postgres 17/bookworm/docker-entrypoint.sh reduced to the
 *    path our command takes: as root, set up PGDATA and read POSTGRES_PASSWORD_FILE, drop to `postgres`
 *    (setpriv instead of gosu: both exec in place); on an empty data dir initdb with that password, start a
 *    temporary server with THE SAME args plus `listen_addresses='' -p 5432` on the unix socket, run
 *    /docker-entrypoint-initdb.d with psql (PGPASSWORD exported), stop it; then exec the command. The temp
 *    server is what proves the certificates are readable at init and that pg_hba.conf has a working
 *    `local` row (docker-library/postgres docker-entrypoint.sh docker_temp_server_start).
 *  - Version mapping: `postgres` in the command resolves through PATH to the local server's bin directory
 *    (LOCAL_PG_BIN), as the image resolves it to /usr/lib/postgresql/17/bin.
 *  - Identity mapping (the only one): the image's postgres uid/gid 999 is the local `postgres` user.
 *    Uploads with owner/group "999" are chowned to it; any other owner is refused.
 *  - The volume is a host directory under /var/tmp (not overlaid by namespace.ts, not hidden by the
 *    container's private /tmp) bind-mounted at PGDATA, so a second container can reuse it.
 *  - Stop: SIGINT to PID 1, the image's STOPSIGNAL (fast shutdown), before namespace.ts's own stop().
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { type Container, type FileSpec, type StartOptions, startInNamespace } from "../namespace";
import { delay } from "../process";
import { findPostgresBinDir } from "../requirements";

/**
 * The local server's programs. When none is found, suites that need it fail under CI or skip elsewhere
 * (`describeWithServers(..., ["postgres"])`) before this path is used.
 */
export const LOCAL_PG_BIN = findPostgresBinDir() ?? "/nonexistent/postgresql/bin";
const IMAGE_UID = "999";
const PGDATA = "/var/lib/postgresql/data";

/** What the component puts on a docker.Container. */
export interface PostgresContainerSpec {
    /** Container `command`, starting with "postgres". */
    readonly command: readonly string[];
    /** Container `envs`, "K=V". */
    readonly envs: readonly string[];
    /** Container `uploads` with literal content. */
    readonly uploads: readonly { file: string; content: string; permissions: string; owner: string; group: string }[];
    /** Container port to publish on 127.0.0.1. */
    readonly port: number;
}

/** A reusable data volume (host directory). */
export interface PostgresVolume {
    readonly hostPath: string;
    remove(): void;
}

export interface RunningPostgres {
    readonly container: Container;
    /** Host port on 127.0.0.1 forwarding to the container port. */
    readonly hostPort: number;
    logs(): string;
    /** SIGINT (fast shutdown) to the server, then tear the namespace down. Idempotent. */
    stop(): Promise<void>;
}

export function createPostgresVolume(): PostgresVolume {
    const hostPath = fs.mkdtempSync("/var/tmp/harness-pgdata-");
    return { hostPath, remove: () => fs.rmSync(hostPath, { recursive: true, force: true }) };
}

function localIds(user: string): { uid: number; gid: number } {
    const id = (flag: string) => Number(execFileSync("id", [flag, user], { encoding: "utf8" }).trim());
    return { uid: id("-u"), gid: id("-g") };
}

/** Container upload → harness file, mapping the image's uid 999 to the local postgres user. */
export function mapUploads(uploads: PostgresContainerSpec["uploads"]): FileSpec[] {
    const pg = localIds("postgres");
    return uploads.map((u) => {
        if (u.owner !== IMAGE_UID || u.group !== IMAGE_UID) {
            throw new Error(`upload ${u.file}: owner ${u.owner}:${u.group} has no local equivalent; only ${IMAGE_UID}:${IMAGE_UID} (postgres) is mapped`);
        }
        return { path: u.file, content: u.content, mode: parseInt(u.permissions, 8), uid: pg.uid, gid: pg.gid };
    });
}

// docker-entrypoint.sh stand-in; quotes and function names follow the image's script so the two compare.
const ENTRYPOINT = fs.readFileSync(path.join(__dirname, "postgres-entrypoint.sh"), "utf8");

export interface StartPostgresOptions {
    /** Shown in errors. @default - "postgres" */
    readonly name?: string;
    /** @default - 30 s (initdb plus the temporary server) */
    readonly readyTimeoutMs?: number;
    /** Named volumes besides the data volume (the TLS volume), and a fixed host port. */
    readonly binds?: StartOptions["binds"];
    readonly hostPort?: number;
}

/** Runs the emulated image; resolves once the server accepts TCP connections on the container port. */
export async function startPostgresImage(spec: PostgresContainerSpec, volume: PostgresVolume, o: StartPostgresOptions = {}): Promise<RunningPostgres> {
    if (spec.command[0] !== "postgres") throw new Error(`command must start with "postgres", got ${JSON.stringify(spec.command)}`);
    const env: Record<string, string> = {
        // The image appends /usr/lib/postgresql/17/bin; prepending keeps Debian's pg_wrapper out of the way.
        PATH: `${LOCAL_PG_BIN}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        PGDATA,
        // The image sets LANG=en_US.utf8, a locale this machine lacks; initdb only needs some UTF-8 locale.
        LANG: "C.UTF-8",
        HARNESS_VOLUME: volume.hostPath,
    };
    for (const kv of spec.envs) {
        const eq = kv.indexOf("=");
        if (eq <= 0) throw new Error(`env entry \`${kv}\` is not K=V`);
        env[kv.slice(0, eq)] = kv.slice(eq + 1);
    }
    const name = o.name ?? "postgres";
    const container = await startInNamespace({
        name,
        files: [
            ...mapUploads(spec.uploads),
            { path: "/usr/local/bin/docker-entrypoint.sh", content: ENTRYPOINT, mode: 0o755 },
        ],
        // Mount point for the volume; the entrypoint bind-mounts the host directory over it.
        dirs: [{ path: PGDATA, mode: 0o755 }],
        argv: ["/usr/local/bin/docker-entrypoint.sh", ...spec.command],
        env,
        publish: [spec.port],
        binds: o.binds,
        hostPorts: o.hostPort ? { [spec.port]: o.hostPort } : undefined,
        readyTimeoutMs: o.readyTimeoutMs ?? 30_000,
        stopGraceMs: 10_000,
        readyWhen: async (c) => c.listeningPorts().includes(spec.port) &&
            // sslmode=require: libpq's default `prefer` retries without TLS and leaves a misleading hba reject in the log.
            (await c.exec([path.join(LOCAL_PG_BIN, "pg_isready"), "-q", "-h", "127.0.0.1", "-p", String(spec.port)], { env: { PGSSLMODE: "require" } })).code === 0,
    });
    let stopping: Promise<void> | undefined;
    return {
        container,
        hostPort: container.ports[spec.port]!,
        logs: () => container.logs(),
        stop: () => (stopping ??= (async () => {
            if (container.isRunning()) {
                try {
                    process.kill(container.pid, "SIGINT");
                } catch {
                    // already gone
                }
                for (let i = 0; i < 200 && container.isRunning(); i++) await delay(50);
            }
            await container.stop();
        })()),
    };
}
