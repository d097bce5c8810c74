import type { EmulatorRule } from "./rules";

// The rules behind prod that scales out (issue 12): ElastiCache cluster mode, RBAC users and user groups,
// RDS read replicas and Multi-AZ. Same shape and meaning as rules.ts, which appends them to EMULATOR_RULES;
// SCALING_BASELINES are the inputs they start from (shaped like ElastiCacheCache and RdsPostgres's own).

type Inputs = Record<string, any>;

const AWS = "hashicorp/terraform-provider-aws internal";
/** The v6-line replication_group.go (search-index file id 4789450415), as rules.ts cites it. */
const RG = `${AWS}/service/elasticache/replication_group.go (v6 line, search-index file id 4789450415)`;
/** The v5-line user.go and user_group.go (the v6 line, which pulumi-aws 7.48 bridges, takes `valkey` too: its elasticache/user.d.ts). */
const USER = `${AWS}/service/elasticache/user.go (v5 line, search-index file id 52127954095) ResourceUser`;
const USER_GROUP = `${AWS}/service/elasticache/user_group.go (v5 line, search-index file id 51888255023) ResourceUserGroup`;
const RDS_INSTANCE = `${AWS}/service/rds/instance.go (v5 line, search-index file id 1659451291) ResourceInstance`;
const SDK_LIST = "hashicorp/terraform-plugin-sdk helper/schema/schema.go validateList (MaxItems)";

const GROUP = "aws:elasticache/replicationGroup:ReplicationGroup";
const USER_TYPE = "aws:elasticache/user:User";
const USER_GROUP_TYPE = "aws:elasticache/userGroup:UserGroup";
const INSTANCE = "aws:rds/instance:Instance";

const clusterMode = (inputs: Inputs) => inputs.clusterMode === "enabled";
const withUserGroups = (inputs: Inputs) => Array.isArray(inputs.userGroupIds) && inputs.userGroupIds.length > 0;
const defaultParameterGroup = (inputs: Inputs) => typeof inputs.parameterGroupName === "string" && inputs.parameterGroupName.startsWith("default.");
const replica = (inputs: Inputs) => inputs.replicateSourceDb !== undefined;

