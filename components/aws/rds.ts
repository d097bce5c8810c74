import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ConnectionDocument, postgresConnection } from "../connection/document";
import { throwIfProblems } from "../shared/problems";
import {
    DEFAULT_BACKUP_WINDOW,
    DEFAULT_MAINTENANCE_WINDOW,
    DEFAULT_RDS_ALLOCATED_STORAGE_GB,
    DEFAULT_RDS_BACKUP_RETENTION_DAYS,
    DEFAULT_RDS_DATABASE,
    DEFAULT_RDS_ENGINE_VERSION,
    DEFAULT_RDS_INSTANCE_CLASS,
    DEFAULT_RDS_STORAGE_TYPE,
    DEFAULT_RDS_USERNAME,
    FINAL_SNAPSHOT_SUFFIX,
    RDS_CA_CERT_IDENTIFIER,
    RDS_PARAMETER_GROUP_FAMILY,
    RDS_PASSWORD_LENGTH,
    RDS_POSTGRES_PORT,
} from "./defaults";
import { checkedWhenKnown } from "./late";
import { finalSnapshotIdentifier } from "./snapshot";
import { RdsCaCertIdentifier, RdsStorageType, validateRdsPassword } from "./limits";

const RDS_ENGINE = "postgres";

export { RDS_CA_CERT_IDENTIFIERS, RDS_STORAGE_TYPES, RdsCaCertIdentifier, RdsStorageType } from "./limits";
import { PrivateNetworkArgs, accessSecurityGroup, encryptionKeyArn } from "./network";
import { validateCaBundle, validateRdsPostgresArgs, validateRdsSubnets } from "./validate";

/** `RdsPostgres`'s arguments as every language passes them: choices are strings, checked at construction. */
export interface RdsPostgresInputs extends PrivateNetworkArgs {
    /**
     * PEM bundle of the Amazon RDS certificate authorities, which clients verify the server against
     * (RDS certificates do not chain to public roots). Download the global bundle from
     * https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem (or a region's bundle, see
     * docs.aws.amazon.com/AmazonRDS/latest/UserGuide/UsingWithRDS.SSL.html), keep it in the
     * repository and pass its text. It goes into the connection document as `{ type: "pem" }`.
     */
    readonly caBundlePem: pulumi.Input<string>;
    /**
     * Instance class, `db.<family>.<size>` (an EC2 type without `db.` is refused).
     * @default - `db.t4g.medium`
     */
    readonly instanceClass?: string;
    /**
     * Storage in GiB: 20 to 65536 on gp3, 100 to 65536 on io1/io2.
     * @default - 20
     */
    readonly allocatedStorageGb?: number;
    /**
     * `gp3`, or Provisioned IOPS `io1`/`io2` (which need `iops`).
     * @default - `gp3`
     */
    readonly storageType?: string;
    /**
     * Provisioned IOPS for io1/io2: at least 1000, and 0.5 to 50 per GiB of storage. Not for gp3.
     * @default - none (gp3's baseline)
     */
    readonly iops?: number;
    /**
     * Your own master password: 8 to 128 printable ASCII characters without `/`, `"`, `@` and
     * spaces (RDS refuses them, though the provider lets them through). Checked once known when it
     * comes from a secret or another resource.
     * @default - a generated 40-character password of letters and digits
     */
    readonly password?: pulumi.Input<string>;
    /**
     * The RDS certificate authority that signs the server certificate: `rds-ca-rsa2048-g1`,
     * `rds-ca-rsa4096-g1` or `rds-ca-ecc384-g1`. Changing it rotates the server certificate (a restart).
     * @default - `rds-ca-rsa2048-g1`
     */
    readonly caCertIdentifier?: string;
    /**
     * PostgreSQL 17: `17` or a 17.x release (the parameter group is family `postgres17`).
     * @default - `17` (newest 17.x, minor upgrades automatic)
     */
    readonly engineVersion?: string;
    /**
     * The database created with the instance.
     * @default - `app`
     */
    readonly databaseName?: string;
    /**
     * The master user, which the connection document carries; create narrower roles in SQL for
     * applications that need less.
     * @default - `app`
     */
    readonly username?: string;
    /**
     * Raise by one to generate a new master password (it is the password's keeper). RDS applies a
     * master password change as soon as possible; clients holding the old one fail until they read
     * the new connection document. Only for the generated password.
     * @default - 1
     */
    readonly passwordGeneration?: number;
    /**
     * A standby in a second availability zone.
     * @default - false
     */
    readonly multiAz?: boolean;
    /**
     * ARN of the customer-managed KMS key for storage encryption. Its rotation is then yours.
     * @default - a new key with automatic rotation and a 30-day deletion window
     */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /**
     * Days automated backups (and point-in-time recovery) are kept, 1–35.
     * @default - 7
     */
    readonly backupRetentionDays?: number;
    /**
     * Daily backup window, `hh:mm-hh:mm` UTC, at least 30 minutes, not overlapping maintenance.
     * @default - `03:00-04:00`
     */
    readonly backupWindow?: string;
    /**
     * Weekly maintenance window, `ddd:hh:mm-ddd:hh:mm` UTC, at least 30 minutes.
     * @default - `sun:05:00-sun:06:00`
     */
    readonly maintenanceWindow?: string;
    /**
     * Refuse deletion. Set false, `pulumi up`, then destroy, when the database is really to go.
     * @default - true
     */
    readonly deletionProtection?: boolean;
    /**
     * Delete without a final snapshot. Loud on purpose: the data is gone.
     * @default - false (a final snapshot named `finalSnapshotIdentifier` is taken)
     */
    readonly skipFinalSnapshot?: boolean;
    /**
     * Prefix of the final snapshot's name: a letter, then letters, digits and single hyphens. A
     * hyphen and 8 hex characters follow it, drawn from the stack and every input that replaces the
     * instance (its key, database name, user), so a replacement's old instance never names a snapshot
     * an earlier one left, which would stop its deletion (see `finalSnapshotIdentifier` in snapshot.ts).
     * @default - `<component name>-final`
     */
    readonly finalSnapshotIdentifier?: string;
    /**
     * Also allow IAM database authentication (tokens instead of the password, for roles granted
     * `rds_iam`).
     * @default - false
     */
    readonly iamDatabaseAuthentication?: boolean;
    /**
     * Must stay false: asking for true is an error. The database is reachable only inside the VPC.
     * @default - false
     */
    readonly publiclyAccessible?: boolean;
}

