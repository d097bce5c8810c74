import * as crypto from "node:crypto";
import * as net from "node:net";
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
 * Images whose Dockerfile declares a HEALTHCHECK: a container of one has a health state without a
 * `healthcheck` of its own, so `wait` works. Official `nginx` and `postgres` images declare none
 * (docker-library), so they are not listed.
 */
export const IMAGE_HEALTHCHECKS: ReadonlyArray<{ readonly repository: RegExp; readonly healthcheck: string; readonly source: string }> = [
    {
        repository: /(^|\/)dragonflydb\/dragonfly$/,
        healthcheck: "/usr/local/bin/healthcheck.sh",
        source: "dragonflydb/dragonfly tools/packaging/Dockerfile.ubuntu-prod@0081f4d (HEALTHCHECK CMD /usr/local/bin/healthcheck.sh)",
    },
];

/** The image reference behind an image id this emulated daemon handed out (or the reference itself). */
export function imageReference(image: unknown): string | undefined {
    return typeof image === "string" ? (imageNames.get(image) ?? (image.startsWith("sha256:") ? undefined : image)) : undefined;
}

/** The image (an id this daemon handed out, or a reference) declares its own HEALTHCHECK. */
export function imageHasHealthcheck(image: unknown): boolean {
    const reference = imageReference(image);
    if (reference === undefined) return false;
    const repository = reference.split("@")[0]!.replace(/:[^/]*$/, "");
    return IMAGE_HEALTHCHECKS.some((h) => h.repository.test(repository));
}

/** Go's time.ParseDuration syntax: "0", or signed decimal numbers each with a unit (ns, us, µs, ms, s, m, h). */
const GO_DURATION = /^[-+]?(0|((\d+(\.\d*)?|\.\d+)(ns|us|µs|μs|ms|s|m|h))+)$/;

/** kreuzwerker validators.go `validateStringMatchesPattern`'s message. */
function pattern(d: Diagnostics, value: unknown, regex: string, property: string): void {
    if (typeof value === "string" && !new RegExp(regex).test(value)) {
        d.add(`'${value}' doesn't match the pattern '${regex}'`, property);
    }
}

/** kreuzwerker validators.go `validateIntegerGeqThan`'s message. */
function atLeast(d: Diagnostics, value: unknown, min: number, property: string): void {
    if (typeof value === "number" && value < min) {
        d.add(`'${value}' cannot be lower than ${min}`, property);
    }
}

/** kreuzwerker validators.go `validateDurationGeq0`. */
function duration(d: Diagnostics, value: unknown, property: string): void {
    if (typeof value !== "string") return;
    if (!GO_DURATION.test(value)) {
        d.add(`'${value}' is not a valid duration`, property);
    } else if (value.startsWith("-") && /[1-9]/.test(value)) {
        d.add(`'${value}' duration must not be negative`, property);
    }
}

/**
 * Plan-time checks of `docker:index/container` (kreuzwerker resource_docker_container.go
 * `resourceDockerContainer`, ValidateDiagFunc of each field; validators.go): restart policy, cpu_set,
 * memory limits, mount types and volume paths, every upload's permissions and base64 content, the
 * healthcheck's durations and retries.
 */
