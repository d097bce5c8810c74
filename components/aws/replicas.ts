import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { Problem, show } from "../shared/problems";
import { DEFAULT_MAINTENANCE_WINDOW, DEFAULT_RDS_INSTANCE_CLASS, DEFAULT_RDS_READ_REPLICAS, MAX_RDS_READ_REPLICAS, RDS_CA_CERT_IDENTIFIER, RDS_POSTGRES_PORT } from "./defaults";
import { validateNodeClass } from "./limits";
import type { RdsPostgresInputs } from "./rds-args";

/** What the replicas share with the primary. */
export interface ReplicaSource {
    readonly source: aws.rds.Instance;
    readonly parameterGroupName: pulumi.Input<string>;
    readonly subnetGroupName: pulumi.Input<string>;
    readonly securityGroupId: pulumi.Input<string>;
    readonly kmsKeyArn: pulumi.Input<string>;
}

/**
 * Read replicas of `source` (CreateDBInstanceReadReplica, through the provider's `replicate_source_db`).
 * A replica takes no database name, user or password: they are the source's (the provider's `db_name`
 * and `username` are `ConflictsWith: replicate_source_db`, hashicorp/terraform-provider-aws
 * internal/service/rds/instance.go, search-index file id 1659451291). It skips the final snapshot, which
 * RDS cannot take of a read replica (DeleteDBInstance FinalDBSnapshotIdentifier: "Can't be specified
 * when deleting a read replica"), and keeps encryption, the TLS-only parameter group, the subnet group,
 * the security group and the server CA of the primary.
 */
export function readReplicas(name: string, args: RdsPostgresInputs, from: ReplicaSource, parent: pulumi.Resource): aws.rds.Instance[] {
    const count = args.readReplicas ?? DEFAULT_RDS_READ_REPLICAS;
    return Array.from(
        { length: count },
        (_, i) =>
            new aws.rds.Instance(
                `${name}-replica-${i + 1}`,
                {
                    replicateSourceDb: from.source.identifier,
                    instanceClass: args.replicaInstanceClass ?? args.instanceClass ?? DEFAULT_RDS_INSTANCE_CLASS,
                    autoMinorVersionUpgrade: true,
                    storageEncrypted: true,
                    kmsKeyId: from.kmsKeyArn,
                    port: RDS_POSTGRES_PORT,
                    parameterGroupName: from.parameterGroupName,
                    dbSubnetGroupName: from.subnetGroupName,
                    vpcSecurityGroupIds: [from.securityGroupId],
                    publiclyAccessible: false,
                    multiAz: args.multiAz ?? false,
                    caCertIdentifier: args.caCertIdentifier ?? RDS_CA_CERT_IDENTIFIER,
                    iamDatabaseAuthenticationEnabled: args.iamDatabaseAuthentication ?? false,
                    maintenanceWindow: args.maintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW,
                    copyTagsToSnapshot: true,
                    deletionProtection: args.deletionProtection ?? true,
                    skipFinalSnapshot: true,
                },
                { parent },
            ),
    );
}

/** Replica arguments: 0–15 replicas (RDS for PostgreSQL's limit per source), an RDS class, and a class only with replicas. */
export function validateReplicaArgs(args: RdsPostgresInputs): Problem[] {
    const count = args.readReplicas ?? DEFAULT_RDS_READ_REPLICAS;
    const problems: Problem[] = [];
    if (typeof count !== "number" || !Number.isInteger(count) || count < 0 || count > MAX_RDS_READ_REPLICAS) {
        problems.push({ path: "readReplicas", message: `\`readReplicas\`: ${show(count)} is out of range; RDS for PostgreSQL takes a whole number of read replicas from 0 to ${MAX_RDS_READ_REPLICAS} per source instance; default ${DEFAULT_RDS_READ_REPLICAS}.` });
    }
    if (args.replicaInstanceClass !== undefined) {
        problems.push(...validateNodeClass("replicaInstanceClass", args.replicaInstanceClass, "db", DEFAULT_RDS_INSTANCE_CLASS));
        if (count === 0) {
            problems.push({ path: "replicaInstanceClass", message: `\`replicaInstanceClass\`: ${show(args.replicaInstanceClass)} is for read replicas, but \`readReplicas\` is 0; set \`readReplicas\`, or remove \`replicaInstanceClass\`.` });
        }
    }
    return problems;
}