export const SCALING_RULES: readonly EmulatorRule[] = [
    // aws: ElastiCache cluster mode
    {
        id: "aws.replicationGroup.clusterModeValues", type: GROUP, input: "clusterMode", verdict: "refused", stage: "plan",
        rule: "enabled, disabled or compatible", source: `${RG} resourceReplicationGroup: enum.Validate[ClusterMode]`,
        examples: [{ set: { clusterMode: "on" }, message: 'expected cluster_mode to be one of ["enabled" "disabled" "compatible"], got on' }],
    },
    {
        id: "aws.replicationGroup.shardsWithCacheClusters", type: GROUP, input: "numNodeGroups, numCacheClusters", verdict: "refused", stage: "plan",
        rule: "a shard count and num_cache_clusters conflict", source: `${RG} resourceReplicationGroup: num_cache_clusters ConflictsWith num_node_groups, replicas_per_node_group`,
        appliesTo: clusterMode,
        examples: [{ set: { numCacheClusters: 3 }, message: '"num_cache_clusters": conflicts with num_node_groups' }],
    },
    {
        id: "aws.replicationGroup.replicasPerShard", type: GROUP, input: "replicasPerNodeGroup", verdict: "refused", stage: "plan",
        rule: "0 to 5 replicas per node group", source: `${RG} resourceReplicationGroup: validation.IntBetween(0, 5)`,
        appliesTo: clusterMode,
        examples: [{ set: { replicasPerNodeGroup: 6 }, message: "expected replicas_per_node_group to be in the range (0 - 5), got 6" }, { set: { replicasPerNodeGroup: -1 }, message: "got -1" }],
    },
    {
        id: "aws.replicationGroup.clusterModeFailover", type: GROUP, input: "clusterMode, automaticFailoverEnabled", verdict: "refused", stage: "create",
        rule: "cluster mode needs automatic failover (the provider checks failover only against num_cache_clusters)",
        source: `ElastiCache API CreateReplicationGroup AutomaticFailoverEnabled ("must be enabled for Valkey or Redis OSS (cluster mode enabled) replication groups"): InvalidParameterCombination; ${RG} replicationGroupValidateAutomaticFailoverNumCacheClusters`,
        appliesTo: clusterMode,
        examples: [{ set: { automaticFailoverEnabled: false, multiAzEnabled: false }, message: "automatic failover must be enabled for a cluster mode enabled replication group" }],
    },
    {
        id: "aws.replicationGroup.clusterModeMultiAzReplicas", type: GROUP, input: "multiAzEnabled, replicasPerNodeGroup", verdict: "refused", stage: "create",
        rule: "Multi-AZ needs a replica in each node group", source: "ElastiCache API CreateReplicationGroup MultiAZEnabled (Multi-AZ needs a read replica to fail over to): InvalidParameterCombination",
        appliesTo: (inputs) => clusterMode(inputs) && inputs.multiAzEnabled === true,
        examples: [{ set: { replicasPerNodeGroup: 0 }, message: "Multi-AZ needs at least one replica in each node group" }],
    },
    {
        id: "aws.replicationGroup.parameterGroupFamily", type: GROUP, input: "parameterGroupName", verdict: "refused", stage: "create",
        rule: "AWS's default parameter group of the engine version's family, `.cluster.on` exactly in cluster mode", source: "ElastiCache API CreateReplicationGroup CacheParameterGroupName (the group's family must match the engine version; cluster mode needs cluster-enabled yes): InvalidParameterCombination",
        appliesTo: (inputs) => clusterMode(inputs) && defaultParameterGroup(inputs),
        examples: [
            { set: { parameterGroupName: "default.redis7.cluster.on" }, message: "is of family redis7, but engine valkey 8.0 needs family valkey8" },
            { set: { parameterGroupName: "default.valkey8" }, message: "has cluster-enabled no, which does not match cluster mode enabled" },
        ],
    },
    {
        id: "aws.replicationGroup.parameterGroupOtherName", type: GROUP, input: "parameterGroupName", verdict: "accepted", stage: "create",
        rule: "a custom parameter group's name is not checked at plan (nor by the emulator at create: its family is AWS's to read)", source: `${RG} resourceReplicationGroup (parameter_group_name has no ValidateFunc)`,
        appliesTo: clusterMode,
        examples: [{ set: { parameterGroupName: "team-valkey8-cluster" } }],
    },
    // aws: ElastiCache RBAC
    {
        id: "aws.replicationGroup.userGroupsWithToken", type: GROUP, input: "userGroupIds, authToken", verdict: "refused", stage: "plan",
        rule: "user groups or a token, not both", source: `${RG} resourceReplicationGroup: user_group_ids ConflictsWith auth_token`,
        appliesTo: withUserGroups,
        examples: [{ set: { authToken: "a-long-enough-token-0123456789" }, message: '"auth_token": conflicts with user_group_ids' }],
    },
    {
        id: "aws.replicationGroup.userGroupsNeedTransit", type: GROUP, input: "userGroupIds, transitEncryptionEnabled", verdict: "refused", stage: "create",
        rule: "RBAC (user groups) needs transit encryption", source: "ElastiCache RBAC (docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html: RBAC needs in-transit encryption); CreateReplicationGroup UserGroupIds: InvalidParameterCombination",
        appliesTo: withUserGroups,
        examples: [{ set: { transitEncryptionEnabled: false, transitEncryptionMode: null }, message: "user groups (RBAC) can be set only when transit encryption is enabled" }],
    },
    {
        id: "aws.user.required", type: USER_TYPE, input: "accessString, engine, userId, userName", verdict: "refused", stage: "plan",
        rule: "required", source: `${USER} (Required)`,
        examples: [
            { set: { accessString: null }, message: 'The argument "access_string" is required' },
            { set: { userName: null }, message: 'The argument "user_name" is required' },
        ],
    },
    {
        id: "aws.user.engine", type: USER_TYPE, input: "engine", verdict: "refused", stage: "plan",
        rule: "redis or valkey (any case)", source: `${USER}: StringInSlice (v6: [redis valkey], case-insensitive, per pulumi-aws 7.48 elasticache/user.d.ts)`,
        examples: [{ set: { engine: "memcached" }, message: 'expected engine to be one of ["redis" "valkey"], got memcached' }],
    },
    {
        id: "aws.user.engineCase", type: USER_TYPE, input: "engine", verdict: "accepted", stage: "create",
        rule: "the engine's case is not checked", source: `${USER}: StringInSlice(..., true), DiffSuppressFunc strings.EqualFold`,
        examples: [{ set: { engine: "VALKEY" } }],
    },
    {
        id: "aws.user.passwords", type: USER_TYPE, input: "passwords", verdict: "refused", stage: "plan",
        rule: "at most 2 passwords, each 16-128 characters (the emulator masks the password the SDK would print)", source: `${USER}: passwords MaxItems 2, StringLenBetween(16, 128); ${SDK_LIST}`,
        examples: [
            { set: { passwords: ["password-number-one-0123", "password-number-two-0123", "password-number-three-012"] }, message: "passwords: attribute supports 2 item maximum, config has 3 declared" },
            { set: { passwords: ["too-short"] }, message: "expected length of passwords.0 to be in the range (16 - 128)" },
        ],
    },
    {
        id: "aws.user.authenticationModeType", type: USER_TYPE, input: "authenticationMode.type", verdict: "refused", stage: "plan",
        rule: "password, no-password-required or iam", source: `${USER}: authentication_mode.type StringInSlice(InputAuthenticationType_Values())`,
        appliesTo: (inputs) => inputs.authenticationMode !== undefined,
        examples: [{ set: { "authenticationMode.type": "token" }, message: 'expected authentication_mode.0.type to be one of ["password" "no-password-required" "iam"], got token' }],
    },
    {
        id: "aws.user.passwordModeNeedsPassword", type: USER_TYPE, input: "authenticationMode.passwords", verdict: "refused", stage: "create",
        rule: "password authentication needs a password", source: "ElastiCache API CreateUser AuthenticationMode (Passwords for type password): InvalidParameterValue",
        appliesTo: (inputs) => inputs.authenticationMode?.type === "password",
        examples: [{ set: { "authenticationMode.passwords": null }, message: "password authentication needs at least one password" }],
    },
    {
        id: "aws.user.iamNames", type: USER_TYPE, input: "authenticationMode.type, userId, userName", verdict: "refused", stage: "create",
        rule: "IAM authentication needs user id = user name", source: "ElastiCache RBAC, Authenticating with IAM (user id and user name identical): CreateUser InvalidParameterCombination",
        appliesTo: (inputs) => inputs.userId !== inputs.userName,
        examples: [{ set: { authenticationMode: { type: "iam" } }, message: "IAM authentication needs the user id and the user name to be the same" }],
    },
    {
        id: "aws.user.userId", type: USER_TYPE, input: "userId", verdict: "refused", stage: "create",
        rule: "a letter, then lower-case letters, digits and hyphens (no plan check)", source: `AWS::ElastiCache::User UserId pattern [a-z][a-z0-9\\-]* (CreateUser: InvalidParameterValue); ${USER} (user_id has no ValidateFunc)`,
        examples: [{ set: { userId: "App_User" }, message: "must begin with a letter and contain only lower-case letters, digits and hyphens" }],
    },
    {
        id: "aws.userGroup.required", type: USER_GROUP_TYPE, input: "engine, userGroupId", verdict: "refused", stage: "plan",
        rule: "required", source: `${USER_GROUP} (Required)`,
        examples: [{ set: { userGroupId: null }, message: 'The argument "user_group_id" is required' }],
    },
    {
        id: "aws.userGroup.engine", type: USER_GROUP_TYPE, input: "engine", verdict: "refused", stage: "plan",
        rule: "redis or valkey (any case)", source: `${USER_GROUP}: StringInSlice (v6: [redis valkey], case-insensitive, per pulumi-aws 7.48 elasticache/userGroup.d.ts)`,
        examples: [{ set: { engine: "memcached" }, message: 'expected engine to be one of ["redis" "valkey"], got memcached' }],
    },
    {
        id: "aws.userGroup.userGroupId", type: USER_GROUP_TYPE, input: "userGroupId", verdict: "refused", stage: "create",
        rule: "a letter, then lower-case letters, digits and hyphens (no plan check)", source: `ElastiCache API CreateUserGroup UserGroupId: InvalidParameterValue; ${USER_GROUP} (no ValidateFunc)`,
        examples: [{ set: { userGroupId: "Cache_Users" }, message: "must begin with a letter and contain only lower-case letters, digits and hyphens" }],
    },
    // aws: RDS read replicas and Multi-AZ
    {
        id: "aws.rdsInstance.replicaOwnNames", type: INSTANCE, input: "replicateSourceDb, dbName, username", verdict: "refused", stage: "plan",
        rule: "a read replica takes its source's database and user", source: `${RDS_INSTANCE} (db_name, username ConflictsWith replicate_source_db)`,
        appliesTo: replica,
        examples: [{ set: { dbName: "app" }, message: '"db_name": conflicts with replicate_source_db' }, { set: { username: "app" }, message: '"username": conflicts with replicate_source_db' }],
    },
    {
        id: "aws.rdsInstance.multiAzAvailabilityZone", type: INSTANCE, input: "multiAz, availabilityZone", verdict: "refused", stage: "create",
        rule: "no fixed availability zone on a Multi-AZ instance", source: "RDS API CreateDBInstance AvailabilityZone (not with MultiAZ): InvalidParameterCombination",
        appliesTo: (inputs) => inputs.multiAz === true,
        examples: [{ set: { availabilityZone: "eu-west-1a" }, message: "Requesting a specific availability zone is not valid for Multi-AZ instances" }],
    },
];

