import { describe, expect, it } from "vitest";
import { ProviderEmulator, ProviderError } from ".";
import { elastiCacheSubnetGroup, kmsKey, rdsInstance, rdsParameterGroup, replicationGroup, securityGroup } from "./aws";

const tlsGroup = { description: "d", engine: "valkey", numCacheClusters: 2, automaticFailoverEnabled: true, multiAzEnabled: true, transitEncryptionEnabled: true, authToken: "a".repeat(32) };

describe("aws:elasticache/replicationGroup", () => {
    it("gives a TLS group master./replica. endpoints, an ARN, member clusters and the default port", () => {
        const state = replicationGroup("cache", { ...tlsGroup, replicationGroupId: "Orders-Cache" });
        expect(state.id).toBe("orders-cache");
        expect(state.arn).toBe("arn:aws:elasticache:us-east-1:123456789012:replicationgroup:orders-cache");
        expect(state.primaryEndpointAddress).toMatch(/^master\.orders-cache\.[0-9a-f]{6}\.use1\.cache\.amazonaws\.com$/);
        expect(state.readerEndpointAddress).toMatch(/^replica\.orders-cache\./);
        expect(state.memberClusters).toEqual(["orders-cache-001", "orders-cache-002"]);
        expect(state.port).toBe(6379);
        expect(state.transitEncryptionMode).toBe("required");
    });

    it("auto-names a group without an id, in lower case", () => {
        expect(replicationGroup("Cache", { ...tlsGroup }).id).toMatch(/^cache-[0-9a-f]{7}$/);
    });

    it("defaults at-rest encryption by engine: on for valkey, off for redis, so a KMS key needs it said for redis", () => {
        expect(replicationGroup("c", { ...tlsGroup, kmsKeyId: "arn:k" }).atRestEncryptionEnabled).toBe(true);
        expect(() => replicationGroup("c", { ...tlsGroup, engine: "redis", kmsKeyId: "arn:k" })).toThrow("kms_key_id can be specified only when at_rest_encryption_enabled = true");
    });

    it.each([
        ["an AUTH token without transit encryption", { transitEncryptionEnabled: false }, "AUTH token can be set only when transit encryption is enabled"],
        ["a 15-character token", { authToken: "a".repeat(15) }, '"auth_token" must contain from 16 to 128 alphanumeric characters or symbols (excluding @, ", and /)'],
        ["a 129-character token", { authToken: "a".repeat(129) }, '"auth_token" must contain from 16 to 128'],
        ["a token with @", { authToken: "aaaaaaaaaaaaaaa@" }, 'only alphanumeric characters or symbols (excluding @, ", and /) allowed in "auth_token"'],
        ["a token with /", { authToken: "aaaaaaaaaaaaaaa/" }, "allowed in \"auth_token\""],
        ["a token with a double quote", { authToken: 'aaaaaaaaaaaaaaa"' }, "allowed in \"auth_token\""],
        ["failover on one node", { numCacheClusters: 1, multiAzEnabled: false }, '"num_cache_clusters": must be at least 2 if automatic_failover_enabled is true'],
        ["Multi-AZ without failover", { automaticFailoverEnabled: false }, "automatic_failover_enabled must be true if multi_az_enabled is true"],
        ["a strategy without a token", { authToken: undefined, authTokenUpdateStrategy: "SET" }, '"auth_token_update_strategy": "auth_token" must be specified'],
        ["an unknown transit mode", { transitEncryptionMode: "strict" }, 'expected transit_encryption_mode to be one of ["preferred" "required"], got strict'],
        ["36 days of snapshots", { snapshotRetentionLimit: 36 }, "expected snapshot_retention_limit to be at most (35), got 36"],
    ])("refuses %s, as the provider or AWS does", (_, overrides, message) => {
        expect(() => replicationGroup("c", { ...tlsGroup, ...overrides })).toThrow(ProviderError);
        expect(() => replicationGroup("c", { ...tlsGroup, ...overrides })).toThrow(message);
    });

    it("lets `%` and other characters AWS refuses through, because the provider does (terraform-provider-aws validReplicationGroupAuthToken)", () => {
        for (const token of ["percent%percent%", "paren(paren)paren", "space space space", "tilde~tilde~tilde"]) {
            expect(replicationGroup("c", { ...tlsGroup, authToken: token }).authToken).toBe(token);
        }
    });
});

describe("aws:kms/key", () => {
    it("returns a key id and its ARN, rotation yearly when on", () => {
        const state = kmsKey("k", { enableKeyRotation: true, deletionWindowInDays: 30 });
        expect(state.keyId).toMatch(/^[0-9a-f-]{36}$/);
        expect(state.id).toBe(state.keyId);
        expect(state.arn).toBe(`arn:aws:kms:us-east-1:123456789012:key/${state.keyId}`);
        expect(state.rotationPeriodInDays).toBe(365);
        expect(kmsKey("k", {}).enableKeyRotation).toBe(false);
    });

    it.each([
        [{ deletionWindowInDays: 6 }, "expected deletion_window_in_days to be in the range (7 - 30), got 6"],
        [{ deletionWindowInDays: 31 }, "expected deletion_window_in_days to be in the range (7 - 30), got 31"],
        [{ enableKeyRotation: true, rotationPeriodInDays: 30 }, "expected rotation_period_in_days to be in the range (90 - 2560), got 30"],
    ])("refuses %j", (inputs, message) => {
        expect(() => kmsKey("k", inputs)).toThrow(message);
    });
});

