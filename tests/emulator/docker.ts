import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { type DragonflyHost, dragonflyCommandFlags, dragonflyStartupFailures, humanReadableNumBytes } from "../dragonfly-model";
import { Diagnostics } from "./diagnostics";

type Inputs = Record<string, any>;

/** The machine the emulated Docker daemon runs containers on. */
export interface EmulatedDockerHost {
    readonly cpus: number;
    readonly memoryBytes: number;
    /** @default - 2 */
    readonly cgroupVersion?: 1 | 2;
}

/** A developer's laptop: enough CPUs that a Dragonfly left to pick its own thread count needs 2GiB. */
export const DEFAULT_EMULATED_DOCKER_HOST: EmulatedDockerHost = { cpus: 8, memoryBytes: 16 * 1024 ** 3 };

let dockerHost = DEFAULT_EMULATED_DOCKER_HOST;

/**
 * Sets the host of the containers created from now on in this process (vitest runs each test file in a
 * process of its own); returns the previous one, for a test to put back.
 */
export function setEmulatedDockerHost(host: EmulatedDockerHost): EmulatedDockerHost {
    const previous = dockerHost;
    dockerHost = host;
    return previous;
}

/** Image references by the id `remoteImage` handed out, as the daemon knows which image an id is. */
const imageNames = new Map<string, string>();

/** Host ports handed out so far, so that two containers never get the same one (as Docker ensures). */
const taken = new Set<number>();

function freePort(): number {
    for (;;) {
        const port = 32768 + crypto.randomInt(60999 - 32768); // Linux's default ephemeral range
        if (!taken.has(port)) {
            taken.add(port);
            return port;
        }
    }
}

const sha256 = (text: string) => crypto.createHash("sha256").update(text).digest("hex");

/** `docker:index/remoteImage`: a content-addressed id for the pinned reference. */
export function remoteImage(name: string, inputs: Inputs): Record<string, unknown> {
    const d = new Diagnostics();
    d.required(inputs, "name");
    d.throwIfAny("docker:index/remoteImage:RemoteImage", name);
    const digest = sha256(inputs.name);
    imageNames.set(`sha256:${digest}`, inputs.name);
    return { ...inputs, id: `sha256:${digest}${inputs.name}`, imageId: `sha256:${digest}`, repoDigest: `${inputs.name.split(":")[0]}@sha256:${digest}` };
}

export function volume(name: string, inputs: Inputs): Record<string, unknown> {
    const volumeName = inputs.name ?? `${name}-${crypto.randomBytes(4).toString("hex")}`;
    return { ...inputs, id: volumeName, name: volumeName, driver: inputs.driver ?? "local", mountpoint: `/var/lib/docker/volumes/${volumeName}/_data` };
}

export function network(name: string, inputs: Inputs): Record<string, unknown> {
    const networkName = inputs.name ?? `${name}-${crypto.randomBytes(4).toString("hex")}`;
    return { ...inputs, id: sha256(networkName).slice(0, 12), name: networkName, driver: inputs.driver ?? "bridge", internal: inputs.internal ?? false };
}

/** `dragonflydb/dragonfly` under any registry, tag or digest. */
function isDragonflyImage(reference: string): boolean {
    const repository = reference.split("@")[0]!.replace(/:[^/]*$/, "");
    return /(^|\/)dragonflydb\/dragonfly$/.test(repository);
}

/** The host as a container sees it: a cpuset narrows the CPUs, `cpus` or a CFS quota sets a quota, `memory` (MB) a limit. */
function containerView(inputs: Inputs): DragonflyHost {
    const cpuSet = typeof inputs.cpuSet === "string" && inputs.cpuSet !== ""
        ? inputs.cpuSet.split(",").reduce((n: number, part: string) => {
            const [from, to] = part.split("-").map(Number);
            return n + (to === undefined ? 1 : to! - from! + 1);
        }, 0)
        : undefined;
    const quota = inputs.cpus !== undefined ? Number(inputs.cpus)
        : inputs.cpuQuota > 0 ? inputs.cpuQuota / (inputs.cpuPeriod ?? 100_000) : undefined;
    return {
        cpus: cpuSet ?? dockerHost.cpus,
        cpuLimit: quota,
        cgroupVersion: dockerHost.cgroupVersion,
        memoryBytes: inputs.memory > 0 ? Math.min(inputs.memory * 1024 ** 2, dockerHost.memoryBytes) : dockerHost.memoryBytes,
    };
}

/**
 * `docker:index/container`: published ports without a host port get a free one, as Docker picks; the
 * provider's own refusals are kept (`wait` without a healthcheck, a port published twice). A container
 * of Dragonfly's image whose command Dragonfly would exit on, on the emulated host, fails to create with
 * Dragonfly's own message (tests/dragonfly-model): the real one would crash-loop until `wait` gives up.
 */
export function container(name: string, inputs: Inputs): Record<string, unknown> {
    const d = new Diagnostics();
    d.required(inputs, "image");
    if (inputs.wait === true && !inputs.healthcheck) {
        d.add("container has no healthcheck: `wait` needs one to tell when the container is healthy");
    }
    const hostPorts = (inputs.ports ?? []).map((p: Inputs) => p.external).filter((p: unknown) => p !== undefined);
    if (new Set(hostPorts).size !== hostPorts.length) {
        d.add(`host port published twice: ${JSON.stringify(hostPorts)}`);
    }
    // Only `pulumi up` starts the container; in a preview its command or env may not be known yet.
    const flags = isDragonflyImage(imageNames.get(inputs.image) ?? String(inputs.image)) && !pulumi.runtime.isDryRun()
        ? dragonflyCommandFlags(inputs.command)
        : undefined;
    if (flags !== undefined) {
        const view = containerView(inputs);
        for (const failure of dragonflyStartupFailures(flags, inputs.envs ?? [], view)) {
            d.add(`container exited at start (host: ${view.cpus} CPUs, ${humanReadableNumBytes(view.memoryBytes!)}): ${failure}`);
        }
    }
    d.throwIfAny("docker:index/container:Container", name);
    const containerName = inputs.name ?? name;
    return {
        ...inputs,
        id: sha256(containerName),
        name: containerName,
        ports: (inputs.ports ?? []).map((p: Inputs) => ({ ip: "0.0.0.0", protocol: "tcp", ...p, external: p.external ?? freePort() })),
        restart: inputs.restart ?? "no",
        exitCode: null,
    };
}
