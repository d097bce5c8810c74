import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { ConnectionDocument, ElastiCacheCache, RdsPostgres } from "../components";
import type { Settings } from "./settings";

/** The prod platform on AWS: ElastiCache (sharded and with RBAC users when configured), and PostgreSQL on RDS (Multi-AZ, read replicas) when enabled. */
export function prodPlatform(settings: Settings): Record<string, pulumi.Output<ConnectionDocument>> {
    const { aws } = settings;
    const network = { vpcId: aws.vpcId, subnetIds: aws.subnetIds, allowedSecurityGroupIds: aws.allowedSecurityGroupIds, allowedCidrs: aws.allowedCidrs, allowPublicCidrs: aws.allowPublicCidrs };
    const { cache: c } = aws;
    // Cluster mode sizes the cache by shards and replicas per shard; without it, by nodes. RBAC gives the
    // application its own ElastiCache user (named appName) instead of the group's single AUTH token.
    const size = c.clusterMode ? { clusterMode: true, shards: c.shards, replicasPerShard: c.replicasPerShard } : { numCacheClusters: c.nodes };
    const cache = new ElastiCacheCache("cache", { ...network, engine: c.engine, nodeType: c.nodeType, ...size, ...(c.rbac ? { rbacUsers: [settings.appName] } : {}) });
    const documents: Record<string, pulumi.Output<ConnectionDocument>> = { cache: cache.connection };
    if (aws.rds.enabled) {
        const database = new RdsPostgres("db", {
            ...network,
            instanceClass: aws.rds.instanceClass,
            multiAz: aws.rds.multiAz,
            readReplicas: aws.rds.readReplicas,
            databaseName: settings.appName,
            username: settings.appName,
            // RDS certificates chain to Amazon's RDS CAs, which clients must be given (not public roots).
            caBundlePem: fs.readFileSync(aws.rds.caBundleFile, "utf8"),
        });
        documents.database = database.connection;
    }
    return documents;
}
