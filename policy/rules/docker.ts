import * as net from "node:net";
import * as docker from "@pulumi/docker";
import { PolicyResource, StackValidationPolicy } from "@pulumi/policy";
import { UNKNOWN, read, referencedResources, show } from "../values";

/**
 * Images recognised as a cache or a database, by the last path segment of the repository (so
 * `docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1`, `bitnami/redis` and `postgres:17.9` all
 * count): the servers this project runs, the Redis-protocol ones it stands for, and the common
 * PostgreSQL distributions.
 */
export const DATA_SERVICE_IMAGES: Readonly<Record<string, "cache" | "database">> = {
    dragonfly: "cache",
    redis: "cache",
    "redis-stack": "cache",
    "redis-stack-server": "cache",
    valkey: "cache",
    postgres: "database",
    postgresql: "database",
    postgis: "database",
    timescaledb: "database",
};

const LOOPBACK = new net.BlockList();
LOOPBACK.addSubnet("127.0.0.0", 8, "ipv4");
LOOPBACK.addAddress("::1", "ipv6");

/** True for 127.0.0.0/8 and ::1, the only addresses nothing off this host can reach. */
export function isLoopback(ip: string): boolean {
    const family = net.isIP(ip);
    return family !== 0 && LOOPBACK.check(ip, family === 4 ? "ipv4" : "ipv6");
}

/** An image id (`sha256:…`, as `RemoteImage.imageId` gives) names no repository. */
const isImageId = (image: string) => /^(sha256:)?[0-9a-f]{12,64}$/.test(image);

/** `registry:5000/org/name:tag@sha256:…` → `name`. */
export function repositoryName(reference: string): string {
    const withoutDigest = reference.split("@")[0]!;
    const lastSegment = withoutDigest.slice(withoutDigest.lastIndexOf("/") + 1);
    return lastSegment.split(":")[0]!.toLowerCase();
}

/**
 * The image reference a container runs: its `image` when that is a reference, else the `name` of
 * the `RemoteImage` its `image` comes from (the usual `image: remoteImage.imageId`, unknown during
 * preview, then a bare `sha256:` id). Undefined when neither tells.
 */
export function containerImage(container: PolicyResource, resources: readonly PolicyResource[]): string | undefined {
    const image = read(() => container.props.image as string | undefined);
    if (typeof image === "string" && !isImageId(image)) {
        return image;
    }
    for (const remote of referencedResources(container, "image", docker.RemoteImage, resources, ["imageId", "repoDigest", "id"])) {
        const name = read(() => remote.props.name as string | undefined);
        if (typeof name === "string") {
            return name;
        }
    }
    return undefined;
}

/** `cache` or `database` for a container whose image is one of DATA_SERVICE_IMAGES, with that image. */
export function dataService(container: PolicyResource, resources: readonly PolicyResource[]): { kind: "cache" | "database"; image: string } | undefined {
    const image = containerImage(container, resources);
    const kind = image === undefined ? undefined : DATA_SERVICE_IMAGES[repositoryName(image)];
    return kind === undefined || image === undefined ? undefined : { kind, image };
}

/** Messages for each way a data container is reachable from beyond the host. */
function exposures(container: PolicyResource, service: { kind: string; image: string }): string[] {
    const what = `a ${service.kind} image (\`${service.image}\`)`;
    const problems: string[] = [];
    if (read(() => container.props.networkMode) === "host") {
        problems.push(
            `\`networkMode\` is \`host\`: every port of ${what} listens on all of the host's addresses. Use a bridge network and publish the port with \`ip: "127.0.0.1"\`.`,
        );
    }
    const ports = read(() => (container.props.ports ?? []) as Array<{ internal: number; ip?: string }>);
    if (ports === UNKNOWN) {
        return problems;
    }
    for (let i = 0; i < ports.length; i++) {
        const ip = read(() => ports[i]!.ip);
        const internal = read(() => ports[i]!.internal);
        const port = internal === UNKNOWN ? "a container port" : `container port ${internal}`;
        if (ip === undefined || ip === "") {
            problems.push(
                `\`ports[${i}]\`: ${port} is published on every host address (no \`ip\`, which Docker takes as 0.0.0.0); ${what} may be published on loopback only. Set \`ip: "127.0.0.1"\`.`,
            );
        } else if (ip !== UNKNOWN && !isLoopback(ip)) {
            problems.push(
                `\`ports[${i}]\`: ${port} is published on ${show(ip)}, not a loopback address; ${what} may be published on loopback only (127.0.0.0/8 or ::1). Set \`ip: "127.0.0.1"\`.`,
            );
        }
    }
    return problems;
}

/**
 * A stack policy, not a resource policy: a container usually runs `image: remoteImage.imageId`, so
 * its own inputs carry only an image id (unknown during preview); the repository name is on the
 * RemoteImage it depends on, which only a stack policy can see.
 */
export const dockerDataServicesOnLoopback: StackValidationPolicy = {
    name: "docker-data-services-loopback-only",
    description:
        "Docker containers of cache and database images (dragonfly, redis, valkey, postgres, by repository name) publish ports on 127.0.0.0/8 or ::1 only, and never use the host network.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const containers = args.resources.filter((r) => r.isType(docker.Container));
        if (containers.length === 0) {
            args.notApplicable("The stack has no Docker container");
        }
        for (const container of containers) {
            const service = dataService(container, args.resources);
            if (service !== undefined) {
                for (const message of exposures(container, service)) {
                    reportViolation(message, container.urn);
                }
            }
        }
    },
};

export const dockerPolicies = [dockerDataServicesOnLoopback];