/** `RdsPostgres`'s arguments in TypeScript: the choices as literal unions, so a typo does not compile. */
export interface RdsPostgresArgs extends RdsPostgresInputs {
    /**
     * `gp3`, or Provisioned IOPS `io1`/`io2` (which need `iops`).
     * @default - `gp3`
     */
    readonly storageType?: RdsStorageType;
    /**
     * `rds-ca-rsa2048-g1`, `rds-ca-rsa4096-g1` or `rds-ca-ecc384-g1`.
     * @default - `rds-ca-rsa2048-g1`
     */
    readonly caCertIdentifier?: RdsCaCertIdentifier;
}

/**
 * A TLS-only RDS for PostgreSQL 17 instance: a parameter group that sets `rds.force_ssl=1` and
 * `ssl_min_protocol_version=TLSv1.2` explicitly (the per-version default of force_ssl is not
 * something to rely on), storage encrypted with a customer-managed KMS key, private only, backups,
 * deletion protection and a final snapshot by default, and a current server CA.
 *
 * The master password is a generated `random.RandomPassword` passed as `password`, not
 * `manageMasterUserPassword`: the connection document must carry a password that works, and an
 * RDS-managed password lives in Secrets Manager and is rotated there (every 7 days by default), so a
 * document written at deploy time would stop working at the first rotation, and reading it back
 * would need a Secrets Manager lookup in every consumer. The generated password is secret in the
 * state and in every output; rotate it with `passwordGeneration`.
 */
export class RdsPostgres extends pulumi.ComponentResource {
    /** `postgres://user:password@host:5432/db?sslmode=verify-full` and its parts, with the RDS CA bundle, as a secret document. */
    public readonly connection: pulumi.Output<ConnectionDocument>;
    /** The master password (secret). */
    public readonly password: pulumi.Output<string>;
    /** The KMS key that encrypts the storage. */
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** The database's security group: add it to other rules, never widen it. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** The instance's host name (also the TLS server name). */
    public readonly address: pulumi.Output<string>;
    public readonly port: pulumi.Output<number>;

