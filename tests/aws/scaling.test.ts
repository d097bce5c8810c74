import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, rejectedBeforeCreating, valueOf, type ProviderEmulator } from "../emulator";
import { TEST_RDS_CA_BUNDLE } from "./fixture";

// ElastiCacheCache in cluster mode and with RBAC users, RdsPostgres with Multi-AZ and read replicas,
// under the provider emulator: the exact inputs of the children that decide the topology and who may
// connect, the documents (schema v2 topology and reader), secrecy, and bad input refused before anything
// is created.

let emulator: ProviderEmulator;
let c: typeof import("../../components");

const T = {
    group: "aws:elasticache/replicationGroup:ReplicationGroup",
    user: "aws:elasticache/user:User",
    userGroup: "aws:elasticache/userGroup:UserGroup",
    password: "random:index/randomPassword:RandomPassword",
    instance: "aws:rds/instance:Instance",
    key: "aws:kms/key:Key",
    params: "aws:rds/parameterGroup:ParameterGroup",
    dbSubnets: "aws:rds/subnetGroup:SubnetGroup",
};
const SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"];
const network = { vpcId: "vpc-0123456789abcdef0", subnetIds: SUBNETS, allowedSecurityGroupIds: ["sg-0aaaaaaaaaaaaaaaa"] };
const CA_BUNDLE = TEST_RDS_CA_BUNDLE;

beforeAll(async () => {
    emulator = await installEmulator({ stack: "prod" });
    c = await import("../../components");
});

const stateOf = (type: string, name: string) => emulator.get(type, name).state;

describe("ElastiCacheCache in cluster mode", () => {
    it("shards with failover and Multi-AZ on, the family's .cluster.on group, and no numCacheClusters", async () => {
        const cache = new c.ElastiCacheCache("sharded", { ...network, clusterMode: true, shards: 3, replicasPerShard: 2 });
        await valueOf(cache.connection);
        const { inputs } = emulator.get(T.group, "sharded-group");
        expect(inputs).toMatchObject({
            description: "ElastiCache sharded: TLS-only valkey cluster (tls-platform)",
            clusterMode: "enabled",
            numNodeGroups: 3,
            replicasPerNodeGroup: 2,
            automaticFailoverEnabled: true,
            multiAzEnabled: true,
            parameterGroupName: "default.valkey8.cluster.on",
            transitEncryptionEnabled: true,
            transitEncryptionMode: "required",
            authToken: stateOf(T.password, "sharded-auth-token").result,
        });
        expect(inputs).not.toHaveProperty("numCacheClusters");
        expect(stateOf(T.group, "sharded-group").memberClusters).toHaveLength(9);
        expect(emulator.failures).toEqual([]);
    });

    it("writes a cluster document: the configuration endpoint as host, server name and only seed, each node verified by its own host name", async () => {
        const cache = new c.ElastiCacheCache("clusterdoc", { ...network, clusterMode: true });
        const doc = await valueOf(cache.connection);
        const host = stateOf(T.group, "clusterdoc-group").configurationEndpointAddress as string;
        const token = stateOf(T.password, "clusterdoc-auth-token").result as string;
        expect(host).toMatch(/^clustercfg\.clusterdoc-group-[0-9a-f]{7}\.[0-9a-f]{6}\.use1\.cache\.amazonaws\.com$/);
        expect(doc).toEqual({
            schemaVersion: 2,
            service: "redis",
            url: `rediss://:${encodeURIComponent(token)}@${host}:6379/0`,
            host,
            port: 6379,
            username: null,
            password: token,
            database: null,
            tls: { minVersion: "TLSv1.2", serverName: host, ca: { type: "public-roots" }, clientCertificate: null },
            topology: { mode: "cluster", seeds: [{ host, port: 6379 }], nodeNameVerification: "node-host" },
            reader: null,
        });
        expect(await valueOf(cache.configurationEndpointAddress)).toBe(host);
        expect(await valueOf(cache.primaryEndpointAddress)).toBe("");
    });

    it("with no replicas keeps failover on (AWS requires it in cluster mode) and Multi-AZ off, in one subnet", async () => {
        const cache = new c.ElastiCacheCache("noreplicas", { ...network, subnetIds: [SUBNETS[0]!], clusterMode: true, replicasPerShard: 0, engine: "redis" });
        await valueOf(cache.connection);
        expect(emulator.get(T.group, "noreplicas-group").inputs).toMatchObject({
            numNodeGroups: 2, replicasPerNodeGroup: 0, automaticFailoverEnabled: true, multiAzEnabled: false, parameterGroupName: "default.redis7.cluster.on",
        });
    });
});

