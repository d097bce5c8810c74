import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ConnectionDocument, postgresConnection } from "../connection/document";
import type { KeyArgs } from "../pki/keys";
import { mutualTlsDefaults } from "../shared/mutualTls";
import { PEM_PLACEHOLDERS } from "../shared/rotation/placeholders";
import { partitionUploads } from "../shared/rotation/files";
import { CLIENT_CA_PLACEHOLDER, TlsServiceArgs, checkServiceArgs, serviceCertificate, serviceConnections, trustBundleOf } from "../shared/service";
import { publishedPort, serviceContainer } from "../shared/serviceContainer";
import {
    DEFAULT_POSTGRES_PORT,
    POSTGRES_DATA_DIR,
    POSTGRES_RELOAD,
    POSTGRES_TLS_DIR,
    PostgresConfigInput,
    PostgresTlsVersion,
    postgresCommand,
    postgresEnvs,
    postgresHealthcheck,
    postgresUploads,
    validatePostgresInput,
} from "./config";

/** The official image, pinned (docker-library/postgres versions.json). */
export const POSTGRES_IMAGE = "postgres:17.9-bookworm";
export const DEFAULT_POSTGRES_USER = "app";
export const DEFAULT_POSTGRES_DATABASE = "app";
export const POSTGRES_PASSWORD_LENGTH = 32;

/** `PostgresDatabase`'s arguments as every language passes them: choices are strings, checked at construction. */
export interface PostgresDatabaseInputs extends TlsServiceArgs {
    /**
     * The application's role, created on first start. Under mutual TLS its client certificate's
     * common name must equal it (`clientcert=verify-full`): a `clientCertificate` with another common
     * name is refused, and the one issued by default carries it.
     * @default - `app`
     */
    readonly user?: string;
    /**
     * The application's database, owned by `user`.
     * @default - `app`
     */
    readonly database?: string;
    /**
     * The lowest TLS version accepted.
     * @default - `TLSv1.2`
     */
    readonly minTlsVersion?: string;
}

/** `PostgresDatabase`'s arguments in TypeScript: the choices as literal unions, so a typo does not compile. */
export interface PostgresDatabaseArgs extends PostgresDatabaseInputs {
    /**
     * The lowest TLS version accepted: `TLSv1.2` or `TLSv1.3`.
     * @default - `TLSv1.2`
     */
    readonly minTlsVersion?: PostgresTlsVersion;
    /**
     * The server certificate's key.
     * @default - ECDSA P-256
     */
    readonly certificateKey?: KeyArgs;
}

/**
 * A TLS-only PostgreSQL container: every TCP connection must be TLS (`hostssl`, plaintext rejected),
 * SCRAM passwords generated for the superuser and the application role, client certificates whose
 * CN matches the user when `mutualTls` is on, data in a named volume that survives the container
 * being replaced for a new certificate.
 */
export class PostgresDatabase extends pulumi.ComponentResource {
    /** How a client on this machine connects, as a secret document (`postgres://…?sslmode=verify-full`). */
    public readonly connection: pulumi.Output<ConnectionDocument>;
    /** How a container on the private network connects, as a secret document. */
    public readonly internalConnection: pulumi.Output<ConnectionDocument>;
    /** The superuser's generated password (secret). */
    public readonly superuserPassword: pulumi.Output<string>;
    /** When the server certificate expires. */
    public readonly certificateValidityEndTime: pulumi.Output<string>;
    public readonly containerName: pulumi.Output<string>;

