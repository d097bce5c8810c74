import { X509Certificate, createPrivateKey } from "node:crypto";
import * as command from "@pulumi/command";
import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { TlsFile, tlsPayload } from "./rotation/files";
import { reloadCommand } from "./rotation/probe";
import { rollbackCommand, writerCommand } from "./rotation/writer";
import { publishedEndpoint, type TlsServiceArgs } from "./service";

/** The TLS side of a service container: its certificate files, how the server re-reads them, how to check. */
export interface ServiceTlsSpec {
    /** The directory the server reads its certificate, key and CA files from; a read-only volume mount. */
    readonly dir: string;
    /** Every file of `dir` (renderer output), secret. */
    readonly files: pulumi.Output<TlsFile[]>;
    /** The server certificate and its key: they must match before anything is delivered. */
    readonly certPem: pulumi.Output<string>;
    readonly privateKeyPem: pulumi.Output<string>;
    /** What the served certificate must verify against (the CA bundle clients get). */
    readonly trustBundlePem: pulumi.Input<string>;
    /** `docker exec` argv that makes the running server read `dir` again. */
    readonly reload: readonly string[];
    /** The container port that serves the certificate, and how a TLS client reaches it. */
    readonly port: number;
    readonly protocol: "tls" | "postgres";
}

export interface ServiceContainerSpec {
    readonly image: string;
    readonly command: pulumi.Input<string[]>;
    readonly envs?: pulumi.Input<pulumi.Input<string>[]>;
    /** Configuration files: uploads, which are ForceNew, so nothing here may change when a certificate does. */
    readonly uploads: pulumi.Input<docker.types.input.ContainerUpload[]>;
    readonly tls: ServiceTlsSpec;
    /** Where the named data volume is mounted; none for a stateless service. */
    readonly dataPath?: string;
    /** Container port → host port (undefined: Docker picks). */
    readonly ports: ReadonlyArray<{ readonly internal: number; readonly external?: number }>;
    /** A shell command that succeeds only when the service answers over verified TLS. */
    readonly healthcheck: string;
    readonly hosts?: docker.types.input.ContainerHost[];
}

/** SHA-256 of a PEM certificate's DER, lower-case hex without colons (what the reload probe prints). */
export function certificateFingerprint(pem: string): string {
    return new X509Certificate(pem).fingerprint256.replace(/:/g, "").toLowerCase();
}

/**
 * The container of a TLS service, with its pinned image, data volume, networks and healthcheck, and its
 * certificate files in a volume of their own, so that a renewed certificate is a reload, not a new
 * container:
 * - `<name>-tls` (docker.Volume) is mounted read-only over `tls.dir`;
 * - `<name>-tls-files` (command.local.Command) writes the first files into it with `docker run` in the
 *   service's image (rotation/writer.ts) before the container first starts;
 * - `<name>-tls-reload` (command.local.Command) writes each generation, runs the server's reload with
 *   `docker exec` and fails `pulumi up` unless the published port serves the delivered certificate, the
 *   volume taken back to the served generation first (rotation/probe.ts reloadCommand).
 * A container replaced later (an image bump) mounts the same volume and starts with the current files.
 * `deleteBeforeReplace` because two servers must never open one data directory, and the name is fixed.
 */
export function serviceContainer(name: string, args: TlsServiceArgs, aliases: string[], spec: ServiceContainerSpec, parent: pulumi.Resource) {
    const prefix = `${pulumi.getProject()}-${pulumi.getStack()}-${name}`;
    const endpoint = publishedEndpoint(args.publishAddress);
    const image = new docker.RemoteImage(`${name}-image`, { name: spec.image, keepLocally: true }, { parent });
    const volume = spec.dataPath ? new docker.Volume(`${name}-data`, { name: `${prefix}-data` }, { parent }) : undefined;
    const tlsVolume = new docker.Volume(`${name}-tls`, { name: `${prefix}-tls` }, { parent });
    const payload = pulumi.all([spec.tls.files, spec.tls.certPem, spec.tls.privateKeyPem]).apply(([files, certPem, keyPem]) => {
        if (!new X509Certificate(certPem).checkPrivateKey(createPrivateKey(keyPem))) {
            throw new pulumi.ResourceError(`the private key does not match the server certificate (sha256 ${certificateFingerprint(certPem)}); nothing was delivered and the server keeps its current certificate. Replace the key or the certificate so that they belong together.`, parent);
        }
        return tlsPayload(files);
    });
    const writer = pulumi.all([tlsVolume.name, image.imageId]).apply(([volumeName, imageId]) => writerCommand(volumeName, imageId));
    // The first files, before the container first starts. Later generations are written by the reload step,
    // which can take them back when the server refuses them; an update here writes nothing.
    const deliver = new command.local.Command(
        `${name}-tls-files`,
        {
            create: writer,
            update: "true",
            stdin: pulumi.secret(payload.stdin),
            // The previous run's output is a generation line, but nothing else belongs in the environment.
            addPreviousOutputInEnv: false,
        },
        { parent },
    );
    const publishNetwork = new docker.Network(`${name}-publish`, { name: `${prefix}-publish`, driver: "bridge", internal: false }, { parent });
    const container = new docker.Container(
        name,
        {
            name: prefix,
            image: image.imageId,
            command: spec.command,
            envs: spec.envs,
            uploads: spec.uploads,
            volumes: [
                ...(volume ? [{ volumeName: volume.name, containerPath: spec.dataPath }] : []),
                { volumeName: tlsVolume.name, containerPath: spec.tls.dir, readOnly: true },
            ],
            networksAdvanced: [{ name: args.network, aliases }, { name: publishNetwork.name }],
            ports: spec.ports.map((p) => ({ internal: p.internal, external: p.external, ip: endpoint.bind, protocol: "tcp" })),
            hosts: spec.hosts,
            healthcheck: { tests: ["CMD-SHELL", spec.healthcheck], interval: "10s", timeout: "5s", retries: 5, startPeriod: "30s" },
            wait: true,
            waitTimeout: 120,
            restart: "unless-stopped",
            mustRun: true,
        },
        { parent, deleteBeforeReplace: true, dependsOn: [deliver] },
    );
    const reload = new command.local.Command(
        `${name}-tls-reload`,
        {
            create: pulumi
                .all([publishedPort(container, spec.tls.port), spec.tls.certPem, payload.generation, spec.tls.trustBundlePem, writer, tlsVolume.name, image.imageId])
                .apply(([port, certPem, generation, trustBundlePem, writerRun, volumeName, imageId]) =>
                    reloadCommand({
                        container: prefix,
                        reload: spec.tls.reload,
                        host: endpoint.host,
                        port,
                        protocol: spec.tls.protocol,
                        serverName: endpoint.serverName,
                        fingerprint: certificateFingerprint(certPem),
                        generation,
                        trustBundlePem,
                        writer: writerRun,
                        rollback: rollbackCommand(volumeName, imageId, generation),
                    }),
                ),
            stdin: pulumi.secret(payload.stdin),
            addPreviousOutputInEnv: false,
        },
        { parent, dependsOn: [deliver, container] },
    );
    return { image, volume, tlsVolume, deliver, publishNetwork, container, reload };
}

/** The host port Docker published `internal` on (chosen by Docker unless given). */
export function publishedPort(container: docker.Container, internal: number): pulumi.Output<number> {
    return container.ports.apply((ports) => {
        const port = (ports ?? []).find((p) => p.internal === internal)?.external;
        if (port === undefined) {
            throw new Error(`container port ${internal} was not published`);
        }
        return port;
    });
}