describe("ElastiCacheCache with RBAC users", () => {
    it("creates a disabled default user and one least-privilege user per application, in a user group the cache takes instead of a token", async () => {
        const cache = new c.ElastiCacheCache("rbac", { ...network, clusterMode: true, rbacUsers: ["orders", "billing"] });
        const docs = await valueOf(cache.userConnections);
        const user = (n: string) => emulator.get(T.user, `rbac-user-${n}`);
        const pw = (n: string) => stateOf(T.password, `rbac-user-${n}-password`).result as string;
        for (const [n, access] of [["default", "off -@all"], ["orders", "on ~orders:* &orders:* +@all -@dangerous"], ["billing", "on ~billing:* &billing:* +@all -@dangerous"]] as const) {
            expect(user(n).inputs).toEqual({
                userId: expect.stringMatching(/^u-rbac-[a-z]+-[0-9a-f]{8}$/),
                userName: n,
                engine: "valkey",
                accessString: access,
                authenticationMode: { type: "password", passwords: [pw(n)] },
            });
            expect(user(n).secretInputs).toContain("authenticationMode");
            expect(emulator.get(T.password, `rbac-user-${n}-password`).inputs).toEqual({ length: 64, special: true, overrideSpecial: "!&#$^<>-" });
        }
        const group = emulator.get(T.userGroup, "rbac-users");
        expect(group.inputs).toEqual({
            userGroupId: expect.stringMatching(/^g-rbac-[0-9a-f]{8}$/),
            engine: "valkey",
            userIds: ["default", "orders", "billing"].map((n) => user(n).inputs.userId),
        });
        const { inputs } = emulator.get(T.group, "rbac-group");
        expect(inputs.userGroupIds).toEqual([group.inputs.userGroupId]);
        expect(inputs).not.toHaveProperty("authToken");
        expect(inputs).not.toHaveProperty("authTokenUpdateStrategy");
        expect(emulator.ofType(T.password).map((r) => r.name)).not.toContain("rbac-auth-token");

        const host = stateOf(T.group, "rbac-group").configurationEndpointAddress as string;
        expect(Object.keys(docs)).toEqual(["orders", "billing"]);
        expect(docs.orders).toMatchObject({ username: "orders", password: pw("orders"), host, url: `rediss://orders:${encodeURIComponent(pw("orders"))}@${host}:6379/0`, topology: { mode: "cluster" } });
        expect(docs.billing).toMatchObject({ username: "billing", password: pw("billing") });
        expect(await valueOf(cache.connection)).toEqual(docs.orders);
        expect(await pulumi.isSecret(cache.connection)).toBe(true);
        expect(await pulumi.isSecret(cache.userConnections)).toBe(true);
        expect(await valueOf(cache.authToken)).toBe("");
        expect(emulator.failures).toEqual([]);
    });

    it("widens keys and channels to all with rbacAllKeys, commands unchanged", async () => {
        const cache = new c.ElastiCacheCache("allkeys", { ...network, rbacUsers: ["app"], rbacAllKeys: true });
        await valueOf(cache.connection);
        expect(emulator.get(T.user, "allkeys-user-app").inputs.accessString).toBe("on ~* &* +@all -@dangerous");
        expect(emulator.get(T.group, "allkeys-group").inputs).toMatchObject({ numCacheClusters: 2, userGroupIds: [emulator.get(T.userGroup, "allkeys-users").inputs.userGroupId] });
    });
});

