import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ConnectionDocument, redisConnection } from "../connection/document";
import { mutualTlsDefaults } from "../shared/mutualTls";
import { partitionUploads } from "../shared/rotation/files";
import { CLIENT_CA_PLACEHOLDER, TlsServiceArgs, checkServiceArgs, serviceCertificate, serviceConnections, trustBundleOf } from "../shared/service";
import { publishedPort, serviceContainer } from "../shared/serviceContainer";
import {
    DEFAULT_DRAGONFLY_PORT,
    DEFAULT_DRAGONFLY_PROACTOR_THREADS,
    DRAGONFLY_DATA_DIR,
    DRAGONFLY_IMAGE,
    DRAGONFLY_TLS_DIR,
    dragonflyArgs,
    dragonflyEnvs,
    dragonflyHealthcheck,
    dragonflyReload,
    dragonflyUploads,
    DragonflyConfigInput,
    validateDragonflyInput,
} from "./config";

export const DEFAULT_DRAGONFLY_MAX_MEMORY = "1gb";
export const DRAGONFLY_PASSWORD_LENGTH = 32;

export interface DragonflyCacheArgs extends TlsServiceArgs {
    /**
     * Dragonfly's memory limit (`--maxmemory`), 1024-based units: at least 256mb per thread
     * (`proactorThreads`), or Dragonfly exits at start.
     * @default - `1gb`
     */
    readonly maxMemory?: string;
    /**
     * Dragonfly's threads (`--proactor_threads`), each a shard needing 256mb of `maxMemory`. Always
     * passed: left to itself Dragonfly starts one thread per host CPU, and then exits at start on any
     * machine with more CPUs than `maxMemory` has 256mb slices.
     * @default - 1
     */
    readonly proactorThreads?: number;
    /**
     * Snapshot schedule into the data volume, 5-field cron.
     * @default - every 15 minutes
     */
    readonly snapshotCron?: string;
    /**
     * Admin port (also TLS and password protected).
     * @default - off
     */
    readonly adminPort?: number;
}

/**
 * A TLS-only Dragonfly (Redis-compatible) cache container: TLS 1.2+ (Dragonfly's fixed minimum), a
 * generated password, client certificates demanded when `mutualTls` is on, data in a named volume
 * that survives the container being replaced for a new certificate.
 */
export class DragonflyCache extends pulumi.ComponentResource {
    /** How a client on this machine connects (published port on 127.0.0.1), as a secret document. */
    public readonly connection: pulumi.Output<ConnectionDocument>;
    /** How a container on the private network connects (alias and container port), as a secret document. */
    public readonly internalConnection: pulumi.Output<ConnectionDocument>;
    /** The generated password (secret). */
    public readonly password: pulumi.Output<string>;
    /** When the server certificate expires. */
    public readonly certificateValidityEndTime: pulumi.Output<string>;
    public readonly containerName: pulumi.Output<string>;

    constructor(name: string, args: DragonflyCacheArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tls-platform:index:DragonflyCache", name, {}, opts);
        args = args ?? ({} as DragonflyCacheArgs);

        const input: DragonflyConfigInput = {
            maxMemory: args.maxMemory ?? DEFAULT_DRAGONFLY_MAX_MEMORY,
            proactorThreads: args.proactorThreads ?? DEFAULT_DRAGONFLY_PROACTOR_THREADS,
            snapshotCron: args.snapshotCron,
            adminPort: args.adminPort,
            ...(args.mutualTls ? { clientCaCertPem: CLIENT_CA_PLACEHOLDER } : {}),
        };
        checkServiceArgs("DragonflyCache", name, args, { defaultImage: DRAGONFLY_IMAGE, hostPorts: { hostPort: args.hostPort }, problems: validateDragonflyInput(input), alsoClient: args.mutualTls === true });
        args = mutualTlsDefaults(name, args, this, `DragonflyCache "${name}"`);

        const aliases = args.aliases ?? [name];
        const port = DEFAULT_DRAGONFLY_PORT;
        const cert = serviceCertificate(name, args, aliases, this, args.mutualTls === true);
        const password = new random.RandomPassword(`${name}-password`, { length: DRAGONFLY_PASSWORD_LENGTH, special: false }, { parent: this });
        const clientCa = args.mutualTls ? pulumi.output(args.clientCaCertPem!) : pulumi.output(undefined);
        const trustBundle = trustBundleOf(args.ca, cert.caCertPem);
        // The flags depend on whether a client CA is set, not on any certificate's content.
        const configured: DragonflyConfigInput = { ...input, clientCaCertPem: args.mutualTls ? CLIENT_CA_PLACEHOLDER : undefined };
        const tlsFiles = pulumi.all([cert.certPem, cert.privateKeyPem, trustBundle, clientCa]).apply(([certPem, keyPem, issuerPem, clientCaPem]) =>
            partitionUploads(dragonflyUploads({ ...input, clientCaCertPem: clientCaPem }, certPem, keyPem, issuerPem), DRAGONFLY_TLS_DIR).tls,
        );
        const { container } = serviceContainer(
            name,
            args,
            aliases,
            {
                image: args.image ?? DRAGONFLY_IMAGE,
                command: dragonflyArgs(configured),
                envs: pulumi.secret(password.result.apply((p) => dragonflyEnvs(p))),
                uploads: [],
                tls: {
                    dir: DRAGONFLY_TLS_DIR,
                    files: pulumi.secret(tlsFiles),
                    certPem: cert.certPem,
                    privateKeyPem: cert.privateKeyPem,
                    trustBundlePem: trustBundle,
                    reload: dragonflyReload(configured),
                    port,
                    protocol: "tls",
                },
                dataPath: DRAGONFLY_DATA_DIR,
                ports: [{ internal: port, external: args.hostPort }],
                // Depends only on whether a client CA is set, which is known now.
                healthcheck: dragonflyHealthcheck(input),
            },
            this,
        );
        const connections = serviceConnections(
            args,
            aliases,
            { published: publishedPort(container, port), internal: port },
            trustBundle,
            password.result.apply((p) => ({ password: p })),
            redisConnection,
        );
        this.connection = connections.connection;
        this.internalConnection = connections.internalConnection;
        this.password = pulumi.secret(password.result);
        this.certificateValidityEndTime = cert.validityEndTime;
        this.containerName = container.name;
        this.registerOutputs({ connection: this.connection, internalConnection: this.internalConnection, password: this.password, certificateValidityEndTime: this.certificateValidityEndTime });
    }
}
