import { describe, expect, it } from "vitest";
import { CACHE_CONTAINER, DRAGONFLY_IMAGE_ID, DRAGONFLY_REMOTE_IMAGE, PROXY_CONTAINER, changed } from "./fixtures";
import { TestResource, UNKNOWN_STRING, stackPolicy, stackResources, urnOf, validateStack } from "./harness";
import { isLoopback, repositoryName } from "../../policy/rules/docker";

const CONTAINER = "docker:index/container:Container";
const policy = stackPolicy("docker-data-services-loopback-only");
const clean = { violations: [], urns: [], notApplicable: false, unknownReads: [] };

/** The cache container with changed props, and the RemoteImage it runs (by value, as after an update). */
const cacheStack = (changes: Record<string, unknown> = {}): TestResource[] => [DRAGONFLY_REMOTE_IMAGE, { type: CONTAINER, name: "cache", props: changed(CACHE_CONTAINER, changes) }];
/** A container of a literal image reference, with no RemoteImage. */
const containerOf = (image: string, ports: unknown[], extra: Record<string, unknown> = {}): TestResource[] => [{ type: CONTAINER, name: "svc", props: { image, name: "svc", ports, ...extra } }];
const dragonfly = "a cache image (`docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1`)";

describe("docker-data-services-loopback-only (mandatory, stack)", () => {
    it.each([
        ["the project's cache on 127.0.0.1", cacheStack()],
        ["another loopback address", cacheStack({ ports: [{ external: 6380, internal: 6379, ip: "127.0.0.53", protocol: "tcp" }] })],
        ["IPv6 loopback", containerOf("postgres:17.9-bookworm", [{ internal: 5432, external: 5433, ip: "::1" }])],
        ["a container that publishes nothing", cacheStack({ ports: [] })],
        ["an nginx proxy on every address (not a data service)", [{ type: CONTAINER, name: "proxy", props: PROXY_CONTAINER }]],
        [
            "a preview, where the image id is unknown and the dependency names the RemoteImage",
            [changedImage(DRAGONFLY_REMOTE_IMAGE, { imageId: UNKNOWN_STRING, repoDigest: UNKNOWN_STRING }), { type: CONTAINER, name: "cache", props: changed(CACHE_CONTAINER, { image: UNKNOWN_STRING }), propertyDependencies: { image: ["cache-image"] } }],
        ],
    ])("passes %s", async (_title, resources) => {
        expect(await validateStack(policy, stackResources(resources))).toEqual(clean);
    });

    it.each([
        [
            "the cache on every address (no ip)",
            cacheStack({ ports: [{ external: 6380, internal: 6379, protocol: "tcp" }] }),
            [`\`ports[0]\`: container port 6379 is published on every host address (no \`ip\`, which Docker takes as 0.0.0.0); ${dragonfly} may be published on loopback only. Set \`ip: "127.0.0.1"\`.`],
        ],
        [
            "the cache on 0.0.0.0, found through the dependency during preview",
            [
                changedImage(DRAGONFLY_REMOTE_IMAGE, { imageId: UNKNOWN_STRING, repoDigest: UNKNOWN_STRING }),
                { type: CONTAINER, name: "cache", props: changed(CACHE_CONTAINER, { image: UNKNOWN_STRING, ports: [{ external: 6380, internal: 6379, ip: "0.0.0.0" }] }), propertyDependencies: { image: ["cache-image"] } },
            ],
            [`\`ports[0]\`: container port 6379 is published on \`0.0.0.0\`, not a loopback address; ${dragonfly} may be published on loopback only (127.0.0.0/8 or ::1). Set \`ip: "127.0.0.1"\`.`],
        ],
        [
            "PostgreSQL on a LAN address and on IPv6 any, from a literal image",
            containerOf("postgres:17.9-bookworm", [
                { internal: 5432, external: 5433, ip: "192.168.1.20" },
                { internal: 5432, external: 5434, ip: "::" },
            ]),
            [
                '`ports[0]`: container port 5432 is published on `192.168.1.20`, not a loopback address; a database image (`postgres:17.9-bookworm`) may be published on loopback only (127.0.0.0/8 or ::1). Set `ip: "127.0.0.1"`.',
                '`ports[1]`: container port 5432 is published on `::`, not a loopback address; a database image (`postgres:17.9-bookworm`) may be published on loopback only (127.0.0.0/8 or ::1). Set `ip: "127.0.0.1"`.',
            ],
        ],
        [
            "Redis on the host network",
            containerOf("redis:7.4", [], { networkMode: "host" }),
            ['`networkMode` is `host`: every port of a cache image (`redis:7.4`) listens on all of the host\'s addresses. Use a bridge network and publish the port with `ip: "127.0.0.1"`.'],
        ],
        [
            "Valkey from another registry, pinned by digest",
            containerOf("ghcr.io/acme/mirror/valkey:8.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", [{ internal: 6379, ip: "10.0.0.5" }]),
            [
                '`ports[0]`: container port 6379 is published on `10.0.0.5`, not a loopback address; a cache image (`ghcr.io/acme/mirror/valkey:8.0@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef`) may be published on loopback only (127.0.0.0/8 or ::1). Set `ip: "127.0.0.1"`.',
            ],
        ],
    ])("reports %s, against the container", async (_title, resources, messages) => {
        const outcome = await validateStack(policy, stackResources(resources));
        const container = resources.find((r) => r.type === CONTAINER)!;
        expect(outcome).toEqual({ violations: messages, urns: messages.map(() => urnOf(container)), notApplicable: false, unknownReads: [] });
    });

    it("cannot tell the image of a container whose image id matches no RemoteImage, and leaves it alone", async () => {
        const resources = containerOf(DRAGONFLY_IMAGE_ID, [{ internal: 6379 }]);
        expect(await validateStack(policy, stackResources(resources))).toEqual(clean);
    });

    it("is not applicable to a stack without containers", async () => {
        expect((await validateStack(policy, stackResources([DRAGONFLY_REMOTE_IMAGE]))).notApplicable).toBe(true);
    });
});

describe("how the rule reads images and addresses", () => {
    it.each([
        ["docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1", "dragonfly"],
        ["postgres:17.9-bookworm", "postgres"],
        ["bitnami/postgresql", "postgresql"],
        ["localhost:5000/redis", "redis"],
        ["Valkey/Valkey:8@sha256:abc", "valkey"],
        ["nginx:1.30.0", "nginx"],
    ])("repository of %s is %s", (reference, name) => {
        expect(repositoryName(reference)).toBe(name);
    });

    it.each([
        ["127.0.0.1", true],
        ["127.255.0.9", true],
        ["::1", true],
        ["0:0:0:0:0:0:0:1", true],
        ["0.0.0.0", false],
        ["::", false],
        ["128.0.0.1", false],
        ["localhost", false],
    ])("%s is loopback: %s", (ip, loopback) => {
        expect(isLoopback(ip)).toBe(loopback);
    });
});

function changedImage(image: TestResource, changes: Record<string, unknown>): TestResource {
    return { ...image, props: changed(image.props, changes) };
}
