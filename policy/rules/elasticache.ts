import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { UNKNOWN, describe, isSet, read, show } from "../values";

/** Engines whose at-rest encryption is on when `atRestEncryptionEnabled` is left out (@pulumi/aws 7.48 replicationGroup.d.ts). */
const ENCRYPTED_AT_REST_BY_DEFAULT = ["valkey"];

export const elastiCacheTransitEncryption: ResourceValidationPolicy = {
    name: "elasticache-transit-encryption-required",
    description: "ElastiCache replication groups encrypt in transit with mode `required`, so no client can connect in plaintext.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.elasticache.ReplicationGroup, (group, _args, reportViolation) => {
        const enabled = read(() => group.transitEncryptionEnabled);
        if (enabled === UNKNOWN) {
            return;
        }
        if (enabled !== true) {
            reportViolation(
                `\`transitEncryptionEnabled\` ${describe(enabled)}: clients could connect in plaintext. Set \`transitEncryptionEnabled: true\` and \`transitEncryptionMode: "required"\`.`,
            );
            return;
        }
        const mode = read(() => group.transitEncryptionMode);
        if (mode !== UNKNOWN && mode !== "required") {
            reportViolation(
                `\`transitEncryptionMode\` ${describe(mode)}: only \`required\` makes the group refuse plaintext connections. Set \`transitEncryptionMode: "required"\` (a group that had transit encryption off needs one \`pulumi up\` with \`preferred\` first, with this policy disabled for that run).`,
            );
        }
    }),
};

export const elastiCacheAtRestEncryption: ResourceValidationPolicy = {
    name: "elasticache-encryption-at-rest",
    description: "ElastiCache replication groups encrypt their data at rest (snapshots, swap, replication backups).",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.elasticache.ReplicationGroup, (group, _args, reportViolation) => {
        const enabled = read(() => group.atRestEncryptionEnabled);
        if (enabled === true || enabled === UNKNOWN) {
            return;
        }
        if (enabled === undefined) {
            const engine = read(() => group.engine) ?? "redis";
            if (engine !== UNKNOWN && ENCRYPTED_AT_REST_BY_DEFAULT.includes(engine)) {
                return;
            }
            const which = engine === UNKNOWN ? "an engine not known until the update" : `engine ${show(engine)}`;
            reportViolation(
                `\`atRestEncryptionEnabled\` is not set, and for ${which} the provider's default is off. Set \`atRestEncryptionEnabled: true\` (with \`kmsKeyId\` for a customer-managed key).`,
            );
            return;
        }
        reportViolation(
            `\`atRestEncryptionEnabled\` ${describe(enabled)}: snapshots and data on disk would be unencrypted. Set \`atRestEncryptionEnabled: true\` (with \`kmsKeyId\` for a customer-managed key); AWS cannot change it in place, so the group is replaced.`,
        );
    }),
};

export const elastiCacheAuthentication: ResourceValidationPolicy = {
    name: "elasticache-auth",
    description: "ElastiCache replication groups demand authentication: an AUTH token or an RBAC user group.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.elasticache.ReplicationGroup, (group, _args, reportViolation) => {
        if (isSet(() => group.authToken) || isSet(() => group.authTokenWo) || isSet(() => group.userGroupIds)) {
            return;
        }
        reportViolation(
            "Neither `authToken` nor `userGroupIds` is set: any client that reaches the port can read and write every key. Set `authToken` (16-128 characters; needs transit encryption) or `userGroupIds` (RBAC users).",
        );
    }),
};

export const elastiCachePolicies = [elastiCacheTransitEncryption, elastiCacheAtRestEncryption, elastiCacheAuthentication];
