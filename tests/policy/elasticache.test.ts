import { describe, expect, it } from "vitest";
import { REPLICATION_GROUP, changed } from "./fixtures";
import { UNKNOWN_STRING, resourcePolicy, validateResource } from "./harness";

const group = (changes: Record<string, unknown> = {}) => ({ type: "aws:elasticache/replicationGroup:ReplicationGroup", name: "cache-group", props: changed(REPLICATION_GROUP, changes) });

describe("elasticache-transit-encryption-required (mandatory)", () => {
    const policy = resourcePolicy("elasticache-transit-encryption-required");

    it.each([
        ["the project's group", {}],
        ["a preview whose mode is computed", { transitEncryptionMode: UNKNOWN_STRING }],
    ])("passes %s", async (_title, changes) => {
        expect(await validateResource(policy, group(changes))).toEqual({ violations: [], notApplicable: false, unknownReads: [] });
    });

    it.each([
        [
            "transit encryption off",
            { transitEncryptionEnabled: false, transitEncryptionMode: undefined, authToken: undefined },
            '`transitEncryptionEnabled` is false: clients could connect in plaintext. Set `transitEncryptionEnabled: true` and `transitEncryptionMode: "required"`.',
        ],
        [
            "transit encryption left out",
            { transitEncryptionEnabled: undefined },
            '`transitEncryptionEnabled` is not set: clients could connect in plaintext. Set `transitEncryptionEnabled: true` and `transitEncryptionMode: "required"`.',
        ],
        [
            "mode preferred",
            { transitEncryptionMode: "preferred" },
            '`transitEncryptionMode` is `preferred`: only `required` makes the group refuse plaintext connections. Set `transitEncryptionMode: "required"` (a group that had transit encryption off needs one `pulumi up` with `preferred` first, with this policy disabled for that run).',
        ],
        [
            "mode left out",
            { transitEncryptionMode: undefined },
            '`transitEncryptionMode` is not set: only `required` makes the group refuse plaintext connections. Set `transitEncryptionMode: "required"` (a group that had transit encryption off needs one `pulumi up` with `preferred` first, with this policy disabled for that run).',
        ],
    ])("reports %s", async (_title, changes, message) => {
        expect((await validateResource(policy, group(changes))).violations).toEqual([message]);
    });

    it("applies to replication groups only", async () => {
        expect((await validateResource(policy, { type: "aws:rds/instance:Instance", name: "db", props: {} })).notApplicable).toBe(true);
    });
});

describe("elasticache-encryption-at-rest (mandatory)", () => {
    const policy = resourcePolicy("elasticache-encryption-at-rest");

    it.each([
        ["the project's group", {}],
        ["valkey without the argument (the provider's default for valkey is on)", { atRestEncryptionEnabled: undefined }],
    ])("passes %s", async (_title, changes) => {
        expect(await validateResource(policy, group(changes))).toEqual({ violations: [], notApplicable: false, unknownReads: [] });
    });

    it.each([
        [
            "at-rest encryption off",
            { atRestEncryptionEnabled: false, kmsKeyId: undefined },
            "`atRestEncryptionEnabled` is false: snapshots and data on disk would be unencrypted. Set `atRestEncryptionEnabled: true` (with `kmsKeyId` for a customer-managed key); AWS cannot change it in place, so the group is replaced.",
        ],
        [
            "redis without the argument",
            { engine: "redis", engineVersion: "7.1", atRestEncryptionEnabled: undefined, kmsKeyId: undefined },
            "`atRestEncryptionEnabled` is not set, and for engine `redis` the provider's default is off. Set `atRestEncryptionEnabled: true` (with `kmsKeyId` for a customer-managed key).",
        ],
        [
            "no engine (redis, the provider's default) and no argument",
            { engine: undefined, atRestEncryptionEnabled: undefined, kmsKeyId: undefined },
            "`atRestEncryptionEnabled` is not set, and for engine `redis` the provider's default is off. Set `atRestEncryptionEnabled: true` (with `kmsKeyId` for a customer-managed key).",
        ],
    ])("reports %s", async (_title, changes, message) => {
        expect((await validateResource(policy, group(changes))).violations).toEqual([message]);
    });
});

describe("elasticache-auth (mandatory)", () => {
    const policy = resourcePolicy("elasticache-auth");
    const message =
        "Neither `authToken` nor `userGroupIds` is set: any client that reaches the port can read and write every key. Set `authToken` (16-128 characters; needs transit encryption) or `userGroupIds` (RBAC users).";

    it.each([
        ["an AUTH token", {}],
        ["a generated token still unknown during preview", { authToken: UNKNOWN_STRING }],
        ["a write-only token", { authToken: undefined, authTokenWo: "a-token-that-is-long-enough", authTokenWoVersion: 1 }],
        ["an RBAC user group", { authToken: undefined, authTokenUpdateStrategy: undefined, userGroupIds: ["tls-platform-users"] }],
    ])("passes %s", async (_title, changes) => {
        expect(await validateResource(policy, group(changes))).toEqual({ violations: [], notApplicable: false, unknownReads: [] });
    });

    it.each([
        ["no token and no user group", { authToken: undefined }],
        ["an empty token and an empty user group list", { authToken: "", userGroupIds: [] }],
    ])("reports %s", async (_title, changes) => {
        expect((await validateResource(policy, group(changes))).violations).toEqual([message]);
    });
});