/** Inputs the rules above start from: a cluster-mode RBAC group, its users and user group, a Multi-AZ read replica. */
export const SCALING_BASELINES: Readonly<Record<string, readonly Inputs[]>> = {
    [GROUP]: [{
        description: "ElastiCache cache: TLS-only valkey cluster", engine: "valkey", engineVersion: "8.0", nodeType: "cache.t4g.small", clusterMode: "enabled", numNodeGroups: 2,
        replicasPerNodeGroup: 1, automaticFailoverEnabled: true, multiAzEnabled: true, parameterGroupName: "default.valkey8.cluster.on", transitEncryptionEnabled: true,
        transitEncryptionMode: "required", atRestEncryptionEnabled: true, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/3317531f-9c13-4b47-9ee6-5a6aa1e73e47",
        userGroupIds: ["g-cache-1a2b3c4d"], maintenanceWindow: "sun:05:00-sun:06:00", snapshotWindow: "03:00-04:00", snapshotRetentionLimit: 7, port: 6379,
    }],
    [USER_TYPE]: [{
        userId: "u-cache-app-1a2b3c4d", userName: "app", engine: "valkey", accessString: "on ~app:* &app:* +@all -@dangerous",
        authenticationMode: { type: "password", passwords: ["a-long-enough-password-0123456789"] },
    }],
    [USER_GROUP_TYPE]: [{ userGroupId: "g-cache-1a2b3c4d", engine: "valkey", userIds: ["u-cache-default-1a2b3c4d", "u-cache-app-1a2b3c4d"] }],
    [INSTANCE]: [{
        replicateSourceDb: "db-primary", instanceClass: "db.t4g.small", storageEncrypted: true, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/3985d5d3-4252-45d2-ab0f-b08c428bda05",
        multiAz: true, port: 5432, maintenanceWindow: "sun:05:00-sun:06:00", skipFinalSnapshot: true, publiclyAccessible: false,
    }],
};
