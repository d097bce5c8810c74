/**
 * ElastiCacheCache's argument checks (pure): engine and version, the AUTH token and its arguments,
 * subnets per shard, and the cluster-mode and RBAC checks (cluster.ts, rbac.ts). Network, window and
 * range helpers are shared with RdsPostgres (validate.ts).
 */
import { Problem, show } from "../shared/problems";
import { nodesPerShard, validateClusterArgs } from "./cluster";
import {
    AUTH_TOKEN_LENGTH,
    AUTH_TOKEN_UPDATE_STRATEGIES,
    CACHE_ENGINES,
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
    MAX_AUTH_TOKEN_LENGTH,
    MAX_NUM_CACHE_CLUSTERS,
    MAX_SNAPSHOT_RETENTION_DAYS,
    MIN_AUTH_TOKEN_LENGTH,
    MIN_ELASTICACHE_WINDOW_MINUTES,
    MIN_TLS_ENGINE_VERSIONS,
} from "./defaults";
import type { ElastiCacheCacheInputs } from "./elasticache-args";
import { validateNodeClass, validateSnapshotWindowOverlap } from "./limits";
import { validateRbacArgs } from "./rbac";
import { isWhole, plural, validateKmsKeyArn, validateNetwork, validateSubnetIds, validateWholeRange, validateWindow } from "./validate";

/**
 * Subnets of an ElastiCache group: two AZs once it (or, in cluster mode, each shard) has replicas,
 * since Multi-AZ then is on. `nodes` counts the nodes of one shard.
 */
export function validateElastiCacheSubnets(subnetIds: readonly unknown[], nodes: number, clusterMode = false): Problem[] {
    const multiAz = isWhole(nodes) && nodes >= 2;
    const why = clusterMode
        ? `shards with ${plural(nodes - 1, "replica")} and Multi-AZ need subnets in at least two availability zones; add one per AZ, or set \`replicasPerShard: 0\`.`
        : `${nodes} nodes with Multi-AZ need subnets in at least two availability zones; add one per AZ, or set \`numCacheClusters: 1\`.`;
    return validateSubnetIds(subnetIds, multiAz ? 2 : 1, why);
}

/**
 * An ElastiCache AUTH token: 16–128 characters from letters, digits and `! & # $ ^ < > -` (AWS
 * auth.html). The provider checks only the length and `@ " /`, so anything else, `%` say, passes
 * preview and fails at AWS. The token itself is never quoted: it is a secret.
 */
