/**
 * What the rotation tests share: the dev services deployed under the emulator with fixed host ports, real
 * servers started from a deployment's container inputs with the TLS volume bound read-only, and the
 * docker stand-in that runs the registered writer and reload commands against them.
 */
import { execFileSync } from "node:child_process";
import { X509Certificate } from "node:crypto";
import * as net from "node:net";
import { DRAGONFLY_FLAGS } from "../dragonfly-model";
import { createPostgresVolume, type PostgresVolume, startPostgresImage } from "../harness/images/postgres";
import { startNginxContainer } from "../harness/images/nginx";
import { redisReloadRewrite, startRedisStandIn } from "../harness/images/redis";
import type { Container } from "../harness/namespace";
import { delay } from "../harness/process";
import { decodeTlsPayload, type DockerStandIn, dockerStandIn } from "../harness/volumes";
import type { CertificateIssuer } from "../../components";
import { type RegisteredContainer, registeredContainer } from "../platform/fixture";

export type Kind = "postgres" | "redis" | "https";
export const KINDS: Kind[] = ["postgres", "redis", "https"];
export type Ports = Record<Kind | "http", number>;
export interface Deployment { readonly postgres: RegisteredContainer; readonly redis: RegisteredContainer; readonly https: RegisteredContainer }

async function freePort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
    const port = (server.address() as net.AddressInfo).port;
    await new Promise((r) => server.close(r));
    return port;
}

export async function freePorts(): Promise<Ports> {
    return { postgres: await freePort(), redis: await freePort(), https: await freePort(), http: await freePort() };
}

/**
 * The three dev services of one program run, under whatever emulator is installed: PostgreSQL with mutual
 * TLS (the dev default), Dragonfly and nginx, at fixed host ports so that every run's commands name the same.
 */
export async function deployServices(ca: CertificateIssuer, ports: Ports, emulator: Parameters<typeof registeredContainer>[0]): Promise<Deployment> {
    const c = await import("../../components");
    const network = "backend";
    const db = new c.PostgresDatabase("db", { ca, network, hostPort: ports.postgres, mutualTls: true });
    const cache = new c.DragonflyCache("cache", { ca, network, hostPort: ports.redis });
    const proxy = new c.NginxProxy("proxy", { ca, network, hostPort: ports.https, httpHostPort: ports.http, upstreams: [{ name: "app", url: "http://127.0.0.1:9" }] });
    return { postgres: await registeredContainer(emulator, db), redis: await registeredContainer(emulator, cache), https: await registeredContainer(emulator, proxy) };
}

/** The delivered server certificate's SHA-256 fingerprint, as node's getPeerCertificate() prints it. */
export const fingerprintOf = (r: RegisteredContainer) => new X509Certificate(decodeTlsPayload(r.tls.deliver.stdin).find((f) => f.name === "server.crt")!.content).fingerprint256;
export const generationOf = (r: RegisteredContainer) => r.tls.deliver.stdin.split("\n")[0]!;

const localIds = (user: string) => `${execFileSync("id", ["-u", user], { encoding: "utf8" }).trim()}:${execFileSync("id", ["-g", user], { encoding: "utf8" }).trim()}`;
const envRecord = (envs: readonly string[]) => Object.fromEntries(envs.map((kv) => [kv.slice(0, kv.indexOf("=")), kv.slice(kv.indexOf("=") + 1)]));

/** A real server of `kind`, deployed as `r` says: volume filled by r's writer command, then r's reload run. */
export interface RunningService {
    readonly docker: DockerStandIn;
    readonly container: Container;
    /** The TLS volume's directory on this machine. */
    readonly volume: string;
    /** Stops the server and starts a new container from the same inputs on the same volumes (an image bump, a crash). */
    restart(): Promise<void>;
    stop(): Promise<void>;
}

export async function startService(kind: Kind, r: RegisteredContainer, name: string): Promise<RunningService> {
    const docker = dockerStandIn();
    const pgVolume: PostgresVolume = createPostgresVolume();
    let server: { container: Container; stop: () => Promise<void> } | undefined;
    const stop = async () => {
        await server?.stop();
        pgVolume.remove();
        docker.remove();
    };
    const ids: Record<string, string> = kind === "postgres" ? { "999:999": localIds("postgres") } : kind === "redis" ? { "999:999": localIds("redis") } : { "0:0": "0:0" };
    const volume = docker.addVolume(r.tls.volumeName, ids);
    const binds = [{ hostPath: volume, containerPath: r.tls.dir, readOnly: r.tls.readOnly }];
    const port = r.ports[0]!;
    const startContainer = async () => {
        if (kind === "postgres") {
            const pg = await startPostgresImage({ command: r.command, envs: r.envs, uploads: r.configUploads, port: port.internal }, pgVolume, { name: `${name}-db`, binds, hostPort: port.external });
            server = { container: pg.container, stop: pg.stop };
        } else if (kind === "redis") {
            const df = await startRedisStandIn({ command: r.command, envs: r.envs, uploads: r.configUploads }, DRAGONFLY_FLAGS, { name: `${name}-cache`, binds, hostPort: port.external });
            server = { container: df.container, stop: df.stop };
        } else {
            const container = await startNginxContainer({ command: r.command, uploads: r.configUploads, binds, hostPorts: Object.fromEntries(r.ports.map((p) => [p.internal, p.external])) });
            server = { container, stop: () => container.stop() };
        }
        docker.addContainer(r.name, server.container, envRecord(r.envs), kind === "redis" ? [redisReloadRewrite(r, r.tls.reload.command, DRAGONFLY_FLAGS)] : []);
    };
    try {
        // As `pulumi up` creates them: the first files, the container, then the reload step (which writes the
        // same generation again, finds it current, reloads and checks the port).
        await expectRun(docker, r.tls.deliver, "the first delivery");
        await startContainer();
        const reloaded = await expectRun(docker, r.tls.reload, "the first reload");
        if (!reloaded.includes(`serves generation ${generationOf(r)}`)) throw new Error(`the first reload did not confirm generation ${generationOf(r)}: ${reloaded}`);
        return {
            docker,
            get container() {
                return server!.container;
            },
            volume,
            restart: async () => {
                await server?.stop();
                await startContainer();
            },
            stop,
        };
    } catch (e) {
        await stop();
        throw e;
    }
}

/** The registered reload command, waiting `seconds` instead of 30 for the port to serve the delivered certificate. */
export function withReloadTimeout(command: string, seconds: number): string {
    const shorter = command.replace(/ 30 ([A-Za-z0-9+/=]+); then exit 0; fi/, ` ${seconds} $1; then exit 0; fi`);
    if (shorter === command) throw new Error("the reload command has no 30 s timeout where it is expected");
    return shorter;
}

/** Runs a registered command (`/bin/sh -c`, its stdin) and returns its stdout; a failure throws with its output. */
export async function expectRun(docker: DockerStandIn, command: { command: string; stdin: string }, what: string): Promise<string> {
    const run = await docker.run(command.command, command.stdin);
    if (run.code !== 0) throw new Error(`${what} exited ${run.code}:\n${run.stdout}\n${run.stderr}`);
    return run.stdout;
}

export async function until(condition: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
        await delay(20);
    }
}
