import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ConnectionDocument, redisConnection } from "../connection/document";
import { throwIfProblems } from "../shared/problems";
import { groupShape, nodesPerShard } from "./cluster";
import {
    AUTH_TOKEN_LENGTH,
    AUTH_TOKEN_SPECIALS,
    CacheEngine,
    DEFAULT_AUTH_TOKEN_UPDATE_STRATEGY,
    DEFAULT_BACKUP_WINDOW,
    DEFAULT_CACHE_ENGINE,
    DEFAULT_CACHE_NODE_TYPE,
    DEFAULT_ENGINE_VERSIONS,
    DEFAULT_MAINTENANCE_WINDOW,
    DEFAULT_NUM_CACHE_CLUSTERS,
    DEFAULT_SNAPSHOT_RETENTION_DAYS,
    ELASTICACHE_PORT,
} from "./defaults";
import type { ElastiCacheCacheInputs } from "./elasticache-args";
import { checkedWhenKnown } from "./late";
import { accessSecurityGroup, encryptionKeyArn } from "./network";
import { rbacUserGroup } from "./rbac";
import { validateAuthToken, validateElastiCacheArgs, validateElastiCacheSubnets } from "./validate-cache";

export { ElastiCacheCacheArgs, ElastiCacheCacheInputs } from "./elasticache-args";

/**
 * A TLS-only ElastiCache replication group: transit encryption `required`, an AUTH token or RBAC
 * users, at-rest encryption with a customer-managed KMS key, its own subnet group, and a security
 * group that admits only the cache port from the clients allowed. Without cluster mode it is one shard
 * (a primary and replicas) behind the primary endpoint; with `clusterMode: true` it is sharded, behind
 * the configuration endpoint, and its document says `topology.mode: cluster`. ElastiCache's server
 * certificates chain to Amazon's public roots, so the connection document trusts `public-roots`.
 */
export class ElastiCacheCache extends pulumi.ComponentResource {
    /** `rediss://[user]:<password>@<endpoint>:6379/0` and its parts, as a secret document (the first RBAC user's with `rbacUsers`). */
    public readonly connection: pulumi.Output<ConnectionDocument>;
    /** With `rbacUsers`: each user's document, by user name (secret); empty otherwise. */
    public readonly userConnections: pulumi.Output<Record<string, ConnectionDocument>>;
    /** The AUTH token (secret); empty with `rbacUsers`, which use their own passwords. */
    public readonly authToken: pulumi.Output<string>;
    /** The KMS key that encrypts the cache at rest. */
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** The cache's security group: add it to other rules, never widen it. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** The primary endpoint's host name (also the TLS server name); empty in cluster mode. */
    public readonly primaryEndpointAddress: pulumi.Output<string>;
    /** The configuration endpoint's host name in cluster mode (where clients start discovery); empty otherwise. */
    public readonly configurationEndpointAddress: pulumi.Output<string>;

