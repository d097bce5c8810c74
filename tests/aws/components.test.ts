import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { validateAuthToken } from "../../components/aws/validate-cache";
import { installEmulator, rejectedBeforeCreating, valueOf, type ProviderEmulator } from "../emulator";
import { DIFF_RULES } from "../engine/providers/rules";
import { finalSnapshotIdentifier } from "../../components/aws/snapshot";
import { replicationGroup } from "../emulator/aws";
import { randomPassword } from "../emulator/random";
import { TEST_RDS_CA_BUNDLE } from "./fixture";

// ElastiCacheCache and RdsPostgres under the provider emulator: the exact inputs of every child that
// carries a security setting, the token alphabet over many draws, secrecy of every output that holds
// a password or URL, and bad input refused before anything is created.

let emulator: ProviderEmulator;
let c: typeof import("../../components");

const T = {
    key: "aws:kms/key:Key",
    sg: "aws:ec2/securityGroup:SecurityGroup",
    cacheSubnets: "aws:elasticache/subnetGroup:SubnetGroup",
    group: "aws:elasticache/replicationGroup:ReplicationGroup",
    password: "random:index/randomPassword:RandomPassword",
    params: "aws:rds/parameterGroup:ParameterGroup",
    dbSubnets: "aws:rds/subnetGroup:SubnetGroup",
    instance: "aws:rds/instance:Instance",
};
const VPC = "vpc-0123456789abcdef0";
const SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"];
const APP_SG = "sg-0aaaaaaaaaaaaaaaa";
const network = { vpcId: VPC, subnetIds: SUBNETS, allowedSecurityGroupIds: [APP_SG] };
const KEY_ARN = "arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab";
// Stands in for the RDS global bundle: the component only carries the PEM into the document.
const CA_BUNDLE = TEST_RDS_CA_BUNDLE;

beforeAll(async () => {
    emulator = await installEmulator({ stack: "prod" });
    c = await import("../../components");
});

const stateOf = (type: string, name: string) => emulator.get(type, name).state;