export function checkContainer(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "image");
    pattern(d, inputs.restart, "^(no|on-failure|always|unless-stopped)$", "restart");
    pattern(d, inputs.cpuSet, "^\\d+([,-]\\d+)*$", "cpuSet");
    atLeast(d, inputs.memory, 0, "memory");
    atLeast(d, inputs.memoryReservation, 0, "memoryReservation");
    atLeast(d, inputs.memorySwap, -1, "memorySwap");
    atLeast(d, inputs.shmSize, 0, "shmSize");
    atLeast(d, inputs.cpuShares, 0, "cpuShares");
    (inputs.mounts ?? []).forEach((m: Inputs, i: number) => pattern(d, m?.type, "^(bind|volume|tmpfs)$", `mounts[${i}].type`));
    (inputs.volumes ?? []).forEach((v: Inputs, i: number) => {
        if (typeof v?.containerPath === "string" && !/^[a-zA-Z]:[\\/]|^\//.test(v.containerPath)) {
            d.add(`'${v.containerPath}' must be an absolute path`, `volumes[${i}].containerPath`);
        }
    });
    (inputs.uploads ?? []).forEach((u: Inputs, i: number) => {
        if (u?.file === undefined) {
            d.add(`Missing required argument: The argument "upload.${i}.file" is required, but no definition was found.`, `uploads[${i}].file`);
        }
        pattern(d, u?.permissions, "^0[0-7]{3}$", `uploads[${i}].permissions`);
        if (typeof u?.contentBase64 === "string" && !isStdBase64(u.contentBase64)) {
            d.add(`'${u.contentBase64}' is not base64 decodeable`, `uploads[${i}].contentBase64`);
        }
    });
    const health = inputs.healthcheck;
    if (health) {
        for (const field of ["interval", "timeout", "startPeriod", "startInterval"]) duration(d, health[field], `healthcheck.${field}`);
        atLeast(d, health.retries, 0, "healthcheck.retries");
    }
}

/** Go's base64.StdEncoding.DecodeString: padded standard alphabet only. */
function isStdBase64(text: string): boolean {
    return text.length % 4 === 0 && /^[A-Za-z0-9+/]*={0,2}$/.test(text);
}

/**
 * `docker:index/container`: published ports without a host port get a free one, as Docker picks. Its
 * create-time refusals: an upload with no content source or more than one
 * (resource_docker_container_funcs.go `resourceDockerContainerCreate`); a port binding whose `ip` is not
 * an IP address (the Docker daemon's); a host port published twice; `wait` on a container that has no
 * health state, i.e. neither a `healthcheck` nor an image HEALTHCHECK (IMAGE_HEALTHCHECKS), or a test
 * of `NONE` (the provider's wait loop). A container of Dragonfly's image whose command Dragonfly would
 * exit on, on the emulated host, fails to create with Dragonfly's own message (tests/dragonfly-model):
 * the real one would crash-loop until `wait` gives up.
 */
export function container(name: string, inputs: Inputs): Record<string, unknown> {
    const d = new Diagnostics();
    checkContainer(inputs, d);
    (inputs.uploads ?? []).forEach((u: Inputs) => {
        const sources = ["content", "contentBase64", "source"].filter((k) => typeof u?.[k] === "string" && u[k] !== "").length;
        if (sources === 0) d.add("error with upload content: one of 'content', 'content_base64', or 'source' must be set", "uploads");
        if (sources > 1) d.add("error with upload content: only one of 'content', 'content_base64', or 'source' can be set", "uploads");
    });
    (inputs.ports ?? []).forEach((p: Inputs, i: number) => {
        if (typeof p?.ip === "string" && p.ip !== "" && net.isIP(p.ip) === 0) {
            d.add(`Error response from daemon: invalid IP address in port binding: ${JSON.stringify(p.ip)}`, `ports[${i}].ip`);
        }
    });
    const tests: unknown = inputs.healthcheck?.tests;
    const ownHealthcheck = Array.isArray(tests) && tests.length > 0 && tests[0] !== "NONE";
    const disabled = Array.isArray(tests) && tests[0] === "NONE";
    if (inputs.wait === true && !ownHealthcheck && (disabled || !imageHasHealthcheck(inputs.image))) {
        d.add("you have supplied a 'wait' argument, but the container does not have a healthcheck defined. Please remove the 'wait' argument or add a 'healthcheck' attribute", "wait");
    }
    const hostPorts = (inputs.ports ?? []).map((p: Inputs) => p.external).filter((p: unknown) => p !== undefined);
    if (new Set(hostPorts).size !== hostPorts.length) {
        d.add(`host port published twice: ${JSON.stringify(hostPorts)}`, "ports");
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
