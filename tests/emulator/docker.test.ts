import * as pulumi from "@pulumi/pulumi";
import { afterEach, describe, expect, it } from "vitest";
import { DRAGONFLY_IMAGE } from "../../components/dragonfly/config";
import { ProviderEmulator, ProviderError } from ".";
import { DEFAULT_EMULATED_DOCKER_HOST, container, remoteImage, setEmulatedDockerHost } from "./docker";

// A Dragonfly container is created only if Dragonfly would start in it (tests/dragonfly-model).
const TLS = ["--tls", "--tls_cert_file=/etc/dragonfly/tls/server.crt", "--tls_key_file=/etc/dragonfly/tls/server.key"];
const ENVS = ["DFLY_requirepass=pw"];
/** The component's command before it pinned a thread count: 1gb, one thread per CPU. */
const UNPINNED = [...TLS, "--maxmemory=1073741824"];
const PINNED = [...UNPINNED, "--proactor_threads=1"];
const dragonflyImageId = () => remoteImage("cache-image", { name: DRAGONFLY_IMAGE }).imageId as string;
const eightCpus = 'container exited at start (host: 8 CPUs, 16.00GiB): maxmemory 1.00GiB is less than 256MiB for each of 8 threads ' +
    '(one per CPU of 8: no --proactor_threads and no CPU quota); Dragonfly exits with "There are 8 threads, so 2.00GiB are required. Exiting..."';

afterEach(() => {
    setEmulatedDockerHost(DEFAULT_EMULATED_DOCKER_HOST);
});

describe("docker:index/container of Dragonfly's image", () => {
    it("fails at create, with Dragonfly's message, where Dragonfly would exit on the emulated 8-CPU host", () => {
        expect(DEFAULT_EMULATED_DOCKER_HOST.cpus).toBe(8);
        expect(() => container("cache", { image: dragonflyImageId(), command: UNPINNED, envs: ENVS }))
            .toThrow(new ProviderError("docker:index/container:Container", "cache", [eightCpus]));
    });

    it("is created with the thread count pinned", () => {
        expect(container("cache", { image: dragonflyImageId(), command: PINNED, envs: ENVS }).name).toBe("cache");
    });

    it("follows the host a test sets: the unpinned command starts on 4 CPUs", () => {
        setEmulatedDockerHost({ cpus: 4, memoryBytes: 8 * 1024 ** 3 });
        expect(container("cache", { image: dragonflyImageId(), command: UNPINNED, envs: ENVS }).name).toBe("cache");
    });

    it.each([
        ["a CPU quota (`cpus`)", { cpus: "2" }],
        ["a CFS quota (`cpuQuota`/`cpuPeriod`)", { cpuQuota: 150_000, cpuPeriod: 100_000 }],
        ["a cpuset (`cpuSet`)", { cpuSet: "0-1" }],
    ])("counts the CPUs the container may use: %s of 2 CPUs leaves 512MiB enough", (_title, limits) => {
        expect(container("cache", { image: dragonflyImageId(), command: UNPINNED, envs: ENVS, ...limits }).name).toBe("cache");
    });

    it("knows the image by its reference too, and reads `dragonfly` commands as the entrypoint does", () => {
        expect(() => container("c", { image: DRAGONFLY_IMAGE, command: ["dragonfly", ...UNPINNED], envs: ENVS })).toThrow(/There are 8 threads/);
        expect(() => container("c", { image: "dragonflydb/dragonfly@sha256:0", command: UNPINNED, envs: [] }))
            .toThrow(/TLS configured but no authentication method is used!.*There are 8 threads/s);
    });

    it("judges only Dragonfly: another image with the same command is created", () => {
        const other = remoteImage("redis-image", { name: "redis:7.2" }).imageId as string;
        expect(container("other", { image: other, command: UNPINNED, envs: ENVS }).name).toBe("other");
    });

    it("is not judged in a preview, which starts no container and may not know its command or env yet", async () => {
        await pulumi.runtime.setMocks(new ProviderEmulator(), "p", "s", true);
        try {
            expect(container("cache", { image: dragonflyImageId(), command: UNPINNED }).name).toBe("cache");
        } finally {
            await pulumi.runtime.setMocks(new ProviderEmulator(), "p", "s", false);
        }
        expect(() => container("cache", { image: dragonflyImageId(), command: UNPINNED })).toThrow(/There are 8 threads/);
    });

    it("records the refusal as a failed create, as the engine would report it", async () => {
        const emulator = new ProviderEmulator();
        const image = await emulator.newResource({ type: "docker:index/remoteImage:RemoteImage", name: "cache-image", inputs: { name: DRAGONFLY_IMAGE }, custom: true });
        await expect(emulator.newResource({
            type: "docker:index/container:Container", name: "cache", inputs: { image: image.state.imageId, command: UNPINNED, envs: ENVS }, custom: true,
        })).rejects.toThrow(/There are 8 threads, so 2\.00GiB are required/);
        expect(emulator.failures.map((f) => f.name)).toEqual(["cache"]);
    });
});
