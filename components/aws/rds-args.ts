import * as pulumi from "@pulumi/pulumi";
import { RdsCaCertIdentifier, RdsStorageType } from "./limits";
import { PrivateNetworkArgs } from "./network";

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
     * A synchronous standby in a second availability zone that RDS fails over to (same endpoint). Read
     * replicas get their own standby only when this is on too.
     * @default - false
     */
    readonly multiAz?: boolean;
    /**
     * Read replicas (asynchronous, read-only), 0–15, each its own instance with its own endpoint,
     * encrypted with the same key and the same TLS-only parameter group. RDS has no reader endpoint
     * over instance replicas, so the document's `reader` is the first replica; `replicaAddresses`
     * lists them all, for a client that spreads its reads.
     * @default - 0
     */
    readonly readReplicas?: number;
    /**
     * Instance class of the read replicas.
     * @default - the primary's `instanceClass`
     */
    readonly replicaInstanceClass?: string;
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
