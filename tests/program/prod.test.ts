import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, valueOf, type ProviderEmulator } from "../emulator";
import { CONNECTION_DOCUMENT_KEYS, documentKeys, filledProdConfig, stackConfig } from "./stack";

// The prod program with its required keys filled in, under the emulator.
let emulator: ProviderEmulator;
let program: typeof import("../../index");
let bundlePem: string;

beforeAll(async () => {
    const filled = filledProdConfig();
    bundlePem = filled.rdsCaBundlePem;
    emulator = await installEmulator({ stack: "prod" });
    pulumi.runtime.setAllConfig(stackConfig("prod", filled.overrides));
    program = await import("../../index");
});

const secretDocument = async (service: string) => {
    const version = await emulator.waitFor("aws:secretsmanager/secretVersion:SecretVersion", `connections-${service}`);
    return { version, document: JSON.parse(version.inputs.secretString) };
};

describe("prod stack", () => {
    it("runs the cache on ElastiCache in the configured subnets, reachable only from the application's security group", async () => {
        await valueOf(program.connectionSecretArns!.cache!);
        expect((await emulator.waitFor("aws:elasticache/subnetGroup:SubnetGroup", "cache-subnets")).inputs.subnetIds).toEqual(["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]);
        const group = await emulator.waitFor("aws:elasticache/replicationGroup:ReplicationGroup", "cache-group");
        expect(group.inputs).toMatchObject({ engine: "valkey", transitEncryptionEnabled: true, transitEncryptionMode: "required", atRestEncryptionEnabled: true, numCacheClusters: 2 });
        const groups = [await emulator.waitFor("aws:ec2/securityGroup:SecurityGroup", "cache-sg"), await emulator.waitFor("aws:ec2/securityGroup:SecurityGroup", "db-sg")];
        for (const sg of groups) {
            expect(sg.inputs.vpcId).toBe("vpc-0a1b2c3d4e5f60718");
            for (const rule of sg.inputs.ingress) {
                expect(rule.securityGroups).toEqual(["sg-0a1b2c3d4e5f60718"]);
                expect(rule.cidrBlocks ?? []).toEqual([]);
            }
        }
        expect(emulator.resources.filter((r) => r.type.startsWith("docker:"))).toEqual([]);
    });

    it("runs PostgreSQL on RDS and ships the RDS CA bundle in its document", async () => {
        const { document } = await secretDocument("database");
        expect(document.url).toMatch(/^postgres:\/\/app:[^@]+@[^/]+:5432\/app\?sslmode=verify-full$/);
        expect(document.tls.ca).toEqual({ type: "pem", pem: bundlePem });
        const parameters = (await emulator.waitFor("aws:rds/parameterGroup:ParameterGroup", "db-params")).inputs.parameters;
        expect(parameters).toEqual(expect.arrayContaining([expect.objectContaining({ name: "rds.force_ssl", value: "1" })]));
    });

    it("writes each document to Secrets Manager under tls-platform/prod, with the same keys as dev's, and never as plaintext", async () => {
        for (const service of ["cache", "database"]) {
            const { version, document } = await secretDocument(service);
            expect(version.secretInputs).toEqual(["secretString"]);
            expect(documentKeys(document)).toEqual(CONNECTION_DOCUMENT_KEYS);
            expect(emulator.get("aws:secretsmanager/secret:Secret", `connections-${service}`).inputs).toMatchObject({ name: `tls-platform/prod/${service}`, recoveryWindowInDays: 30 });
        }
        const { document } = await secretDocument("cache");
        expect(document).toMatchObject({ service: "redis", tls: { ca: { type: "public-roots" }, clientCertificate: null } });
        expect(program.connections).toBeUndefined();
    });

    it("grants the application's role read of exactly its connection secrets", async () => {
        const arns = await Promise.all(Object.values(program.connectionSecretArns!).map(valueOf));
        const policy = JSON.parse(await valueOf(program.connectionSecretsReadPolicy!));
        expect(policy.Statement[0].Resource).toEqual(arns);
        // The stack's aws:region (eu-west-1) exactly: Secrets Manager elsewhere cannot decrypt with the key.
        expect(policy.Statement[1].Condition).toEqual({ StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } });
        expect((await emulator.waitFor("aws:iam/rolePolicy:RolePolicy", "connections-read")).inputs.role).toBe("app-role");
    });

    it("exports where its documents are as `connectionSecrets`: the secret ARNs and their prefix, nothing secret", async () => {
        const location = pulumi.output(program.connectionSecrets!);
        const arns = Object.fromEntries(await Promise.all(Object.entries(program.connectionSecretArns!).map(async ([service, arn]) => [service, await valueOf(arn)])));
        expect(await valueOf(location)).toEqual({ pathPrefix: "tls-platform/prod", secretArns: arns });
        expect(Object.keys(arns)).toEqual(["cache", "database"]);
        expect(await pulumi.isSecret(location)).toBe(false);
    });

    it("creates nothing the providers would refuse", () => {
        expect(emulator.failures).toEqual([]);
    });
});