describe("ElastiCacheCache", () => {
    it("creates a rotating KMS key, its own subnet group, a port-only security group and a TLS-required, token-protected group", async () => {
        const cache = new c.ElastiCacheCache("cache", network);
        await valueOf(cache.connection);
        expect(emulator.get(T.key, "cache-key").inputs).toEqual({ description: "ElastiCache cache: encryption at rest", enableKeyRotation: true, deletionWindowInDays: 30 });
        expect(emulator.get(T.cacheSubnets, "cache-subnets").inputs).toEqual({ description: "ElastiCache cache", subnetIds: SUBNETS });
        expect(emulator.get(T.sg, "cache-sg").inputs).toEqual({
            vpcId: VPC,
            description: "ElastiCache cache: TCP 6379 from allowed clients only",
            ingress: [{ protocol: "tcp", fromPort: 6379, toPort: 6379, securityGroups: [APP_SG], description: "ElastiCache cache clients (security groups)" }],
            egress: [],
        });
        const group = emulator.get(T.group, "cache-group");
        expect(group.inputs).toEqual({
            description: "ElastiCache cache: TLS-only valkey (tls-platform)",
            engine: "valkey",
            engineVersion: "8.0",
            autoMinorVersionUpgrade: true,
            nodeType: "cache.t4g.small",
            port: 6379,
            numCacheClusters: 2,
            automaticFailoverEnabled: true,
            multiAzEnabled: true,
            subnetGroupName: stateOf(T.cacheSubnets, "cache-subnets").name,
            securityGroupIds: [await valueOf(cache.securityGroupId)],
            transitEncryptionEnabled: true,
            transitEncryptionMode: "required",
            authToken: stateOf(T.password, "cache-auth-token").result,
            authTokenUpdateStrategy: "SET",
            atRestEncryptionEnabled: true,
            kmsKeyId: stateOf(T.key, "cache-key").arn,
            snapshotRetentionLimit: 7,
            snapshotWindow: "03:00-04:00",
            maintenanceWindow: "sun:05:00-sun:06:00",
        });
        expect(group.secretInputs).toEqual(["authToken"]);
        expect(await valueOf(cache.kmsKeyArn)).toBe(stateOf(T.key, "cache-key").arn);
        expect(emulator.failures).toEqual([]);
    });

    it("generates the token from ElastiCache's alphabet: 200 draws with the component's exact inputs are 64 allowed characters the group accepts", async () => {
        const cache = new c.ElastiCacheCache("alphabet", network);
        await valueOf(cache.authToken);
        const inputs = emulator.get(T.password, "alphabet-auth-token").inputs;
        expect(inputs).toEqual({ length: 64, special: true, overrideSpecial: "!&#$^<>-", keepers: { generation: "1" } });
        const draws = Array.from({ length: 200 }, () => randomPassword("draw", inputs).result as string);
        for (const token of draws) {
            expect(token).toMatch(/^[A-Za-z0-9!&#$^<>-]{64}$/);
            expect(validateAuthToken(token)).toEqual([]);
            expect(() => replicationGroup("draw", { description: "d", transitEncryptionEnabled: true, authToken: token })).not.toThrow();
        }
        // Every special the alphabet offers is actually drawn, so the test would see a wrong set.
        expect(new Set(draws.join("").replace(/[A-Za-z0-9]/g, ""))).toEqual(new Set("!&#$^<>-"));
    });

    it("writes a secret rediss:// document: token percent-encoded, primary endpoint as host and server name, Amazon's public roots", async () => {
        const cache = new c.ElastiCacheCache("doc", network);
        const doc = await valueOf(cache.connection);
        const host = stateOf(T.group, "doc-group").primaryEndpointAddress as string;
        const token = stateOf(T.password, "doc-auth-token").result as string;
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
            topology: { mode: "standalone", seeds: [{ host, port: 6379 }], nodeNameVerification: "server-name" },
            reader: null,
        });
        expect(decodeURIComponent(new URL(doc.url).password)).toBe(token);
        expect(await valueOf(cache.primaryEndpointAddress)).toBe(host);
    });

    it("marks every output holding the token or the URL secret, and only those", async () => {
        const cache = new c.ElastiCacheCache("secrecy", network);
        await valueOf(cache.connection);
        expect(await pulumi.isSecret(cache.connection)).toBe(true);
        expect(await pulumi.isSecret(cache.authToken)).toBe(true);
        for (const plain of [cache.kmsKeyArn, cache.securityGroupId, cache.primaryEndpointAddress]) {
            expect(await pulumi.isSecret(plain)).toBe(false);
        }
    });

    it.each([
        [2, true],
        [3, true],
        [1, false],
    ])("with %i node(s) sets failover and Multi-AZ to %s", async (nodes, on) => {
        const name = `nodes${nodes}`;
        const cache = new c.ElastiCacheCache(name, { ...network, subnetIds: nodes === 1 ? [SUBNETS[0]!] : SUBNETS, numCacheClusters: nodes });
        await valueOf(cache.connection);
        expect(emulator.get(T.group, `${name}-group`).inputs).toMatchObject({ numCacheClusters: nodes, automaticFailoverEnabled: on, multiAzEnabled: on });
    });

    it("takes the `preferred` migration step only when asked, with transit encryption still on", async () => {
        const cache = new c.ElastiCacheCache("migrating", { ...network, transitEncryptionMigration: "preferred" });
        await valueOf(cache.connection);
        expect(emulator.get(T.group, "migrating-group").inputs).toMatchObject({ transitEncryptionEnabled: true, transitEncryptionMode: "preferred" });
    });

    it("rotates with ROTATE only when the group is said to have a token, and a new generation makes a new token", async () => {
        const cache = new c.ElastiCacheCache("rotating", { ...network, authTokenGeneration: 2, authTokenUpdateStrategy: "ROTATE", groupAlreadyHasAuthToken: true });
        await valueOf(cache.connection);
        expect(emulator.get(T.password, "rotating-auth-token").inputs.keepers).toEqual({ generation: "2" });
        expect(emulator.get(T.group, "rotating-group").inputs.authTokenUpdateStrategy).toBe("ROTATE");
    });

    it("uses a given key and token instead of creating them, and states at-rest encryption for redis, whose default is off", async () => {
        const cache = new c.ElastiCacheCache("given", { ...network, engine: "redis", kmsKeyArn: KEY_ARN, authToken: pulumi.secret("Given-token-0123456789") });
        await valueOf(cache.connection);
        expect(emulator.ofType(T.key).map((r) => r.name)).not.toContain("given-key");
        expect(emulator.ofType(T.password).map((r) => r.name)).not.toContain("given-auth-token");
        expect(emulator.get(T.group, "given-group").inputs).toMatchObject({ engine: "redis", engineVersion: "7.1", atRestEncryptionEnabled: true, kmsKeyId: KEY_ARN, authToken: "Given-token-0123456789" });
        expect(await valueOf(cache.kmsKeyArn)).toBe(KEY_ARN);
        expect(await pulumi.isSecret(cache.authToken)).toBe(true);
        expect(emulator.failures).toEqual([]);
    });

    it("admits IPv4 and IPv6 networks in their own rules, on the cache port only", async () => {
        const cache = new c.ElastiCacheCache("cidrs", { vpcId: VPC, subnetIds: SUBNETS, allowedCidrs: ["10.0.0.0/16", "fd00:10::/32", "10.1.0.0/16"] });
        await valueOf(cache.connection);
        expect(emulator.get(T.sg, "cidrs-sg").inputs.ingress).toEqual([
            { protocol: "tcp", fromPort: 6379, toPort: 6379, cidrBlocks: ["10.0.0.0/16", "10.1.0.0/16"], description: "ElastiCache cidrs clients (IPv4 networks)" },
            { protocol: "tcp", fromPort: 6379, toPort: 6379, ipv6CidrBlocks: ["fd00:10::/32"], description: "ElastiCache cidrs clients (IPv6 networks)" },
        ]);
    });
});

