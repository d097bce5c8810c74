/**
 * ElastiCache cluster mode (sharded) as this library sets it up, and the combinations AWS or the
 * provider refuses, checked before anything is created. Provider rules are read from
 * hashicorp/terraform-provider-aws internal/service/elasticache/replication_group.go (v6 line, the one
 * pulumi-aws 7 bridges; search-index file id 4789450415); API rules from the ElastiCache API
 * reference, CreateReplicationGroup.
 */
import { Problem, show } from "../shared/problems";
import { CacheEngine, DEFAULT_REPLICAS_PER_SHARD, DEFAULT_SHARDS, MAX_REPLICAS_PER_SHARD, MAX_SHARDS } from "./defaults";

const isWhole = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n);

/** The arguments that decide the group's shape (a subset of `ElastiCacheCacheInputs`). */
export interface ClusterShapeArgs {
    readonly clusterMode?: boolean;
    readonly shards?: number;
    readonly replicasPerShard?: number;
    readonly numCacheClusters?: number;
    readonly parameterGroupName?: string;
}

/**
 * The parameter group family of an engine version, as ElastiCache names its default groups
 * (`default.valkey8`, `default.redis7.cluster.on`): Valkey `valkey<major>`, Redis OSS 7 `redis7`,
 * Redis OSS 6 `redis6.x` (DescribeCacheParameterGroups; docs.aws.amazon.com/AmazonElastiCache/latest/dg/
 * ParameterGroups.Engine.html). Undefined for a version that does not parse (validated elsewhere).
 */
export function cacheParameterGroupFamily(engine: string, version: string): string | undefined {
    const m = /^(\d+)\.(\d+)$/.exec(version);
    if (!m) return undefined;
    const major = Number(m[1]);
    if (engine === "valkey") return `valkey${major}`;
    if (engine === "redis") return major >= 7 ? `redis${major}` : major === 6 ? "redis6.x" : undefined;
    return undefined;
}

/** AWS's own parameter group for the family: `default.<family>`, with `.cluster.on` for cluster mode (`cluster-enabled yes`). */
export function defaultParameterGroupName(family: string, clusterMode: boolean): string {
    return `default.${family}${clusterMode ? ".cluster.on" : ""}`;
}

/** What the replication group is given for its shape: one of the two provider layouts, never both (cluster mode unset means disabled). */
export type GroupShape =
    | { readonly clusterMode: "enabled"; readonly numNodeGroups: number; readonly replicasPerNodeGroup: number; readonly automaticFailoverEnabled: true; readonly multiAzEnabled: boolean; readonly parameterGroupName: string }
    | { readonly clusterMode?: undefined; readonly numCacheClusters: number; readonly automaticFailoverEnabled: boolean; readonly multiAzEnabled: boolean; readonly parameterGroupName?: string };

/**
 * The replication group's shape inputs. Cluster mode always has automatic failover on: "AutomaticFailoverEnabled
 * must be enabled for Valkey or Redis OSS (cluster mode enabled) replication groups" (CreateReplicationGroup),
 * and the provider does not check it (its CustomizeDiff looks at `num_cache_clusters` only). Multi-AZ
 * needs a replica to fail over to, so it is on exactly when shards (or the group) have replicas.
 */
export function groupShape(engine: CacheEngine, version: string, args: ClusterShapeArgs, defaultNodes: number): GroupShape {
    const family = cacheParameterGroupFamily(engine, version) ?? engine;
    if (args.clusterMode === true) {
        const replicas = args.replicasPerShard ?? DEFAULT_REPLICAS_PER_SHARD;
        return {
            clusterMode: "enabled",
            numNodeGroups: args.shards ?? DEFAULT_SHARDS,
            replicasPerNodeGroup: replicas,
            automaticFailoverEnabled: true,
            multiAzEnabled: replicas >= 1,
            parameterGroupName: args.parameterGroupName ?? defaultParameterGroupName(family, true),
        };
    }
    const nodes = args.numCacheClusters ?? defaultNodes;
    // `cluster_mode` stays unset here, as before cluster mode existed: the group AWS makes is the same.
    return { numCacheClusters: nodes, automaticFailoverEnabled: nodes >= 2, multiAzEnabled: nodes >= 2, ...(args.parameterGroupName !== undefined ? { parameterGroupName: args.parameterGroupName } : {}) };
}

/** Nodes per shard (cluster mode) or in the group: what decides whether subnets in two AZs are needed. */
export function nodesPerShard(args: ClusterShapeArgs, defaultNodes: number): number {
    return args.clusterMode === true ? (args.replicasPerShard ?? DEFAULT_REPLICAS_PER_SHARD) + 1 : (args.numCacheClusters ?? defaultNodes);
}

