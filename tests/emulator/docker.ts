import * as crypto from "node:crypto";
import { Diagnostics } from "./diagnostics";

type Inputs = Record<string, any>;

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

/**
 * `docker:index/container`: published ports without a host port get a free one, as Docker picks; the
 * provider's own refusals are kept (`wait` without a healthcheck, a port published twice).
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
