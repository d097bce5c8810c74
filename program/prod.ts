import * as fs from "node:fs";
import * as pulumi from "@pulumi/pulumi";
import { ConnectionDocument, ElastiCacheCache, RdsPostgres } from "../components";
import type { Settings } from "./settings";

/** The prod platform on AWS: ElastiCache, and PostgreSQL on RDS when enabled. */
export function prodPlatform(settings: Settings): Record<string, pulumi.Output<ConnectionDocument>> {
    const { aws } = settings;
    const network = { vpcId: aws.vpcId, subnetIds: aws.subnetIds, allowedSecurityGroupIds: aws.allowedSecurityGroupIds, allowedCidrs: aws.allowedCidrs, allowPublicCidrs: aws.allowPublicCidrs };
    const cache = new ElastiCacheCache("cache", { ...network, engine: aws.cache.engine, nodeType: aws.cache.nodeType, numCacheClusters: aws.cache.nodes });
    const documents: Record<string, pulumi.Output<ConnectionDocument>> = { cache: cache.connection };
    if (aws.rds.enabled) {
        const database = new RdsPostgres("db", {
            ...network,
            instanceClass: aws.rds.instanceClass,
            databaseName: settings.appName,
            username: settings.appName,
            // RDS certificates chain to Amazon's RDS CAs, which clients must be given (not public roots).
            caBundlePem: fs.readFileSync(aws.rds.caBundleFile, "utf8"),
        });
        documents.database = database.connection;
    }
    return documents;
}
