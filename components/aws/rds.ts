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
import { validateRdsPassword } from "./limits";

const RDS_ENGINE = "postgres";

export { RDS_CA_CERT_IDENTIFIERS, RDS_STORAGE_TYPES, RdsCaCertIdentifier, RdsStorageType } from "./limits";
import { accessSecurityGroup, encryptionKeyArn } from "./network";
import type { RdsPostgresInputs } from "./rds-args";
import { readReplicas } from "./replicas";

export { RdsPostgresArgs, RdsPostgresInputs } from "./rds-args";
import { validateCaBundle, validateRdsPostgresArgs, validateRdsSubnets } from "./validate";

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
    /** `postgres://user:password@host:5432/db?sslmode=verify-full` and its parts, with the RDS CA bundle and the first replica as `reader`, as a secret document. */
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
    /** The read replicas' host names, in order (the first is the document's `reader`); empty without replicas. */
    public readonly replicaAddresses: pulumi.Output<string[]>;

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

        const replicas = readReplicas(name, args, { source: instance, parameterGroupName: parameters.name, subnetGroupName: subnetGroup.name, securityGroupId: securityGroup.id, kmsKeyArn }, this);

        this.password = pulumi.secret(password);
        this.kmsKeyArn = kmsKeyArn;
        this.securityGroupId = securityGroup.id;
        this.address = instance.address;
        this.port = instance.port;
        this.replicaAddresses = pulumi.all(replicas.map((r) => r.address));
        // RDS has no reader endpoint over instance replicas: the document's reader is the first replica.
        const reader = replicas[0] ? pulumi.all([replicas[0].address, replicas[0].port]).apply(([host, port]) => ({ host, port })) : pulumi.output(null);
        this.connection = pulumi.secret(
            pulumi.all([instance.address, instance.port, password, caBundlePem, reader]).apply(([host, port, pw, pem, readerEndpoint]) =>
                postgresConnection({ host, port, username, password: pw, database, serverName: host, ca: { type: "pem", pem }, reader: readerEndpoint }),
            ),
        );
        this.registerOutputs({
            connection: this.connection,
            password: this.password,
            kmsKeyArn: this.kmsKeyArn,
            securityGroupId: this.securityGroupId,
            address: this.address,
            port: this.port,
            replicaAddresses: this.replicaAddresses,
        });
    }
}