/**
 * Every problem with the cluster-mode arguments:
 * - `numCacheClusters` with `shards`/`replicasPerShard`: the provider's `num_cache_clusters` is
 *   `ConflictsWith: num_node_groups, replicas_per_node_group`; here it is also refused in cluster mode
 *   at all, since a cluster-mode group is sized by shards.
 * - `shards`/`replicasPerShard` without `clusterMode: true`: a cluster-mode-disabled group has exactly
 *   one shard, sized by `numCacheClusters`.
 * - replicas per shard 0–5 (`replicas_per_node_group`: `validation.IntBetween(0, 5)`); shards 1–500
 *   (CreateReplicationGroup NumNodeGroups; unchecked by the provider, refused by AWS).
 * - a `default.` parameter group of another family than the engine version's, or without `.cluster.on`
 *   in cluster mode (or with it outside): AWS refuses a group of another family
 *   (InvalidParameterCombination) and cluster mode needs `cluster-enabled yes`. A custom group's
 *   family is not visible here; AWS checks it at create.
 */
export function validateClusterArgs(engine: string, version: string, args: ClusterShapeArgs): Problem[] {
    const problems: Problem[] = [];
    const cluster = args.clusterMode === true;
    if (args.clusterMode !== undefined && typeof args.clusterMode !== "boolean") {
        problems.push({ path: "clusterMode", message: `\`clusterMode\`: ${show(args.clusterMode)} is not a boolean; set \`true\` for a sharded group (Redis Cluster), or leave it out.` });
    }
    if (cluster && args.numCacheClusters !== undefined) {
        problems.push({
            path: "numCacheClusters",
            message: `\`numCacheClusters\`: ${show(args.numCacheClusters)} sizes a group without cluster mode; with \`clusterMode: true\` the provider refuses it beside a shard count ("num_cache_clusters": conflicts with num_node_groups); remove it and size the cluster with \`shards\` and \`replicasPerShard\`.`,
        });
    }
    if (!cluster) {
        for (const key of ["shards", "replicasPerShard"] as const) {
            if (args[key] !== undefined) {
                problems.push({
                    path: key,
                    message: `\`${key}\`: ${show(args[key])} applies only in cluster mode; a group without cluster mode has one shard sized by \`numCacheClusters\`; set \`clusterMode: true\` to shard, or remove \`${key}\`.`,
                });
            }
        }
    }
    if (cluster) {
        const shards = args.shards ?? DEFAULT_SHARDS;
        if (!isWhole(shards) || shards < 1 || shards > MAX_SHARDS) {
            problems.push({ path: "shards", message: `\`shards\`: ${show(shards)} is out of range; ElastiCache takes a whole number of node groups from 1 to ${MAX_SHARDS}; default ${DEFAULT_SHARDS}.` });
        }
        const replicas = args.replicasPerShard ?? DEFAULT_REPLICAS_PER_SHARD;
        if (!isWhole(replicas) || replicas < 0 || replicas > MAX_REPLICAS_PER_SHARD) {
            problems.push({
                path: "replicasPerShard",
                message: `\`replicasPerShard\`: ${show(replicas)} is out of range; the provider takes 0 to ${MAX_REPLICAS_PER_SHARD} (replicas_per_node_group); use at least 1 (the default) for failover and Multi-AZ.`,
            });
        }
    }
    problems.push(...validateParameterGroupName(engine, version, args.parameterGroupName, cluster));
    return problems;
}

function validateParameterGroupName(engine: string, version: string, name: unknown, cluster: boolean): Problem[] {
    if (name === undefined) return [];
    const family = cacheParameterGroupFamily(engine, version);
    if (typeof name !== "string" || name === "") {
        return [{ path: "parameterGroupName", message: `\`parameterGroupName\`: ${show(name)} is not a parameter group name; leave it out for AWS's \`${family ? defaultParameterGroupName(family, cluster) : "default"}\`.` }];
    }
    const m = /^default\.(.+?)(\.cluster\.on)?$/.exec(name);
    if (!m || family === undefined) return [];
    const [, named, clusterOn] = m;
    const expected = defaultParameterGroupName(family, cluster);
    if (named !== family) {
        return [
            {
                path: "parameterGroupName",
                message: `\`parameterGroupName\`: ${show(name)} is for family \`${named}\`, but ${engine} ${version} is family \`${family}\`, which AWS requires of the group's parameter group; use \`${expected}\` (the default) or a group of family \`${family}\`.`,
            },
        ];
    }
    if (cluster && !clusterOn) {
        return [{ path: "parameterGroupName", message: `\`parameterGroupName\`: ${show(name)} has \`cluster-enabled no\`, so it cannot run cluster mode; use \`${expected}\` (the default in cluster mode).` }];
    }
    if (!cluster && clusterOn) {
        return [{ path: "parameterGroupName", message: `\`parameterGroupName\`: ${show(name)} turns cluster mode on, but \`clusterMode\` is not true; set \`clusterMode: true\`, or use \`${expected}\`.` }];
    }
    return [];
}