export function validateAuthToken(token: string, path = "authToken"): Problem[] {
    const problems: Problem[] = [];
    if (token.length < MIN_AUTH_TOKEN_LENGTH || token.length > MAX_AUTH_TOKEN_LENGTH) {
        problems.push({
            path,
            message: `\`${path}\`: has ${plural(token.length, "character")} (value not shown: it is a secret); ElastiCache requires ${MIN_AUTH_TOKEN_LENGTH} to ${MAX_AUTH_TOKEN_LENGTH}; use another token, or leave \`${path}\` out to have a ${AUTH_TOKEN_LENGTH}-character one generated.`,
        });
    }
    const forbidden = [...new Set([...token].filter((c) => !/^[A-Za-z0-9!&#$^<>-]$/.test(c)))];
    if (forbidden.length > 0) {
        problems.push({
            path,
            message: `\`${path}\`: contains ${forbidden.map(show).join(", ")}, which ElastiCache does not allow (the provider rejects only \`@\`, \`"\` and \`/\`, so this would pass preview and fail at AWS); use only letters, digits and \`! & # $ ^ < > -\`.`,
        });
    }
    return problems;
}

/** Engine and version: a known engine, in a version that changes TLS settings without replacing the group. */
export function validateCacheEngine(engine: unknown, version: unknown): Problem[] {
    if (!(CACHE_ENGINES as readonly unknown[]).includes(engine)) {
        return [{ path: "engine", message: `\`engine\`: ${show(engine)} is not supported; use \`valkey\` (the default) or \`redis\`.` }];
    }
    const e = engine as (typeof CACHE_ENGINES)[number];
    const m = typeof version === "string" ? /^(\d+)\.(\d+)$/.exec(version) : null;
    const [minMajor, minMinor] = MIN_TLS_ENGINE_VERSIONS[e];
    const minimum = `${minMajor}.${minMinor}`;
    if (!m) {
        return [{ path: "engineVersion", message: `\`engineVersion\`: ${show(version)} is not a major.minor version; use e.g. \`${DEFAULT_ENGINE_VERSIONS[e]}\` (the ${e} default); AWS picks the patch release.` }];
    }
    const [major, minor] = [Number(m[1]), Number(m[2])];
    if (major < minMajor || (major === minMajor && minor < minMinor)) {
        return [
            {
                path: "engineVersion",
                message: `\`engineVersion\`: ${e} ${show(version)} is older than ${minimum}, so any change of its TLS settings would replace the whole group and its data (in-place changes need ${e === "valkey" ? "Valkey" : "Redis OSS"} ${minimum}+); use \`${DEFAULT_ENGINE_VERSIONS[e]}\` (the ${e} default) or at least \`${minimum}\`.`,
            },
        ];
    }
    return [];
}

/** The single AUTH token's arguments: a token ElastiCache takes, a generation only for a generated one, SET or ROTATE. */
function validateTokenArgs(args: ElastiCacheCacheInputs): Problem[] {
    const problems: Problem[] = [];
    const strategy = args.authTokenUpdateStrategy ?? DEFAULT_AUTH_TOKEN_UPDATE_STRATEGY;
    if (typeof args.authToken === "string") {
        problems.push(...validateAuthToken(args.authToken));
    }
    if (args.authToken !== undefined && args.authTokenGeneration !== undefined) {
        problems.push({ path: "authTokenGeneration", message: "`authTokenGeneration`: only changes a generated token, but `authToken` is given; rotate by passing a new `authToken`, or remove `authToken` to have one generated." });
    } else if (args.authTokenGeneration !== undefined) {
        problems.push(...validateWholeRange("authTokenGeneration", args.authTokenGeneration, 1, Number.MAX_SAFE_INTEGER, "1 up; raise it by one to generate a new token"));
    }
    if (!(AUTH_TOKEN_UPDATE_STRATEGIES as readonly unknown[]).includes(strategy)) {
        problems.push({
            path: "authTokenUpdateStrategy",
            message: `\`authTokenUpdateStrategy\`: ${show(strategy)} is not allowed; use \`SET\` (the default) or \`ROTATE\` (\`DELETE\` would remove the password and leave the cache open to the network).`,
        });
    } else if (strategy === "ROTATE" && args.groupAlreadyHasAuthToken !== true) {
        problems.push({
            path: "authTokenUpdateStrategy",
            message: "`authTokenUpdateStrategy`: `ROTATE` on a group that has no token yet keeps passwordless access working beside the new token (AWS auth.html); use `SET` (the default), or, if the group already has a token, say so with `groupAlreadyHasAuthToken: true`.",
        });
    }
    return problems;
}

/** Every problem with an `ElastiCacheCache`'s arguments that is known now (pure). */
export function validateElastiCacheArgs(given: ElastiCacheCacheInputs): Problem[] {
    // Callers from plain JavaScript (or another language) can leave out the whole bag.
    const args: ElastiCacheCacheInputs = given ?? ({} as ElastiCacheCacheInputs);
    const engine = args.engine ?? DEFAULT_CACHE_ENGINE;
    const nodes = args.numCacheClusters ?? DEFAULT_NUM_CACHE_CLUSTERS;
    const cluster = args.clusterMode === true;
    const version = args.engineVersion ?? DEFAULT_ENGINE_VERSIONS[engine as CacheEngine];
    const problems = [
        ...validateNetwork(args, ELASTICACHE_PORT, "cache", (ids) => validateElastiCacheSubnets(ids, nodesPerShard(args, DEFAULT_NUM_CACHE_CLUSTERS), cluster)),
        ...validateCacheEngine(engine, version),
        ...(cluster ? [] : validateWholeRange("numCacheClusters", nodes, 1, MAX_NUM_CACHE_CLUSTERS, `1 (a single node, no failover) to ${MAX_NUM_CACHE_CLUSTERS} (a primary and five replicas); default ${DEFAULT_NUM_CACHE_CLUSTERS}`)),
        ...validateClusterArgs(String(engine), String(version), args),
        ...validateRbacArgs(args),
        ...validateWholeRange("snapshotRetentionLimit", args.snapshotRetentionLimit ?? DEFAULT_SNAPSHOT_RETENTION_DAYS, 0, MAX_SNAPSHOT_RETENTION_DAYS, `0 (no snapshots) to ${MAX_SNAPSHOT_RETENTION_DAYS} days; default ${DEFAULT_SNAPSHOT_RETENTION_DAYS}`),
        ...validateWindow("maintenanceWindow", args.maintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW, "weekly", MIN_ELASTICACHE_WINDOW_MINUTES, DEFAULT_MAINTENANCE_WINDOW),
        ...validateWindow("snapshotWindow", args.snapshotWindow ?? DEFAULT_BACKUP_WINDOW, "daily", MIN_ELASTICACHE_WINDOW_MINUTES, DEFAULT_BACKUP_WINDOW),
        ...validateSnapshotWindowOverlap(args.snapshotWindow ?? DEFAULT_BACKUP_WINDOW, args.maintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW, { snapshot: DEFAULT_BACKUP_WINDOW, maintenance: DEFAULT_MAINTENANCE_WINDOW }),
        ...validateNodeClass("nodeType", args.nodeType ?? DEFAULT_CACHE_NODE_TYPE, "cache", DEFAULT_CACHE_NODE_TYPE),
        ...validateKmsKeyArn(args.kmsKeyArn),
    ];
    if (args.rbacUsers === undefined) {
        // Beside RBAC users the token arguments are refused outright (validateRbacArgs).
        problems.push(...validateTokenArgs(args));
    }
    if (args.transitEncryptionMigration !== undefined && args.transitEncryptionMigration !== "preferred") {
        problems.push({
            path: "transitEncryptionMigration",
            message: `\`transitEncryptionMigration\`: ${show(args.transitEncryptionMigration)} is not a migration step; set \`preferred\` for the first \`pulumi up\` on a group whose transit encryption is off, then remove the argument for the second (mode \`required\`).`,
        });
    }
    return problems;
}