describe("aws:ec2/securityGroup", () => {
    const rule = { protocol: "tcp", fromPort: 6379, toPort: 6379 };

    it("returns an sg- id, an ARN and Pulumi's default description", () => {
        const state = securityGroup("sg", { vpcId: "vpc-1", ingress: [{ ...rule, cidrBlocks: ["10.0.0.0/16"] }] });
        expect(state.id).toMatch(/^sg-[0-9a-f]{17}$/);
        expect(state.arn).toBe(`arn:aws:ec2:us-east-1:123456789012:security-group/${state.id}`);
        expect(state.description).toBe("Managed by Pulumi");
        expect(state.egress).toEqual([]);
    });

    it.each([
        [{ ...rule, cidrBlocks: ["10.0.0.5/16"] }, '"10.0.0.5/16" is not a valid CIDR block; did you mean "10.0.0.0/16"?'],
        [{ ...rule, cidrBlocks: ["10.0.0.0"] }, '"10.0.0.0" is not a valid CIDR block'],
        [{ ...rule, cidrBlocks: ["fd00::/8"] }, '"fd00::/8" is not a valid CIDR block'],
        [{ ...rule, ipv6CidrBlocks: ["fd00::/129"] }, '"fd00::/129" is not a valid CIDR block'],
        [{ protocol: "tcp", toPort: 1 }, 'The argument "ingress.0.from_port" is required'],
    ])("refuses the ingress rule %j", (ingress, message) => {
        expect(() => securityGroup("sg", { ingress: [ingress] })).toThrow(message);
    });
});

describe("subnet and parameter groups", () => {
    it("names a subnet group, and refuses one without subnets", () => {
        expect(elastiCacheSubnetGroup("subnets", { subnetIds: ["subnet-1"] }).id).toMatch(/^subnets-[0-9a-f]{7}$/);
        expect(() => elastiCacheSubnetGroup("subnets", { subnetIds: [] })).toThrow("InvalidParameterValue: a subnet group needs at least one subnet");
        expect(() => elastiCacheSubnetGroup("subnets", {})).toThrow('"subnet_ids" is required');
    });

    it("refuses an RDS parameter with an unknown apply method", () => {
        expect(() => rdsParameterGroup("p", { family: "postgres17", parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "now" }] })).toThrow(
            'expected parameter.0.apply_method to be one of ["immediate" "pending-reboot"], got now',
        );
    });
});

describe("aws:rds/instance", () => {
    const base = { instanceClass: "db.t4g.medium", engine: "postgres", storageEncrypted: true, password: "pw" };

    it("reports host name, endpoint and PostgreSQL's port", () => {
        const state = rdsInstance("db", base);
        expect(state.address).toMatch(/^db-[0-9a-f]{7}\.c[0-9a-f]{11}\.us-east-1\.rds\.amazonaws\.com$/);
        expect(state.port).toBe(5432);
        expect(state.endpoint).toBe(`${state.address}:5432`);
        expect(state.arn).toBe(`arn:aws:rds:us-east-1:123456789012:db:${state.id}`);
    });

    it.each([
        ["a password beside manageMasterUserPassword", { manageMasterUserPassword: true }, '"password": conflicts with manage_master_user_password'],
        ["a KMS key on unencrypted storage", { storageEncrypted: false, kmsKeyId: "arn:k" }, "a KMS key was given but storage_encrypted is not true"],
        ["40 days of backups", { backupRetentionPeriod: 40 }, "expected backup_retention_period to be in the range (0 - 35), got 40"],
        ["no instance class", { instanceClass: undefined }, '"instance_class" is required'],
    ])("refuses %s", (_, overrides, message) => {
        expect(() => rdsInstance("db", { ...base, ...overrides })).toThrow(message);
    });
});

describe("the AWS handlers behind the mocks", () => {
    it("are the ones the emulator uses for their types", async () => {
        const emulator = new ProviderEmulator();
        const { id, state } = await emulator.newResource({ type: "aws:rds/instance:Instance", name: "db", inputs: { instanceClass: "db.t4g.micro", engine: "postgres" }, custom: true });
        expect(id).toBe(state.identifier);
        expect(state.port).toBe(5432);
        await expect(emulator.newResource({ type: "aws:kms/key:Key", name: "k", inputs: { deletionWindowInDays: 3 }, custom: true })).rejects.toThrow(ProviderError);
        expect(emulator.failures.map((f) => f.type)).toEqual(["aws:kms/key:Key"]);
    });
});