describe("RdsPostgres with Multi-AZ and read replicas", () => {
    it("creates each replica from the primary, encrypted with its key, TLS-only, private, without a database, user, password or final snapshot of its own", async () => {
        const db = new c.RdsPostgres("scaled", { ...network, caBundlePem: CA_BUNDLE, multiAz: true, readReplicas: 2, replicaInstanceClass: "db.r7g.large" });
        await valueOf(db.connection);
        expect(emulator.get(T.instance, "scaled-db").inputs.multiAz).toBe(true);
        for (const i of [1, 2]) {
            expect(emulator.get(T.instance, `scaled-replica-${i}`).inputs).toEqual({
                replicateSourceDb: stateOf(T.instance, "scaled-db").identifier,
                instanceClass: "db.r7g.large",
                autoMinorVersionUpgrade: true,
                storageEncrypted: true,
                kmsKeyId: stateOf(T.key, "scaled-key").arn,
                port: 5432,
                parameterGroupName: stateOf(T.params, "scaled-params").name,
                dbSubnetGroupName: stateOf(T.dbSubnets, "scaled-subnets").name,
                vpcSecurityGroupIds: [await valueOf(db.securityGroupId)],
                publiclyAccessible: false,
                multiAz: true,
                caCertIdentifier: "rds-ca-rsa2048-g1",
                iamDatabaseAuthenticationEnabled: false,
                maintenanceWindow: "sun:05:00-sun:06:00",
                copyTagsToSnapshot: true,
                deletionProtection: true,
                skipFinalSnapshot: true,
            });
        }
        expect(emulator.failures).toEqual([]);
    });

    it("puts the first replica in the document as reader (RDS has no reader endpoint over instance replicas) and lists every replica", async () => {
        const db = new c.RdsPostgres("readers", { ...network, caBundlePem: CA_BUNDLE, readReplicas: 2 });
        const doc = await valueOf(db.connection);
        const first = stateOf(T.instance, "readers-replica-1").address as string;
        const second = stateOf(T.instance, "readers-replica-2").address as string;
        const password = stateOf(T.password, "readers-password").result as string;
        expect(doc.reader).toEqual({ host: first, port: 5432, url: `postgres://app:${password}@${first}:5432/app?sslmode=verify-full` });
        expect(doc.topology).toEqual({ mode: "standalone", seeds: [{ host: doc.host, port: 5432 }], nodeNameVerification: "server-name" });
        expect(await valueOf(db.replicaAddresses)).toEqual([first, second]);
        expect(await pulumi.isSecret(db.replicaAddresses)).toBe(false);
    });

    it("without replicas has no reader and no replica instance", async () => {
        const db = new c.RdsPostgres("single", { ...network, caBundlePem: CA_BUNDLE });
        expect((await valueOf(db.connection)).reader).toBeNull();
        expect(emulator.ofType(T.instance).map((r) => r.name).filter((n) => n.startsWith("single-replica"))).toEqual([]);
    });
});

describe("bad cluster, RBAC and replica arguments", () => {
    it.each<[string, () => unknown, string[]]>([
        ["an ElastiCache cluster sized twice, with six replicas and another family's group", () => new c.ElastiCacheCache("badcluster", { ...network, clusterMode: true, numCacheClusters: 2, replicasPerShard: 6, parameterGroupName: "default.redis7.cluster.on" }), ["numCacheClusters", "replicasPerShard", "parameterGroupName"]],
        ["RBAC users beside a token", () => new c.ElastiCacheCache("badrbac", { ...network, rbacUsers: ["default"], authToken: "Given-token-0123456789" }), ["rbacUsers[0]", "authToken"]],
        ["an RDS database with 16 replicas", () => new c.RdsPostgres("badreplicas", { ...network, caBundlePem: CA_BUNDLE, readReplicas: 16 }), ["readReplicas"]],
    ])("refuses %s with one InputPropertiesError, before any child is created", async (_title, create, paths) => {
        const error = await rejectedBeforeCreating(emulator, create);
        expect(error.errors.map((e) => e.propertyPath)).toEqual(paths);
    });
});