describe("RdsPostgres", () => {
    it("creates a rotating KMS key, a postgres17 parameter group forcing TLS, a subnet group, a port-only security group and a private, encrypted, protected instance", async () => {
        const db = new c.RdsPostgres("orders", { ...network, caBundlePem: CA_BUNDLE });
        await valueOf(db.connection);
        expect(emulator.get(T.key, "orders-key").inputs).toEqual({ description: "RDS orders: encryption at rest", enableKeyRotation: true, deletionWindowInDays: 30 });
        expect(emulator.get(T.params, "orders-params").inputs).toEqual({
            family: "postgres17",
            description: "RDS orders: TLS only (tls-platform)",
            parameters: [
                { name: "rds.force_ssl", value: "1", applyMethod: "immediate" },
                { name: "ssl_min_protocol_version", value: "TLSv1.2", applyMethod: "immediate" },
            ],
        });
        expect(emulator.get(T.dbSubnets, "orders-subnets").inputs).toEqual({ description: "RDS orders", subnetIds: SUBNETS });
        expect(emulator.get(T.sg, "orders-sg").inputs).toEqual({
            vpcId: VPC,
            description: "RDS orders: TCP 5432 from allowed clients only",
            ingress: [{ protocol: "tcp", fromPort: 5432, toPort: 5432, securityGroups: [APP_SG], description: "RDS orders clients (security groups)" }],
            egress: [],
        });
        expect(emulator.get(T.password, "orders-password").inputs).toEqual({ length: 40, special: false, keepers: { generation: "1" } });
        const instance = emulator.get(T.instance, "orders-db");
        expect(instance.inputs).toEqual({
            engine: "postgres",
            engineVersion: "17",
            autoMinorVersionUpgrade: true,
            instanceClass: "db.t4g.medium",
            allocatedStorage: 20,
            storageType: "gp3",
            storageEncrypted: true,
            kmsKeyId: stateOf(T.key, "orders-key").arn,
            dbName: "app",
            username: "app",
            password: stateOf(T.password, "orders-password").result,
            port: 5432,
            parameterGroupName: stateOf(T.params, "orders-params").name,
            dbSubnetGroupName: stateOf(T.dbSubnets, "orders-subnets").name,
            vpcSecurityGroupIds: [await valueOf(db.securityGroupId)],
            publiclyAccessible: false,
            multiAz: false,
            caCertIdentifier: "rds-ca-rsa2048-g1",
            iamDatabaseAuthenticationEnabled: false,
            backupRetentionPeriod: 7,
            backupWindow: "03:00-04:00",
            maintenanceWindow: "sun:05:00-sun:06:00",
            copyTagsToSnapshot: true,
            deletionProtection: true,
            skipFinalSnapshot: false,
            finalSnapshotIdentifier: expect.stringMatching(/^orders-final-[0-9a-f]{8}$/),
        });
        expect(instance.inputs).not.toHaveProperty("manageMasterUserPassword");
        expect(instance.secretInputs).toEqual(["password"]);
        expect(emulator.failures).toEqual([]);
    });

    it("writes a secret postgres:// document with verify-full, the working password and the RDS CA bundle as PEM", async () => {
        const db = new c.RdsPostgres("docdb", { ...network, caBundlePem: CA_BUNDLE, databaseName: "orders", username: "orders_admin" });
        const doc = await valueOf(db.connection);
        const host = stateOf(T.instance, "docdb-db").address as string;
        const password = stateOf(T.password, "docdb-password").result as string;
        expect(password).toMatch(/^[A-Za-z0-9]{40}$/);
        expect(doc).toEqual({
            schemaVersion: 2,
            service: "postgres",
            url: `postgres://orders_admin:${password}@${host}:5432/orders?sslmode=verify-full`,
            host,
            port: 5432,
            username: "orders_admin",
            password,
            database: "orders",
            tls: { minVersion: "TLSv1.2", serverName: host, ca: { type: "pem", pem: CA_BUNDLE }, clientCertificate: null },
            topology: { mode: "standalone", seeds: [{ host, port: 5432 }], nodeNameVerification: "server-name" },
            reader: null,
        });
        expect(emulator.get(T.instance, "docdb-db").inputs.password).toBe(password);
        expect(await pulumi.isSecret(db.connection)).toBe(true);
        expect(await pulumi.isSecret(db.password)).toBe(true);
        for (const plain of [db.kmsKeyArn, db.securityGroupId, db.address]) {
            expect(await pulumi.isSecret(plain)).toBe(false);
        }
    });

    it("names each instance's final snapshot from exactly the inputs that replace the instance, so a replacement never reuses a name", async () => {
        const db = new c.RdsPostgres("uniq", { ...network, caBundlePem: CA_BUNDLE, finalSnapshotIdentifier: "uniq-last" });
        await valueOf(db.connection);
        const instance = emulator.get(T.instance, "uniq-db").inputs;
        // The inputs whose change replaces the instance (terraform-provider-aws rds instance.go ForceNew,
        // as transcribed for the engine tests), among those the component sets.
        const replacing = DIFF_RULES["aws:rds/instance:Instance"]!.forceNew.filter((input) => input in instance).sort();
        expect(replacing).toEqual(["dbName", "engine", "kmsKeyId", "storageEncrypted", "username"]);
        const scope = { project: "tls-platform", stack: "prod", name: "uniq" };
        const inputs = { engine: instance.engine, dbName: instance.dbName, username: instance.username, kmsKeyId: instance.kmsKeyId, storageEncrypted: instance.storageEncrypted };
        expect(instance.finalSnapshotIdentifier).toBe(finalSnapshotIdentifier("uniq-last", scope, inputs));
        expect(instance.finalSnapshotIdentifier).toMatch(/^uniq-last-[0-9a-f]{8}$/);
        // Each replacing change names the next final snapshot differently; the same inputs keep the name.
        const names = new Set([
            instance.finalSnapshotIdentifier,
            finalSnapshotIdentifier("uniq-last", scope, { ...inputs, kmsKeyId: KEY_ARN }),
            finalSnapshotIdentifier("uniq-last", scope, { ...inputs, dbName: "other" }),
            finalSnapshotIdentifier("uniq-last", scope, { ...inputs, username: "other" }),
            finalSnapshotIdentifier("uniq-last", scope, { ...inputs, engine: "postgres-other" }),
            finalSnapshotIdentifier("uniq-last", scope, { ...inputs, storageEncrypted: false }),
            finalSnapshotIdentifier("uniq-last", { ...scope, stack: "staging" }, inputs),
        ]);
        expect(names.size).toBe(7);
        expect(finalSnapshotIdentifier("uniq-last", scope, { ...inputs })).toBe(instance.finalSnapshotIdentifier);
    });

    it("takes its storage, CA and password arguments through to the instance", async () => {
        const db = new c.RdsPostgres("opts2", { ...network, caBundlePem: CA_BUNDLE, storageType: "io2", allocatedStorageGb: 100, iops: 3000, caCertIdentifier: "rds-ca-ecc384-g1", password: pulumi.secret("Own-Password-0123") });
        await valueOf(db.connection);
        expect(emulator.get(T.instance, "opts2-db").inputs).toMatchObject({ storageType: "io2", allocatedStorage: 100, iops: 3000, caCertIdentifier: "rds-ca-ecc384-g1", password: "Own-Password-0123" });
        expect(emulator.ofType(T.password).map((r) => r.name)).not.toContain("opts2-password");
        expect(await pulumi.isSecret(db.password)).toBe(true);
    });

    it("takes the opt-outs and options it offers: no final snapshot, IAM auth, Multi-AZ, a given key", async () => {
        const db = new c.RdsPostgres("optdb", { ...network, caBundlePem: CA_BUNDLE, skipFinalSnapshot: true, deletionProtection: false, iamDatabaseAuthentication: true, multiAz: true, kmsKeyArn: KEY_ARN });
        await valueOf(db.connection);
        const inputs = emulator.get(T.instance, "optdb-db").inputs;
        expect(inputs).toMatchObject({ skipFinalSnapshot: true, deletionProtection: false, iamDatabaseAuthenticationEnabled: true, multiAz: true, kmsKeyId: KEY_ARN, publiclyAccessible: false });
        expect(inputs).not.toHaveProperty("finalSnapshotIdentifier");
        expect(emulator.ofType(T.key).map((r) => r.name)).not.toContain("optdb-key");
    });
});

