import { describe, expect, it } from "vitest";
import { PARAMETER_GROUP_OUTPUTS, RDS_INSTANCE, changed } from "./fixtures";
import { TestResource, UNKNOWN_STRING, resourcePolicy, stackPolicy, stackResources, urnOf, validateResource, validateStack } from "./harness";

const INSTANCE = "aws:rds/instance:Instance";
const PARAMETER_GROUP = "aws:rds/parameterGroup:ParameterGroup";
const instance = (changes: Record<string, unknown> = {}, propertyDependencies?: Record<string, string[]>): TestResource => ({
    type: INSTANCE,
    name: "db-db",
    props: changed(RDS_INSTANCE, changes),
    propertyDependencies,
});
const parameterGroup = (changes: Record<string, unknown> = {}): TestResource => ({ type: PARAMETER_GROUP, name: "db-params", props: changed(PARAMETER_GROUP_OUTPUTS, changes) });

describe("rds-storage-encrypted (mandatory)", () => {
    const policy = resourcePolicy("rds-storage-encrypted");

    it("passes the project's instance", async () => {
        expect(await validateResource(policy, instance())).toEqual({ violations: [], notApplicable: false, unknownReads: [] });
    });

    it.each([
        [
            "storage encryption off",
            { storageEncrypted: false, kmsKeyId: undefined },
            "`storageEncrypted` is false: the database files, snapshots and backups would be readable by anyone who gets the volumes. Set `storageEncrypted: true` (with `kmsKeyId` for a customer-managed key); an existing instance is replaced, so move its data through an encrypted snapshot copy.",
        ],
        [
            "storage encryption left out",
            { storageEncrypted: undefined, kmsKeyId: undefined },
            "`storageEncrypted` is not set (RDS's default is unencrypted): the database files, snapshots and backups would be readable by anyone who gets the volumes. Set `storageEncrypted: true` (with `kmsKeyId` for a customer-managed key); an existing instance is replaced, so move its data through an encrypted snapshot copy.",
        ],
    ])("reports %s", async (_title, changes, message) => {
        expect((await validateResource(policy, instance(changes))).violations).toEqual([message]);
    });
});

describe("rds-force-ssl (mandatory, stack)", () => {
    const policy = stackPolicy("rds-force-ssl");
    const urn = urnOf({ type: INSTANCE, name: "db-db" });

    it.each([
        ["the project's instance and group, matched by the group's name", [instance(), parameterGroup()]],
        [
            "a preview, where the auto-named group's name is unknown and the engine's property dependency points at it",
            [instance({ parameterGroupName: UNKNOWN_STRING }, { parameterGroupName: ["db-params"] }), parameterGroup({ name: UNKNOWN_STRING, arn: UNKNOWN_STRING })],
        ],
        ["a MySQL instance, which has no rds.force_ssl", [instance({ engine: "mysql", parameterGroupName: undefined })]],
    ])("passes %s", async (_title, resources) => {
        expect(await validateStack(policy, stackResources(resources))).toEqual({ violations: [], urns: [], notApplicable: false, unknownReads: [] });
    });

    it.each([
        [
            "no parameter group",
            [instance({ parameterGroupName: undefined })],
            "`parameterGroupName` is not set, so the instance gets the engine's default parameter group, whose `rds.force_ssl` depends on the engine version. Attach an `aws.rds.ParameterGroup` that sets `rds.force_ssl` to `1`.",
        ],
        [
            "a group from outside the stack",
            [instance({ parameterGroupName: "shared-postgres17" })],
            "`parameterGroupName` is `shared-postgres17`, a parameter group that is not in this stack, so its `rds.force_ssl` cannot be checked. Manage the group in this stack with `rds.force_ssl` set to `1`.",
        ],
        [
            "a group that turns force_ssl off",
            [instance(), parameterGroup({ parameters: [{ applyMethod: "immediate", name: "rds.force_ssl", value: "0" }] })],
            '`parameterGroupName` is the parameter group `db-params`, whose `rds.force_ssl` is `0`: the instance would accept unencrypted connections. Add `{ name: "rds.force_ssl", value: "1" }` to its `parameters`.',
        ],
        [
            "a group that does not set force_ssl, found through the dependency during preview",
            [instance({ parameterGroupName: UNKNOWN_STRING }, { parameterGroupName: ["db-params"] }), parameterGroup({ name: UNKNOWN_STRING, parameters: [{ applyMethod: "immediate", name: "log_connections", value: "1" }] })],
            '`parameterGroupName` is the parameter group `db-params`, whose `rds.force_ssl` is not set: the instance would accept unencrypted connections. Add `{ name: "rds.force_ssl", value: "1" }` to its `parameters`.',
        ],
    ])("reports %s, against the instance", async (_title, resources, message) => {
        expect(await validateStack(policy, stackResources(resources))).toEqual({ violations: [message], urns: [urn], notApplicable: false, unknownReads: [] });
    });

    it("is not applicable to a stack without RDS instances", async () => {
        expect((await validateStack(policy, stackResources([parameterGroup()]))).notApplicable).toBe(true);
    });
});
