import * as crypto from "node:crypto";
import { Diagnostics } from "./diagnostics";

// ElastiCache cluster mode and RBAC (users and user groups) as the provider and the API treat them:
// the plan-time checks of aws:elasticache/user and aws:elasticache/userGroup, the API's refusals at
// create of the cluster-mode and RBAC combinations, and the state AWS reports for a cluster-mode group.
// Messages quoted from the provider or the SDK say so; the API's refusals are paraphrased. RULES.md
// lists every rule with its upstream file and function (rules-scaling.ts).

type Inputs = Record<string, any>;

/** terraform-plugin-sdk helper/schema validateList's messages for MaxItems / MinItems, word for word. */
function itemCount(d: Diagnostics, key: string, value: unknown, min: number | undefined, max: number | undefined, property: string): void {
    if (!Array.isArray(value)) return;
    if (max !== undefined && value.length > max) d.add(`${key}: attribute supports ${max} item maximum, config has ${value.length} declared`, property);
    if (min !== undefined && value.length < min) d.add(`${key}: attribute supports ${min} item as a minimum, config has ${value.length} declared`, property);
}

function engineInSlice(d: Diagnostics, value: unknown): void {
    // v6 line: StringInSlice([redis valkey], true) (pulumi-aws 7.48 elasticache/user.d.ts, userGroup.d.ts: "redis, valkey (case insensitive)").
    if (typeof value === "string" && !["redis", "valkey"].includes(value.toLowerCase())) d.add(`expected engine to be one of ["redis" "valkey"], got ${value}`, "engine");
}

/**
 * Plan-time checks of `aws:elasticache/user` (internal/service/elasticache/user.go `resourceUser`):
 * access_string, engine, user_id and user_name required; engine redis or valkey in any case; passwords at
 * most 2, each 16-128 long; authentication_mode.type one of the API's InputAuthenticationType values and
 * its passwords at least 1.
 */
export function checkElastiCacheUser(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "accessString", "engine", "userId", "userName");
    engineInSlice(d, inputs.engine);
    itemCount(d, "passwords", inputs.passwords, undefined, 2, "passwords");
    (inputs.passwords ?? []).forEach((p: unknown, i: number) => {
        if (typeof p === "string" && (p.length < 16 || p.length > 128)) d.add(`expected length of passwords.${i} to be in the range (16 - 128), got ${"*".repeat(p.length)}`, `passwords[${i}]`);
    });
    const mode = inputs.authenticationMode;
    if (mode !== undefined && mode !== null) {
        if (mode.type === undefined) d.add('Missing required argument: The argument "authentication_mode.0.type" is required, but no definition was found.', "authenticationMode.type");
        if (typeof mode.type === "string" && !["password", "no-password-required", "iam"].includes(mode.type)) {
            d.add(`expected authentication_mode.0.type to be one of ["password" "no-password-required" "iam"], got ${mode.type}`, "authenticationMode.type");
        }
        itemCount(d, "authentication_mode.0.passwords", mode.passwords, 1, undefined, "authenticationMode.passwords");
    }
}

/**
 * `aws:elasticache/user`, with the API's refusals at create (CreateUser): a user id outside
 * `[a-z][a-z0-9-]*` (AWS::ElastiCache::User UserId pattern), password authentication without a password,
 * and IAM authentication whose user id and user name differ (RBAC, "Authenticating with IAM").
 */
export function elastiCacheUser(name: string, inputs: Inputs, region: string, account: string): Record<string, unknown> {
    const d = new Diagnostics();
    checkElastiCacheUser(inputs, d);
    if (typeof inputs.userId === "string" && !/^[a-z][a-z0-9-]*$/.test(inputs.userId)) {
        d.add(`InvalidParameterValue: user id ${inputs.userId} must begin with a letter and contain only lower-case letters, digits and hyphens`, "userId");
    }
    const type = inputs.authenticationMode?.type ?? (inputs.noPasswordRequired ? "no-password-required" : "password");
    const passwords = inputs.authenticationMode?.passwords ?? inputs.passwords ?? [];
    if (type === "password" && passwords.length === 0 && inputs.noPasswordRequired !== true) {
        d.add("InvalidParameterValue: password authentication needs at least one password (or no-password-required)", "authenticationMode.passwords");
    }
    if (type === "iam" && inputs.userId !== inputs.userName) {
        d.add("InvalidParameterCombination: IAM authentication needs the user id and the user name to be the same", "userName");
    }
    d.throwIfAny("aws:elasticache/user:User", name);
    return {
        ...inputs,
        id: inputs.userId,
        arn: `arn:aws:elasticache:${region}:${account}:user:${inputs.userId}`,
        engine: String(inputs.engine).toLowerCase(),
        authenticationMode: inputs.authenticationMode ? { ...inputs.authenticationMode, passwordCount: passwords.length } : undefined,
    };
}

/** Plan-time checks of `aws:elasticache/userGroup` (internal/service/elasticache/user_group.go `resourceUserGroup`): engine and user_group_id required, engine redis or valkey. */
export function checkElastiCacheUserGroup(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "engine", "userGroupId");
    engineInSlice(d, inputs.engine);
}

