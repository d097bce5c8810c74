import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, valueOf, type ProviderEmulator } from "../emulator";
import { CONNECTION_DOCUMENT_KEYS, documentKeys, scaledProdConfig, stackConfig } from "./stack";

// The prod program scaled out by config alone (cacheClusterMode, cacheShards, cacheReplicasPerShard,
// cacheRbac, rdsMultiAz, rdsReadReplicas), under the emulator: what the application reads.
let emulator: ProviderEmulator;
let program: typeof import("../../index");

beforeAll(async () => {
    emulator = await installEmulator({ stack: "prod" });
    pulumi.runtime.setAllConfig(stackConfig("prod", scaledProdConfig().overrides));
    program = await import("../../index");
});

const secretDocument = async (service: string) => JSON.parse((await emulator.waitFor("aws:secretsmanager/secretVersion:SecretVersion", `connections-${service}`)).inputs.secretString);

describe("prod stack scaled out by config", () => {
    it("shards the cache (3 shards of a primary and a replica, failover and Multi-AZ on) behind its configuration endpoint", async () => {
        await valueOf(program.connectionSecretArns!.cache!);
        const group = await emulator.waitFor("aws:elasticache/replicationGroup:ReplicationGroup", "cache-group");
        expect(group.inputs).toMatchObject({ clusterMode: "enabled", numNodeGroups: 3, replicasPerNodeGroup: 1, automaticFailoverEnabled: true, multiAzEnabled: true, parameterGroupName: "default.valkey8.cluster.on" });
        expect(group.inputs).not.toHaveProperty("numCacheClusters");
        const document = await secretDocument("cache");
        const host = group.state.configurationEndpointAddress;
        expect(documentKeys(document)).toEqual(CONNECTION_DOCUMENT_KEYS);
        expect(document).toMatchObject({ host, topology: { mode: "cluster", seeds: [{ host, port: 6379 }], nodeNameVerification: "node-host" }, reader: null });
    });

    it("gives the application (appName) its own RBAC user, and the cache no AUTH token", async () => {
        const user = await emulator.waitFor("aws:elasticache/user:User", "cache-user-app");
        expect(user.inputs).toMatchObject({ userName: "app", accessString: "on ~app:* &app:* +@all -@dangerous", engine: "valkey" });
        expect((await emulator.waitFor("aws:elasticache/user:User", "cache-user-default")).inputs.accessString).toBe("off -@all");
        const group = emulator.get("aws:elasticache/replicationGroup:ReplicationGroup", "cache-group");
        expect(group.inputs).not.toHaveProperty("authToken");
        expect(group.inputs.userGroupIds).toEqual([(await emulator.waitFor("aws:elasticache/userGroup:UserGroup", "cache-users")).inputs.userGroupId]);
        const document = await secretDocument("cache");
        expect(document.username).toBe("app");
        expect(document.password).toBe(user.inputs.authenticationMode.passwords[0]);
    });

    it("runs the database Multi-AZ with two read replicas, the first as the document's reader", async () => {
        const document = await secretDocument("database");
        const primary = await emulator.waitFor("aws:rds/instance:Instance", "db-db");
        const first = await emulator.waitFor("aws:rds/instance:Instance", "db-replica-1");
        await emulator.waitFor("aws:rds/instance:Instance", "db-replica-2");
        expect(primary.inputs.multiAz).toBe(true);
        expect(first.inputs).toMatchObject({ replicateSourceDb: primary.state.identifier, multiAz: true, skipFinalSnapshot: true });
        expect(document.reader).toEqual({ host: first.state.address, port: 5432, url: expect.stringMatching(new RegExp(`^postgres://app:[^@]+@${first.state.address.replace(/\./g, "\\.")}:5432/app\\?sslmode=verify-full$`)) });
    });

    it("creates nothing the providers would refuse", async () => {
        await secretDocument("database");
        expect(emulator.failures).toEqual([]);
    });
});
