import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, type ProviderEmulator, valueOf } from ".";

// The emulator answers in the region pulumi-aws would work in: the default provider's `aws:region`,
// or an explicit provider's `region`; never a fixed one.
let emulator: ProviderEmulator;

beforeAll(async () => {
    emulator = await installEmulator({ stack: "region" });
    pulumi.runtime.setAllConfig({ "aws:region": "eu-west-1" });
});

describe("the region of an emulated aws resource", () => {
    it("is the stack's aws:region for the default provider: ARNs, endpoints and getRegion", async () => {
        const key = new aws.kms.Key("regional-key", {});
        expect(await valueOf(key.arn)).toMatch(/^arn:aws:kms:eu-west-1:123456789012:key\//);
        const db = new aws.rds.Instance("regional-db", { instanceClass: "db.t4g.small", engine: "postgres", identifier: "regional" });
        expect(await valueOf(db.address)).toMatch(/^regional\.c[0-9a-f]{11}\.eu-west-1\.rds\.amazonaws\.com$/);
        const group = new aws.elasticache.ReplicationGroup("regional-cache", { description: "c", replicationGroupId: "regional", transitEncryptionEnabled: true });
        expect(await valueOf(group.primaryEndpointAddress)).toMatch(/^master\.regional\.[0-9a-f]{6}\.euw1\.cache\.amazonaws\.com$/);
        expect(await aws.getRegion()).toMatchObject({ name: "eu-west-1", endpoint: "ec2.eu-west-1.amazonaws.com", description: "Europe (Ireland)" });
    });

    it("is an explicit provider's region for the resources and calls it manages", async () => {
        const sydney = new aws.Provider("sydney", { region: "ap-southeast-2" });
        const secret = new aws.secretsmanager.Secret("regional-secret", { name: "tls-platform/region/cache" }, { provider: sydney });
        expect(await valueOf(secret.arn)).toMatch(/^arn:aws:secretsmanager:ap-southeast-2:123456789012:secret:tls-platform\/region\/cache-/);
        const group = new aws.elasticache.ReplicationGroup("sydney-cache", { description: "c", replicationGroupId: "sydney", transitEncryptionEnabled: true }, { provider: sydney });
        expect(await valueOf(group.arn)).toBe("arn:aws:elasticache:ap-southeast-2:123456789012:replicationgroup:sydney");
        expect(await valueOf(group.primaryEndpointAddress)).toMatch(/\.apse2\.cache\.amazonaws\.com$/);
        expect(await aws.getRegion({}, { provider: sydney })).toMatchObject({ name: "ap-southeast-2", endpoint: "ec2.ap-southeast-2.amazonaws.com" });
        expect(emulator.failures).toEqual([]);
    });
});