/** `aws:elasticache/userGroup`, refusing at create an id outside ElastiCache's pattern (CreateUserGroup). */
export function elastiCacheUserGroup(name: string, inputs: Inputs, region: string, account: string): Record<string, unknown> {
    const d = new Diagnostics();
    checkElastiCacheUserGroup(inputs, d);
    if (typeof inputs.userGroupId === "string" && !/^[a-z][a-z0-9-]*$/.test(inputs.userGroupId)) {
        d.add(`InvalidParameterValue: user group id ${inputs.userGroupId} must begin with a letter and contain only lower-case letters, digits and hyphens`, "userGroupId");
    }
    d.throwIfAny("aws:elasticache/userGroup:UserGroup", name);
    return { ...inputs, id: inputs.userGroupId, arn: `arn:aws:elasticache:${region}:${account}:usergroup:${inputs.userGroupId}`, engine: String(inputs.engine).toLowerCase(), userIds: inputs.userIds ?? [] };
}

/** ElastiCache's parameter group family of an engine version (`valkey8`, `redis7`, `redis6.x`). */
function family(engine: string, version: unknown): string | undefined {
    const m = typeof version === "string" ? /^(\d+)\.(\d+)$/.exec(version) : null;
    if (!m) return undefined;
    const major = Number(m[1]);
    return engine === "valkey" ? `valkey${major}` : major >= 7 ? `redis${major}` : major === 6 ? "redis6.x" : undefined;
}

/**
 * The API's refusals at create (CreateReplicationGroup) of the cluster-mode and RBAC combinations the
 * provider lets through its plan:
 * - cluster mode without automatic failover ("AutomaticFailoverEnabled must be enabled for Valkey or
 *   Redis OSS (cluster mode enabled) replication groups");
 * - Multi-AZ with no replica to fail over to (cluster mode, replicas_per_node_group 0);
 * - one of AWS's `default.<family>[.cluster.on]` parameter groups of another family than the engine
 *   version's, or whose cluster setting differs from the group's cluster mode;
 * - user groups without transit encryption (RBAC needs TLS).
 */
export function clusterCreateProblems(inputs: Inputs, engine: string, d: Diagnostics): void {
    const cluster = inputs.clusterMode === "enabled";
    if (cluster && inputs.automaticFailoverEnabled !== true) {
        d.add("InvalidParameterCombination: automatic failover must be enabled for a cluster mode enabled replication group", "automaticFailoverEnabled");
    }
    if (cluster && inputs.multiAzEnabled === true && inputs.replicasPerNodeGroup === 0) {
        d.add("InvalidParameterCombination: Multi-AZ needs at least one replica in each node group (replicas_per_node_group is 0)", "multiAzEnabled");
    }
    const group = inputs.parameterGroupName;
    const m = typeof group === "string" ? /^default\.(.+?)(\.cluster\.on)?$/.exec(group) : null;
    const expected = family(engine, inputs.engineVersion);
    if (m && expected !== undefined) {
        if (m[1] !== expected) {
            d.add(`InvalidParameterCombination: cache parameter group ${group} is of family ${m[1]}, but engine ${engine} ${inputs.engineVersion} needs family ${expected}`, "parameterGroupName");
        } else if (cluster !== (m[2] !== undefined)) {
            d.add(`InvalidParameterCombination: cache parameter group ${group} has cluster-enabled ${m[2] ? "yes" : "no"}, which does not match cluster mode ${cluster ? "enabled" : "disabled"}`, "parameterGroupName");
        }
    }
    if (Array.isArray(inputs.userGroupIds) && inputs.userGroupIds.length > 0 && inputs.transitEncryptionEnabled !== true) {
        d.add("InvalidParameterCombination: user groups (RBAC) can be set only when transit encryption is enabled", "userGroupIds");
    }
}

/**
 * What AWS reports for a cluster-mode group: the configuration endpoint (`clustercfg.` with TLS, as AWS
 * names it), no primary endpoint, and member clusters `<id>-<shard 0001>-<node 001>`.
 */
export function clusterState(id: string, inputs: Inputs, regionCode: string): Record<string, unknown> {
    const zone = crypto.randomBytes(3).toString("hex");
    const shards = inputs.numNodeGroups ?? 1;
    const nodes = (inputs.replicasPerNodeGroup ?? 0) + 1;
    const host = `${inputs.transitEncryptionEnabled ? "clustercfg." : ""}${id}.${zone}.${regionCode}.cache.amazonaws.com`;
    return {
        clusterEnabled: true,
        configurationEndpointAddress: host,
        primaryEndpointAddress: undefined,
        readerEndpointAddress: undefined,
        numNodeGroups: shards,
        replicasPerNodeGroup: nodes - 1,
        memberClusters: Array.from({ length: shards * nodes }, (_, i) => `${id}-${String(Math.floor(i / nodes) + 1).padStart(4, "0")}-${String((i % nodes) + 1).padStart(3, "0")}`),
    };
}
