import * as pulumi from "@pulumi/pulumi";
import { AuthTokenUpdateStrategy, CacheEngine } from "./defaults";
import { PrivateNetworkArgs } from "./network";

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
    /**
     * Cluster mode (sharded, Redis Cluster): keys spread over `shards` node groups, each a primary and
     * `replicasPerShard` replicas, with automatic failover always on (AWS requires it in cluster mode)
     * and Multi-AZ on when shards have replicas. Clients start from the configuration endpoint and
     * verify each node against the host name it is reached by (the document's `topology`).
     * Set it when the cache is created: the provider would modify `cluster_mode` in place, and AWS
     * moves an existing group to cluster mode only through its `compatible` step (ModifyReplicationGroup
     * ClusterMode), which this component does not take; migrate to a new cache instead.
     * @default - false: one shard, sized by `numCacheClusters`
     */
    readonly clusterMode?: boolean;
    /**
     * Shards (node groups) in cluster mode, 1–500. Changing it reshards online.
     * @default - 2
     */
    readonly shards?: number;
    /**
     * Replicas in each shard in cluster mode, 0–5. One or more turn Multi-AZ on (and need subnets in two AZs).
     * @default - 1
     */
    readonly replicasPerShard?: number;
    /**
     * A cache parameter group of the engine version's family (`valkey8`, `redis7`, ...); in cluster
     * mode it must have `cluster-enabled yes`. AWS's `default.<family>` groups are checked here; a
     * custom group's family is checked by AWS at create.
     * @default - `default.<family>.cluster.on` in cluster mode, AWS's `default.<family>` otherwise
     */
    readonly parameterGroupName?: string;
    /**
     * Role-based access control instead of the single AUTH token: one ElastiCache user per application
     * named here (1–32 of `a-z 0-9 _ -`), each with a generated password and the access string
     * `on ~<user>:* &<user>:* +@all -@dangerous` (its own keys and channels, no administrative or
     * dangerous command), in a user group with a disabled `default` user (`off -@all`), so a
     * connection that does not authenticate can do nothing. `connection` is the first user's document;
     * `userConnections` holds each. Not together with the `authToken*` arguments.
     * @default - none: the single AUTH token
     */
    readonly rbacUsers?: string[];
    /**
     * Give every RBAC user all keys and channels (`~* &*`) instead of its own prefix, for applications
     * that cannot prefix their keys. Commands stay limited.
     * @default - false: keys and channels `<user>:*` only
     */
    readonly rbacAllKeys?: boolean;
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
