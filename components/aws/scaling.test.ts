import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { cacheParameterGroupFamily, groupShape } from "./cluster";
import { RBAC_MAX_ID_LENGTH, RBAC_USER_ID_PATTERN } from "./defaults";
import type { ElastiCacheCacheArgs } from "./elasticache";
import type { RdsPostgresArgs } from "./rds";
import { applicationAccessString, rbacIds } from "./rbac";
import { validateRdsPostgresArgs } from "./validate";
import { validateElastiCacheArgs } from "./validate-cache";

// Cluster mode, RBAC and read replicas: each combination AWS or the provider refuses, named with the
// exact message before anything is created (pure: no Pulumi runtime).

const SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"];
const cache: ElastiCacheCacheArgs = { vpcId: "vpc-0123456789abcdef0", subnetIds: SUBNETS, allowedSecurityGroupIds: ["sg-0123456789abcdef0"] };
const PEM = execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "/dev/null", "-subj", "/CN=Test RDS CA", "-days", "1"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
});
const TOKEN_BESIDE_RBAC = (key: string) =>
    `\`${key}\`: belongs to the single AUTH token, but \`rbacUsers\` is given; a group has a token or a user group, not both (the provider refuses \`auth_token\` beside \`user_group_ids\`); remove \`${key}\`, or remove \`rbacUsers\` to keep the token.`;

describe("validateElastiCacheArgs: cluster mode", () => {
    it.each<[string, Partial<ElastiCacheCacheArgs>, string[]]>([
        ["cluster mode with its defaults", { clusterMode: true }, []],
        ["cluster mode, 0 replicas, one subnet", { clusterMode: true, replicasPerShard: 0, subnetIds: [SUBNETS[0]!] }, []],
        [
            "a shard count beside numCacheClusters",
            { clusterMode: true, shards: 3, numCacheClusters: 2 },
            ['`numCacheClusters`: 2 sizes a group without cluster mode; with `clusterMode: true` the provider refuses it beside a shard count ("num_cache_clusters": conflicts with num_node_groups); remove it and size the cluster with `shards` and `replicasPerShard`.'],
        ],
        [
            "shards and replicas without cluster mode",
            { shards: 3, replicasPerShard: 2 },
            [
                "`shards`: 3 applies only in cluster mode; a group without cluster mode has one shard sized by `numCacheClusters`; set `clusterMode: true` to shard, or remove `shards`.",
                "`replicasPerShard`: 2 applies only in cluster mode; a group without cluster mode has one shard sized by `numCacheClusters`; set `clusterMode: true` to shard, or remove `replicasPerShard`.",
            ],
        ],
        [
            "six replicas per shard and no shard",
            { clusterMode: true, replicasPerShard: 6, shards: 0 },
            [
                "`shards`: 0 is out of range; ElastiCache takes a whole number of node groups from 1 to 500; default 2.",
                "`replicasPerShard`: 6 is out of range; the provider takes 0 to 5 (replicas_per_node_group); use at least 1 (the default) for failover and Multi-AZ.",
            ],
        ],
        [
            "replicas in one subnet",
            { clusterMode: true, subnetIds: [SUBNETS[0]!] },
            ["`subnetIds`: 1 subnet given; shards with 1 replica and Multi-AZ need subnets in at least two availability zones; add one per AZ, or set `replicasPerShard: 0`."],
        ],
        [
            "a parameter group of another family",
            { clusterMode: true, parameterGroupName: "default.redis7.cluster.on" },
            ["`parameterGroupName`: `default.redis7.cluster.on` is for family `redis7`, but valkey 8.0 is family `valkey8`, which AWS requires of the group's parameter group; use `default.valkey8.cluster.on` (the default) or a group of family `valkey8`."],
        ],
        [
            "a cluster-disabled parameter group in cluster mode",
            { clusterMode: true, parameterGroupName: "default.valkey8" },
            ["`parameterGroupName`: `default.valkey8` has `cluster-enabled no`, so it cannot run cluster mode; use `default.valkey8.cluster.on` (the default in cluster mode)."],
        ],
        [
            "a cluster parameter group without cluster mode",
            { engine: "redis", parameterGroupName: "default.redis7.cluster.on" },
            ["`parameterGroupName`: `default.redis7.cluster.on` turns cluster mode on, but `clusterMode` is not true; set `clusterMode: true`, or use `default.redis7`."],
        ],
        ["a custom parameter group (AWS checks its family)", { clusterMode: true, parameterGroupName: "team-valkey8-cluster" }, []],
    ])("%s", (_title, change, expected) => {
        expect(validateElastiCacheArgs({ ...cache, ...change }).map((p) => p.message)).toEqual(expected);
    });
});