describe("bad input", () => {
    it.each<[string, () => unknown, string, string[]]>([
        [
            "an ElastiCache cache open to the internet, without subnets, with a % in its token",
            () => new c.ElastiCacheCache("badcache", { vpcId: VPC, subnetIds: [], allowedCidrs: ["0.0.0.0/0"], authToken: "percent%percent%percent" }),
            'ElastiCacheCache "badcache": 3 problems:',
            ["subnetIds", "allowedCidrs[0]", "authToken"],
        ],
        ["an old redis", () => new c.ElastiCacheCache("oldredis", { ...network, engine: "redis", engineVersion: "6.2" }), 'ElastiCacheCache "oldredis": 1 problem:', ["engineVersion"]],
        [
            "an EC2 node type whose snapshot window overlaps maintenance, and eight nodes",
            () => new c.ElastiCacheCache("awsrefuses", { ...network, nodeType: "t4g.small", snapshotWindow: "05:00-06:00", numCacheClusters: 8 }),
            'ElastiCacheCache "awsrefuses": 3 problems:',
            ["numCacheClusters", "snapshotWindow", "nodeType"],
        ],
        [
            "an RDS instance AWS would refuse: EC2 class, io1 without iops, @ in the password, an expired CA",
            () => new c.RdsPostgres("rdsrefuses", { ...network, caBundlePem: CA_BUNDLE, instanceClass: "m5.large", storageType: "io1", allocatedStorageGb: 100, password: "p@ssword-123", caCertIdentifier: "rds-ca-2019" as never }),
            'RdsPostgres "rdsrefuses": 4 problems:',
            ["iops", "instanceClass", "caCertIdentifier", "password"],
        ],
        [
            "a public database with one subnet and no allowed clients",
            () => new c.RdsPostgres("baddb", { vpcId: VPC, subnetIds: [SUBNETS[0]!], caBundlePem: CA_BUNDLE, publiclyAccessible: true }),
            'RdsPostgres "baddb": 3 problems:',
            ["subnetIds", "allowedSecurityGroupIds", "publiclyAccessible"],
        ],
        [
            "an ElastiCache cache called from plain JavaScript with no arguments",
            () => new (c.ElastiCacheCache as unknown as new (name: string) => unknown)("jscache"),
            'ElastiCacheCache "jscache": 3 problems:',
            ["vpcId", "subnetIds", "allowedSecurityGroupIds"],
        ],
        [
            "an RDS database called from plain JavaScript without vpcId and caBundlePem",
            () => new (c.RdsPostgres as unknown as new (name: string, args: unknown) => unknown)("jsdb", { subnetIds: SUBNETS, allowedSecurityGroupIds: [APP_SG] }),
            'RdsPostgres "jsdb": 2 problems:',
            ["vpcId", "caBundlePem"],
        ],
    ])("refuses %s with one InputPropertiesError, before any child is created", async (_, create, heading, paths) => {
        const error = await rejectedBeforeCreating(emulator, create);
        expect(error.message.split("\n")[0]).toBe(heading);
        expect(error.errors.map((e) => e.propertyPath)).toEqual(paths);
    });
});