    constructor(name: string, args: RdsPostgresInputs, opts?: pulumi.ComponentResourceOptions) {
        super("tls-platform:index:RdsPostgres", name, {}, opts);

        // Plain JavaScript callers can leave out the whole bag: every missing argument is a problem below.
        args = args ?? ({} as RdsPostgresInputs);
        const subject = `RdsPostgres "${name}"`;
        const database = args.databaseName ?? DEFAULT_RDS_DATABASE;
        const username = args.username ?? DEFAULT_RDS_USERNAME;
        const skipFinalSnapshot = args.skipFinalSnapshot ?? false;
        throwIfProblems(subject, validateRdsPostgresArgs(name, args));

        const caBundlePem = checkedWhenKnown(args.caBundlePem, validateCaBundle, subject, this);
        const kmsKeyArn = encryptionKeyArn(name, args.kmsKeyArn, `RDS ${name}`, { parent: this });
        const parameters = new aws.rds.ParameterGroup(
            `${name}-params`,
            {
                family: RDS_PARAMETER_GROUP_FAMILY,
                description: `RDS ${name}: TLS only (tls-platform)`,
                parameters: [
                    { name: "rds.force_ssl", value: "1", applyMethod: "immediate" },
                    { name: "ssl_min_protocol_version", value: "TLSv1.2", applyMethod: "immediate" },
                ],
            },
            { parent: this },
        );
        const subnetGroup = new aws.rds.SubnetGroup(
            `${name}-subnets`,
            { description: `RDS ${name}`, subnetIds: checkedWhenKnown(args.subnetIds, validateRdsSubnets, subject, this) },
            { parent: this },
        );
        const securityGroup = accessSecurityGroup(name, args, RDS_POSTGRES_PORT, `RDS ${name}`, this);
        const password =
            args.password !== undefined
                ? checkedWhenKnown(args.password, (p) => validateRdsPassword(p), subject, this)
                : new random.RandomPassword(`${name}-password`, { length: RDS_PASSWORD_LENGTH, special: false, keepers: { generation: String(args.passwordGeneration ?? 1) } }, { parent: this })
                      .result;
        const instance = new aws.rds.Instance(
            `${name}-db`,
            {
                engine: RDS_ENGINE,
                engineVersion: args.engineVersion ?? DEFAULT_RDS_ENGINE_VERSION,
                autoMinorVersionUpgrade: true,
                instanceClass: args.instanceClass ?? DEFAULT_RDS_INSTANCE_CLASS,
                allocatedStorage: args.allocatedStorageGb ?? DEFAULT_RDS_ALLOCATED_STORAGE_GB,
                storageType: args.storageType ?? DEFAULT_RDS_STORAGE_TYPE,
                iops: args.iops,
                storageEncrypted: true,
                kmsKeyId: kmsKeyArn,
                dbName: database,
                username,
                password: pulumi.secret(password),
                port: RDS_POSTGRES_PORT,
                parameterGroupName: parameters.name,
                dbSubnetGroupName: subnetGroup.name,
                vpcSecurityGroupIds: [securityGroup.id],
                publiclyAccessible: false,
                multiAz: args.multiAz ?? false,
                caCertIdentifier: args.caCertIdentifier ?? RDS_CA_CERT_IDENTIFIER,
                iamDatabaseAuthenticationEnabled: args.iamDatabaseAuthentication ?? false,
                backupRetentionPeriod: args.backupRetentionDays ?? DEFAULT_RDS_BACKUP_RETENTION_DAYS,
                backupWindow: args.backupWindow ?? DEFAULT_BACKUP_WINDOW,
                maintenanceWindow: args.maintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW,
                copyTagsToSnapshot: true,
                deletionProtection: args.deletionProtection ?? true,
                skipFinalSnapshot,
                finalSnapshotIdentifier: skipFinalSnapshot
                    ? undefined
                    : kmsKeyArn.apply((kmsKeyId) =>
                          finalSnapshotIdentifier(
                              args.finalSnapshotIdentifier ?? `${name}${FINAL_SNAPSHOT_SUFFIX}`,
                              { project: pulumi.getProject(), stack: pulumi.getStack(), name },
                              { engine: RDS_ENGINE, dbName: database, username, kmsKeyId, storageEncrypted: true },
                          ),
                      ),
            },
            { parent: this },
        );

        this.password = pulumi.secret(password);
        this.kmsKeyArn = kmsKeyArn;
        this.securityGroupId = securityGroup.id;
        this.address = instance.address;
        this.port = instance.port;
        this.connection = pulumi.secret(
            pulumi.all([instance.address, instance.port, password, caBundlePem]).apply(([host, port, pw, pem]) =>
                postgresConnection({ host, port, username, password: pw, database, serverName: host, ca: { type: "pem", pem } }),
            ),
        );
        this.registerOutputs({
            connection: this.connection,
            password: this.password,
            kmsKeyArn: this.kmsKeyArn,
            securityGroupId: this.securityGroupId,
            address: this.address,
            port: this.port,
        });
    }
}