describe("validateElastiCacheArgs: RBAC", () => {
    it.each<[string, Partial<ElastiCacheCacheArgs>, string[]]>([
        ["two application users", { rbacUsers: ["orders", "billing_jobs"] }, []],
        ["every token argument beside users", { rbacUsers: ["orders"], authToken: "Given-token-0123456789", authTokenUpdateStrategy: "ROTATE", groupAlreadyHasAuthToken: true }, [
            TOKEN_BESIDE_RBAC("authToken"), TOKEN_BESIDE_RBAC("authTokenUpdateStrategy"), TOKEN_BESIDE_RBAC("groupAlreadyHasAuthToken"),
        ]],
        [
            "the default user, a duplicate and a bad name",
            { rbacUsers: ["default", "orders", "orders", "Orders!"] },
            [
                "`rbacUsers[0]`: `default` is the user of connections that do not authenticate; this library keeps it disabled (`off -@all`); name the application instead, e.g. `orders`.",
                "`rbacUsers[2]`: `orders` is listed twice; each application gets one user; remove the duplicate.",
                "`rbacUsers[3]`: `Orders!` is not a user name this library takes; use 1 to 32 lower-case letters, digits, `_` and `-`, starting with a letter, e.g. `orders`.",
            ],
        ],
        ["no user", { rbacUsers: [] }, ['`rbacUsers`: [] names no user; list one name per application, e.g. `rbacUsers: ["orders"]`, or leave it out for the single AUTH token.']],
        ["all keys without users", { rbacAllKeys: true }, ["`rbacAllKeys`: applies to `rbacUsers`, which is not given; remove it, or list the application users in `rbacUsers`."]],
    ])("%s", (_title, change, expected) => {
        expect(validateElastiCacheArgs({ ...cache, ...change }).map((p) => p.message)).toEqual(expected);
    });

    it("gives each application its own keys and channels and no dangerous command, or all keys when asked", () => {
        expect(applicationAccessString("orders", false)).toBe("on ~orders:* &orders:* +@all -@dangerous");
        expect(applicationAccessString("orders", true)).toBe("on ~* &* +@all -@dangerous");
    });

    it("derives ids ElastiCache takes, distinct per user and stack, at most 40 characters, the same on every run", () => {
        const users = ["orders", "billing_jobs", "a".repeat(32)];
        const ids = rbacIds({ project: "tls-platform", stack: "prod", name: "a-rather-long-component-name-for-the-cache" }, users);
        const all = [ids.groupId, ...Object.values(ids.userIds)];
        for (const id of all) {
            expect(id).toMatch(RBAC_USER_ID_PATTERN);
            expect(id.length).toBeLessThanOrEqual(RBAC_MAX_ID_LENGTH);
        }
        expect(new Set(all).size).toBe(all.length);
        expect(Object.keys(ids.userIds)).toEqual(["default", ...users]);
        expect(rbacIds({ project: "tls-platform", stack: "prod", name: "a-rather-long-component-name-for-the-cache" }, users)).toEqual(ids);
        expect(rbacIds({ project: "tls-platform", stack: "staging", name: "a-rather-long-component-name-for-the-cache" }, users).groupId).not.toBe(ids.groupId);
    });
});

describe("the group's shape", () => {
    it("has failover always on in cluster mode, Multi-AZ only with replicas, and the family's .cluster.on group", () => {
        expect(groupShape("valkey", "8.0", { clusterMode: true }, 2)).toEqual({
            clusterMode: "enabled", numNodeGroups: 2, replicasPerNodeGroup: 1, automaticFailoverEnabled: true, multiAzEnabled: true, parameterGroupName: "default.valkey8.cluster.on",
        });
        expect(groupShape("redis", "7.1", { clusterMode: true, shards: 4, replicasPerShard: 0 }, 2)).toEqual({
            clusterMode: "enabled", numNodeGroups: 4, replicasPerNodeGroup: 0, automaticFailoverEnabled: true, multiAzEnabled: false, parameterGroupName: "default.redis7.cluster.on",
        });
        // Without cluster mode the inputs are exactly what they were before cluster mode existed.
        expect(groupShape("valkey", "8.0", {}, 2)).toEqual({ numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true });
    });

    it.each([["valkey", "7.2", "valkey7"], ["valkey", "8.1", "valkey8"], ["redis", "7.1", "redis7"], ["redis", "6.2", "redis6.x"]])("%s %s is family %s", (engine, version, family) => {
        expect(cacheParameterGroupFamily(engine, version)).toBe(family);
    });
});

describe("validateRdsPostgresArgs: replicas", () => {
    it.each<[string, Partial<RdsPostgresArgs>, string[]]>([
        ["Multi-AZ and two replicas", { multiAz: true, readReplicas: 2, replicaInstanceClass: "db.r7g.large" }, []],
        ["16 replicas", { readReplicas: 16 }, ["`readReplicas`: 16 is out of range; RDS for PostgreSQL takes a whole number of read replicas from 0 to 15 per source instance; default 0."]],
        [
            "a replica class without replicas, in EC2 spelling",
            { replicaInstanceClass: "r7g.large" },
            [
                "`replicaInstanceClass`: `r7g.large` is not an RDS instance class (it reads like an EC2 instance type: write `db.r7g.large`); they are `db.<family>.<size>`, e.g. `db.t4g.medium` (the default).",
                "`replicaInstanceClass`: `r7g.large` is for read replicas, but `readReplicas` is 0; set `readReplicas`, or remove `replicaInstanceClass`.",
            ],
        ],
    ])("%s", (_title, change, expected) => {
        expect(validateRdsPostgresArgs("db", { ...cache, caBundlePem: PEM, ...change }).map((p) => p.message)).toEqual(expected);
    });
});