    constructor(name: string, args: PostgresDatabaseInputs, opts?: pulumi.ComponentResourceOptions) {
        super("tls-platform:index:PostgresDatabase", name, {}, opts);

        // Plain JavaScript callers can leave out the whole bag: every missing argument is a problem below.
        args = args ?? ({} as PostgresDatabaseInputs);
        const subject = `PostgresDatabase "${name}"`;
        const input: PostgresConfigInput = {
            user: args.user ?? DEFAULT_POSTGRES_USER,
            database: args.database ?? DEFAULT_POSTGRES_DATABASE,
            minTlsVersion: args.minTlsVersion,
            mutualTls: args.mutualTls === true,
            ...(args.mutualTls ? { clientCaCertPem: CLIENT_CA_PLACEHOLDER } : {}),
        };
        checkServiceArgs("PostgresDatabase", name, args, {
            defaultImage: POSTGRES_IMAGE,
            hostPorts: { hostPort: args.hostPort },
            problems: validatePostgresInput(input),
            client: { commonName: input.user, mustMatch: true },
        });
        args = mutualTlsDefaults(name, args, this, subject, { commonName: input.user, mustMatch: true });

        const aliases = args.aliases ?? [name];
        const port = DEFAULT_POSTGRES_PORT;
        const cert = serviceCertificate(name, args, aliases, this);
        const superuser = new random.RandomPassword(`${name}-superuser-password`, { length: POSTGRES_PASSWORD_LENGTH, special: false }, { parent: this });
        const app = new random.RandomPassword(`${name}-app-password`, { length: POSTGRES_PASSWORD_LENGTH, special: false }, { parent: this });
        const clientCa = args.mutualTls ? pulumi.output(args.clientCaCertPem!) : pulumi.output(undefined);
        const trustBundle = trustBundleOf(args.ca, cert.caCertPem);
        const clientCaPlaceholder = args.mutualTls ? CLIENT_CA_PLACEHOLDER : undefined;
        // Configuration from everything but the certificates, so that a renewal leaves the container's inputs alone.
        const configUploads = pulumi.all([superuser.result, app.result]).apply(([superuserPassword, appPassword]) =>
            partitionUploads(postgresUploads({ ...input, clientCaCertPem: clientCaPlaceholder }, { ...PEM_PLACEHOLDERS, superuserPassword, appPassword }), POSTGRES_TLS_DIR).uploads,
        );
        const tlsFiles = pulumi.all([cert.certPem, cert.privateKeyPem, trustBundle, clientCa]).apply(([serverCertPem, serverKeyPem, issuerCaCertPem, clientCaCertPem]) =>
            partitionUploads(postgresUploads({ ...input, clientCaCertPem }, { serverCertPem, serverKeyPem, issuerCaCertPem, superuserPassword: "", appPassword: "" }), POSTGRES_TLS_DIR).tls,
        );
        const { container } = serviceContainer(
            name,
            args,
            aliases,
            {
                image: args.image ?? POSTGRES_IMAGE,
                command: postgresCommand(input),
                envs: postgresEnvs(),
                uploads: pulumi.secret(configUploads),
                tls: {
                    dir: POSTGRES_TLS_DIR,
                    files: pulumi.secret(tlsFiles),
                    certPem: cert.certPem,
                    privateKeyPem: cert.privateKeyPem,
                    trustBundlePem: trustBundle,
                    reload: POSTGRES_RELOAD,
                    port,
                    protocol: "postgres",
                },
                dataPath: POSTGRES_DATA_DIR,
                ports: [{ internal: port, external: args.hostPort }],
                healthcheck: postgresHealthcheck(input),
            },
            this,
        );

        const connections = serviceConnections(
            args,
            aliases,
            { published: publishedPort(container, port), internal: port },
            trustBundle,
            app.result.apply((password) => ({ username: input.user, password, database: input.database, minTlsVersion: args.minTlsVersion as PostgresTlsVersion | undefined })),
            (c) => postgresConnection({ ...c, database: input.database }),
        );
        this.connection = connections.connection;
        this.internalConnection = connections.internalConnection;
        this.superuserPassword = pulumi.secret(superuser.result);
        this.certificateValidityEndTime = cert.validityEndTime;
        this.containerName = container.name;
        this.registerOutputs({
            connection: this.connection,
            internalConnection: this.internalConnection,
            superuserPassword: this.superuserPassword,
            certificateValidityEndTime: this.certificateValidityEndTime,
        });
    }
}
