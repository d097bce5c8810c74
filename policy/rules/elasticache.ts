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

/** AWS's own user of every RBAC engine, id `default`: `on ~* +@all nopass` (ElastiCache RBAC, "Applying RBAC to a cache"). */
const AWS_OPEN_DEFAULT_USER_ID = "default";

/** Whether a Redis/Valkey ACL string leaves the user enabled: the last of its `on`/`off` tokens decides (ACL SETUSER applies rules in order; users start off). */
function enabledBy(accessString: string): boolean {
    const switches = accessString.split(/\s+/).filter((t) => t === "on" || t === "off");
    return switches[switches.length - 1] === "on";
}

export const elastiCacheRbacDefaultUser: ResourceValidationPolicy = {
    name: "elasticache-rbac-default-user-disabled",
    description: "ElastiCache RBAC user groups do not let a connection in without authenticating: their `default` user is off, and AWS's open `default` user is not a member.",
    enforcementLevel: "mandatory",
    validateResource: [
        validateResourceOfType(aws.elasticache.User, (user, _args, reportViolation) => {
            const name = read(() => user.userName);
            const access = read(() => user.accessString);
            if (name !== "default" || access === UNKNOWN || typeof access !== "string" || !enabledBy(access)) {
                return;
            }
            reportViolation(
                `The user named \`default\` has access string ${show(access)}, which leaves it on: every connection that does not authenticate gets its rights. Set its access string to \`off -@all\` (ElastiCacheCache's rbacUsers does).`,
            );
        }),
        validateResourceOfType(aws.elasticache.UserGroup, (group, _args, reportViolation) => {
            const ids = read(() => group.userIds);
            if (ids === UNKNOWN || !Array.isArray(ids) || !ids.includes(AWS_OPEN_DEFAULT_USER_ID)) {
                return;
            }
            reportViolation(
                "`userIds` holds `default`, AWS's own default user (`on ~* +@all nopass`): any client that reaches the port can read and write every key without a password. Put a user named `default` of your own, with access string `off -@all`, in its place.",
            );
        }),
    ],
};

export const elastiCachePolicies = [elastiCacheTransitEncryption, elastiCacheAtRestEncryption, elastiCacheAuthentication, elastiCacheRbacDefaultUser];
