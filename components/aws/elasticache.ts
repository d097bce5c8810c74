import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { ConnectionDocument, redisConnection } from "../connection/document";
import { throwIfProblems } from "../shared/problems";
import {
    AUTH_TOKEN_LENGTH,
    AUTH_TOKEN_SPECIALS,
    AuthTokenUpdateStrategy,
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
import { checkedWhenKnown } from "./late";
import { PrivateNetworkArgs, accessSecurityGroup, encryptionKeyArn } from "./network";
import { validateAuthToken, validateElastiCacheArgs, validateElastiCacheSubnets } from "./validate";

/** `ElastiCacheCache`'s arguments as every language passes them: choices are strings, checked at construction. */
export interface ElastiCacheCacheInputs extends PrivateNetworkArgs {
    /**
     * `valkey` or `redis` (Redis OSS).
     * @default - `valkey`
     */
    readonly engine?: string;
    /**
     * major.minor; at least Valkey 7.2 or Redis OSS 7.0, the versions that change TLS settings in
     * place instead of replacing the group.
     * @default - `8.0` for valkey, `7.1` for redis
     */
    readonly engineVersion?: string;
    /**
     * Node type, `cache.<family>.<size>` (an EC2 type without `cache.` is refused).
     * @default - `cache.t4g.small`
     */
    readonly nodeType?: string;
    /**
     * Nodes: a primary and `numCacheClusters - 1` replicas. Two or more turn on automatic failover
     * and Multi-AZ (and need subnets in two AZs); one turns both off.
     * @default - 2
     */
    readonly numCacheClusters?: number;
    /**
     * ARN of the customer-managed KMS key for encryption at rest. Its rotation is then yours.
     * @default - a new key with automatic rotation and a 30-day deletion window
     */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /**
     * Your own AUTH token: 16–128 letters, digits and `! & # $ ^ < > -` (checked here, because the
     * provider only rejects `@ " /` and AWS refuses the rest at create time).
     * @default - a generated 64-character token from that alphabet
     */
    readonly authToken?: pulumi.Input<string>;
    /**
     * Raise by one to generate a new token (it is the password's keeper). The new token reaches AWS
     * at once (the provider applies token changes immediately) and the connection output with it.
     * Only for the generated token.
     * @default - 1
     */
    readonly authTokenGeneration?: number;
    /**
     * How a token change is applied to the existing group. `SET` (default): only the new token works
     * from then on; clients still holding the old one fail until they read the new connection
     * document. `ROTATE`: old and new tokens both work, for a change without failures; finish it in a
     * later `pulumi up` by going back to `SET` (the provider sends the token again with `SET`, which
     * drops the old one). `ROTATE` is refused unless `groupAlreadyHasAuthToken` is true: on a group
     * without a token it adds one while passwordless access keeps working (AWS auth.html).
     * Not used when the group is created.
     * @default - `SET`
     */
    readonly authTokenUpdateStrategy?: string;
    /**
     * Confirms that the deployed group already has an AUTH token, which `ROTATE` needs.
     * @default - false
     */
    readonly groupAlreadyHasAuthToken?: boolean;
    /**
     * Only for an existing group whose transit encryption is off (e.g. one adopted with `pulumi
     * import`): AWS refuses to go straight to `required`. Set `preferred` for the first `pulumi up`
     * (TLS on, plaintext still accepted while clients move to `rediss://`), then remove this argument
     * and run `pulumi up` again to reach `required`. Leave it out for a new group. Note that at-rest
     * encryption and its key cannot be changed in place: a group without them is replaced anyway.
     * @default - none: transit encryption mode `required`
     */
    readonly transitEncryptionMigration?: string;
    /**
     * Days automatic snapshots are kept; 0 turns them off.
     * @default - 7
     */
    readonly snapshotRetentionLimit?: number;
    /**
     * Daily snapshot window, `hh:mm-hh:mm` UTC, at least 60 minutes, not overlapping maintenance.
     * @default - `03:00-04:00`
     */
    readonly snapshotWindow?: string;
    /**
     * Weekly maintenance window, `ddd:hh:mm-ddd:hh:mm` UTC, at least 60 minutes.
     * @default - `sun:05:00-sun:06:00`
     */
    readonly maintenanceWindow?: string;
}

/** `ElastiCacheCache`'s arguments in TypeScript: the choices as literal unions, so a typo does not compile. */
export interface ElastiCacheCacheArgs extends ElastiCacheCacheInputs {
    /**
     * `valkey` or `redis` (Redis OSS).
     * @default - `valkey`
     */
    readonly engine?: CacheEngine;
    /**
     * How a token change is applied to the existing group: `SET` or `ROTATE` (see `ElastiCacheCacheInputs`).
     * @default - `SET`
     */
    readonly authTokenUpdateStrategy?: AuthTokenUpdateStrategy;
    /**
     * `preferred`, only for the first `pulumi up` of an existing group whose transit encryption is off.
     * @default - none: transit encryption mode `required`
     */
    readonly transitEncryptionMigration?: "preferred";
}

/**
 * A TLS-only ElastiCache replication group (cluster mode disabled): transit encryption `required`,
 * an AUTH token, at-rest encryption with a customer-managed KMS key, its own subnet group, and a
 * security group that admits only the cache port from the clients allowed. ElastiCache's server
 * certificates chain to Amazon's public roots, so the connection document trusts `public-roots`.
 */
export class ElastiCacheCache extends pulumi.ComponentResource {
    /** `rediss://:<token>@<primary endpoint>:6379/0` and its parts, as a secret document. */
    public readonly connection: pulumi.Output<ConnectionDocument>;
    /** The AUTH token (secret). */
    public readonly authToken: pulumi.Output<string>;
    /** The KMS key that encrypts the cache at rest. */
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** The cache's security group: add it to other rules, never widen it. */
    public readonly securityGroupId: pulumi.Output<string>;
    /** The primary endpoint's host name (also the TLS server name). */
    public readonly primaryEndpointAddress: pulumi.Output<string>;

    constructor(name: string, args: ElastiCacheCacheInputs, opts?: pulumi.ComponentResourceOptions) {
        super("tls-platform:index:ElastiCacheCache", name, {}, opts);

        // Plain JavaScript callers can leave out the whole bag: every missing argument is a problem below.
        args = args ?? ({} as ElastiCacheCacheInputs);
        const subject = `ElastiCacheCache "${name}"`;
        const engine = args.engine ?? DEFAULT_CACHE_ENGINE;
        const nodes = args.numCacheClusters ?? DEFAULT_NUM_CACHE_CLUSTERS;
        throwIfProblems(subject, validateElastiCacheArgs(args));
        const multiAz = nodes >= 2;

        const token = args.authToken !== undefined ? checkedWhenKnown(args.authToken, (t) => validateAuthToken(t), subject, this) : generatedToken(name, args.authTokenGeneration ?? 1, this);
        const kmsKeyArn = encryptionKeyArn(name, args.kmsKeyArn, `ElastiCache ${name}`, { parent: this });
        const subnetGroup = new aws.elasticache.SubnetGroup(
            `${name}-subnets`,
            { description: `ElastiCache ${name}`, subnetIds: checkedWhenKnown(args.subnetIds, (ids) => validateElastiCacheSubnets(ids, nodes), subject, this) },
            { parent: this },
        );
        const securityGroup = accessSecurityGroup(name, args, ELASTICACHE_PORT, `ElastiCache ${name}`, this);
        const group = new aws.elasticache.ReplicationGroup(
            `${name}-group`,
            {
                description: `ElastiCache ${name}: TLS-only ${engine} (tls-platform)`,
                engine,
                engineVersion: args.engineVersion ?? DEFAULT_ENGINE_VERSIONS[engine as CacheEngine],
                autoMinorVersionUpgrade: true,
                nodeType: args.nodeType ?? DEFAULT_CACHE_NODE_TYPE,
                port: ELASTICACHE_PORT,
                numCacheClusters: nodes,
                automaticFailoverEnabled: multiAz,
                multiAzEnabled: multiAz,
                subnetGroupName: subnetGroup.name,
                securityGroupIds: [securityGroup.id],
                transitEncryptionEnabled: true,
                transitEncryptionMode: args.transitEncryptionMigration ?? "required",
                authToken: pulumi.secret(token),
                authTokenUpdateStrategy: args.authTokenUpdateStrategy ?? DEFAULT_AUTH_TOKEN_UPDATE_STRATEGY,
                atRestEncryptionEnabled: true,
                kmsKeyId: kmsKeyArn,
                snapshotRetentionLimit: args.snapshotRetentionLimit ?? DEFAULT_SNAPSHOT_RETENTION_DAYS,
                snapshotWindow: args.snapshotWindow ?? DEFAULT_BACKUP_WINDOW,
                maintenanceWindow: args.maintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW,
            },
            { parent: this },
        );

        this.primaryEndpointAddress = group.primaryEndpointAddress;
        this.authToken = pulumi.secret(token);
        this.kmsKeyArn = kmsKeyArn;
        this.securityGroupId = securityGroup.id;
        this.connection = pulumi.secret(
            pulumi.all([group.primaryEndpointAddress, token]).apply(([host, password]) =>
                redisConnection({ host, port: ELASTICACHE_PORT, password, serverName: host, ca: { type: "public-roots" } }),
            ),
        );
        this.registerOutputs({
            connection: this.connection,
            authToken: this.authToken,
            kmsKeyArn: this.kmsKeyArn,
            securityGroupId: this.securityGroupId,
            primaryEndpointAddress: this.primaryEndpointAddress,
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