    constructor(name: string, args: ElastiCacheCacheInputs, opts?: pulumi.ComponentResourceOptions) {
        super("tls-platform:index:ElastiCacheCache", name, {}, opts);

        // Plain JavaScript callers can leave out the whole bag: every missing argument is a problem below.
        args = args ?? ({} as ElastiCacheCacheInputs);
        const subject = `ElastiCacheCache "${name}"`;
        const engine = args.engine ?? DEFAULT_CACHE_ENGINE;
        const engineVersion = args.engineVersion ?? DEFAULT_ENGINE_VERSIONS[engine as CacheEngine];
        throwIfProblems(subject, validateElastiCacheArgs(args));
        const shape = groupShape(engine as CacheEngine, engineVersion, args, DEFAULT_NUM_CACHE_CLUSTERS);
        const rbac = args.rbacUsers !== undefined;

        const kmsKeyArn = encryptionKeyArn(name, args.kmsKeyArn, `ElastiCache ${name}`, { parent: this });
        const subnetGroup = new aws.elasticache.SubnetGroup(
            `${name}-subnets`,
            {
                description: `ElastiCache ${name}`,
                subnetIds: checkedWhenKnown(args.subnetIds, (ids) => validateElastiCacheSubnets(ids, nodesPerShard(args, DEFAULT_NUM_CACHE_CLUSTERS), args.clusterMode === true), subject, this),
            },
            { parent: this },
        );
        const securityGroup = accessSecurityGroup(name, args, ELASTICACHE_PORT, `ElastiCache ${name}`, this);
        const users = rbac ? rbacUserGroup(name, engine, args.rbacUsers!, args.rbacAllKeys ?? false, this) : undefined;
        const token = rbac
            ? undefined
            : args.authToken !== undefined
              ? checkedWhenKnown(args.authToken, (t) => validateAuthToken(t), subject, this)
              : generatedToken(name, args.authTokenGeneration ?? 1, this);
        const group = new aws.elasticache.ReplicationGroup(
            `${name}-group`,
            {
                description: `ElastiCache ${name}: TLS-only ${engine}${shape.clusterMode === "enabled" ? " cluster" : ""} (tls-platform)`,
                engine,
                engineVersion,
                autoMinorVersionUpgrade: true,
                nodeType: args.nodeType ?? DEFAULT_CACHE_NODE_TYPE,
                port: ELASTICACHE_PORT,
                ...shape,
                subnetGroupName: subnetGroup.name,
                securityGroupIds: [securityGroup.id],
                transitEncryptionEnabled: true,
                transitEncryptionMode: args.transitEncryptionMigration ?? "required",
                ...(users
                    ? { userGroupIds: [users.userGroupId] }
                    : { authToken: pulumi.secret(token!), authTokenUpdateStrategy: args.authTokenUpdateStrategy ?? DEFAULT_AUTH_TOKEN_UPDATE_STRATEGY }),
                atRestEncryptionEnabled: true,
                kmsKeyId: kmsKeyArn,
                snapshotRetentionLimit: args.snapshotRetentionLimit ?? DEFAULT_SNAPSHOT_RETENTION_DAYS,
                snapshotWindow: args.snapshotWindow ?? DEFAULT_BACKUP_WINDOW,
                maintenanceWindow: args.maintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW,
            },
            { parent: this },
        );

        const cluster = shape.clusterMode === "enabled";
        // Cluster mode: clients start at the configuration endpoint and verify each node by the name
        // they reach it by (`node-host`); without it, the primary endpoint is the one name to verify.
        const endpoint = cluster ? group.configurationEndpointAddress : group.primaryEndpointAddress;
        const documentFor = (host: string, username: string | null, password: string) =>
            redisConnection({
                host,
                port: ELASTICACHE_PORT,
                username,
                password,
                serverName: host,
                ca: { type: "public-roots" },
                topology: cluster ? { mode: "cluster", seeds: [{ host, port: ELASTICACHE_PORT }] } : { mode: "standalone" },
            });
        const userNames = args.rbacUsers ?? [];
        this.userConnections = pulumi.secret(
            users
                ? pulumi.all([endpoint, pulumi.all(userNames.map((u) => users.passwords[u]!))]).apply(([host, pws]) => Object.fromEntries(userNames.map((u, i) => [u, documentFor(host, u, pws[i]!)])))
                : pulumi.output({} as Record<string, ConnectionDocument>),
        );
        this.connection = pulumi.secret(
            users
                ? this.userConnections.apply((docs) => docs[userNames[0]!]!)
                : pulumi.all([endpoint, token!]).apply(([host, password]) => documentFor(host, null, password)),
        );
        this.primaryEndpointAddress = group.primaryEndpointAddress.apply((a) => a ?? "");
        this.configurationEndpointAddress = group.configurationEndpointAddress.apply((a) => a ?? "");
        this.authToken = pulumi.secret(token ?? pulumi.output(""));
        this.kmsKeyArn = kmsKeyArn;
        this.securityGroupId = securityGroup.id;
        this.registerOutputs({
            connection: this.connection,
            userConnections: this.userConnections,
            authToken: this.authToken,
            kmsKeyArn: this.kmsKeyArn,
            securityGroupId: this.securityGroupId,
            primaryEndpointAddress: this.primaryEndpointAddress,
            configurationEndpointAddress: this.configurationEndpointAddress,
        });
    }
}

/** A token from the only alphabet ElastiCache accepts; `generation` is its keeper, so raising it makes a new one. */
function generatedToken(name: string, generation: number, parent: pulumi.Resource): pulumi.Output<string> {
    const password = new random.RandomPassword(
        `${name}-auth-token`,
        { length: AUTH_TOKEN_LENGTH, special: true, overrideSpecial: AUTH_TOKEN_SPECIALS, keepers: { generation: String(generation) } },
        { parent },
    );
    return password.result;
}
