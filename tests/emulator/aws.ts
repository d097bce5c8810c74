import * as crypto from "node:crypto";
import * as net from "node:net";
import { Diagnostics } from "./diagnostics";
import { clusterCreateProblems, clusterState, elastiCacheUser, elastiCacheUserGroup } from "./elasticache";

// The AWS resources behind ElastiCacheCache, RdsPostgres and SecretsManagerSink: ids, ARNs and endpoints
// shaped as AWS makes them in the configured region, and the refusals that the provider
// (terraform-provider-aws) or the AWS API would raise. Messages quoted from the provider say so; the
// API's refusals are paraphrased. RULES.md lists every rule with its upstream file and function.

type Inputs = Record<string, any>;
export const ACCOUNT = "123456789012";
/** The region a handler called without one (a unit test of a single resource) works in. */
export const DEFAULT_REGION = "us-east-1";

/** Where an emulated AWS resource is made: the region of the provider that manages it. */
export interface AwsContext {
    readonly region: string;
}
const DEFAULT_CONTEXT: AwsContext = { region: DEFAULT_REGION };

const hex = (chars: number) => crypto.randomBytes(Math.ceil(chars / 2)).toString("hex").slice(0, chars);
/** Pulumi's auto-name: the logical name and seven random characters (lower case where AWS folds case). */
const autoName = (name: string) => `${name}-${hex(7)}`.toLowerCase();

const DIRECTIONS: Record<string, string> = { east: "e", west: "w", north: "n", south: "s", central: "c", southeast: "se", northeast: "ne", southwest: "sw", northwest: "nw" };
/** `eu-west-1` → `euw1`, `ap-southeast-2` → `apse2`: the region code in ElastiCache endpoint names. */
export function regionCode(region: string): string {
    const [area, direction, number] = region.split("-");
    return `${area}${DIRECTIONS[direction ?? ""] ?? direction ?? ""}${number ?? ""}`;
}

// terraform-plugin-sdk helper/validation messages, which the bridged provider returns word for word.
const sdk = {
    intBetween: (d: Diagnostics, key: string, value: unknown, min: number, max: number, property: string) => {
        if (typeof value === "number" && !(value >= min && value <= max)) d.add(`expected ${key} to be in the range (${min} - ${max}), got ${value}`, property);
    },
    intAtMost: (d: Diagnostics, key: string, value: unknown, max: number, property: string) => {
        if (typeof value === "number" && value > max) d.add(`expected ${key} to be at most (${max}), got ${value}`, property);
    },
    lenBetween: (d: Diagnostics, key: string, value: unknown, min: number, max: number, property: string) => {
        if (typeof value === "string" && !(value.length >= min && value.length <= max)) d.add(`expected length of ${key} to be in the range (${min} - ${max}), got ${value}`, property);
    },
    inSlice: (d: Diagnostics, key: string, value: unknown, allowed: readonly string[], ignoreCase: boolean, property: string) => {
        if (typeof value !== "string") return;
        const found = allowed.some((a) => (ignoreCase ? a.toLowerCase() === value.toLowerCase() : a === value));
        if (!found) d.add(`expected ${key} to be one of [${allowed.map((a) => JSON.stringify(a)).join(" ")}], got ${value}`, property);
    },
    notEmpty: (d: Diagnostics, key: string, value: unknown, property: string) => {
        if (value === "") d.add(`expected "${key}" to not be an empty string, got `, property);
    },
    /** StringMatch / StringDoesNotMatch with a message: `invalid value for key (message)`. */
    match: (d: Diagnostics, key: string, value: unknown, regex: RegExp, message: string, property: string, mustMatch = true) => {
        if (typeof value === "string" && regex.test(value) !== mustMatch) d.add(`invalid value for ${key} (${message})`, property);
    },
    conflicts: (d: Diagnostics, inputs: Inputs, a: string, b: string, snakeA: string, snakeB: string) => {
        if (inputs[a] !== undefined && inputs[b] !== undefined) d.add(`"${snakeA}": conflicts with ${snakeB}`, a);
    },
};

/** verify.ValidOnceADayWindowFormat (internal/verify/validate.go): `hh24:mi-hh24:mi`, or empty. */
function onceADayWindow(d: Diagnostics, key: string, value: unknown, property: string): void {
    const time = "([0-1][0-9]|2[0-3]):([0-5][0-9])";
    if (typeof value === "string" && !new RegExp(`^(${time}-${time}|)$`).test(value)) d.add(`"${key}" must satisfy the format of "hh24:mi-hh24:mi".`, property);
}

/** verify.ValidOnceAWeekWindowFormat (internal/verify/validate.go): `ddd:hh24:mi-ddd:hh24:mi`, any case, or empty. */
function onceAWeekWindow(d: Diagnostics, key: string, value: unknown, property: string): void {
    const time = "(sun|mon|tue|wed|thu|fri|sat):([0-1][0-9]|2[0-3]):([0-5][0-9])";
    if (typeof value === "string" && !new RegExp(`^(${time}-${time}|)$`).test(value.toLowerCase())) d.add(`"${key}" must satisfy the format of "ddd:hh24:mi-ddd:hh24:mi".`, property);
}

/** verify.ValidARN: `arn:partition:service:region:account:resource`. */
const isArn = (value: string) => /^arn:[^:]+:[^:]+:[^:]*:[^:]*:.+$/.test(value);
function validArn(d: Diagnostics, key: string, value: unknown, property: string): void {
    if (typeof value === "string" && value !== "" && !isArn(value)) d.add(`"${key}" (${value}) is an invalid ARN`, property);
}

/** Plan-time checks of `aws:kms/key` (internal/service/kms/key.go `resourceKey`: IntBetween on both windows). */
export function checkKmsKey(inputs: Inputs, d: Diagnostics): void {
    sdk.intBetween(d, "deletion_window_in_days", inputs.deletionWindowInDays, 7, 30, "deletionWindowInDays");
    sdk.intBetween(d, "rotation_period_in_days", inputs.rotationPeriodInDays, 90, 2560, "rotationPeriodInDays");
}

/** `aws:kms/key`: a key id (UUID) and its ARN. */
export function kmsKey(name: string, inputs: Inputs, context: AwsContext = DEFAULT_CONTEXT): Record<string, unknown> {
    const d = new Diagnostics();
    checkKmsKey(inputs, d);
    d.throwIfAny("aws:kms/key:Key", name);
    const keyId = crypto.randomUUID();
    const period = inputs.rotationPeriodInDays;
    return {
        ...inputs,
        id: keyId,
        keyId,
        arn: `arn:aws:kms:${context.region}:${ACCOUNT}:key/${keyId}`,
        keyUsage: inputs.keyUsage ?? "ENCRYPT_DECRYPT",
        customerMasterKeySpec: inputs.customerMasterKeySpec ?? "SYMMETRIC_DEFAULT",
        enableKeyRotation: inputs.enableKeyRotation ?? false,
        isEnabled: inputs.isEnabled ?? true,
        rotationPeriodInDays: inputs.enableKeyRotation ? (period ?? 365) : undefined,
    };
}

/** The provider's CIDR check (verify.ValidCIDRNetworkAddress): parseable, and the network form. */
function cidrProblem(cidr: unknown, family: 4 | 6): string | undefined {
    const [address, bits, extra] = typeof cidr === "string" ? cidr.split("/") : [];
    const prefix = Number(bits);
    if (extra !== undefined || !address || net.isIP(address) !== family || !/^\d+$/.test(bits ?? "") || prefix > (family === 4 ? 32 : 128)) {
        return `${JSON.stringify(cidr)} is not a valid CIDR block`;
    }
    if (family === 4) {
        const value = address.split(".").reduce((acc, o) => acc * 256 + Number(o), 0);
        const size = 2 ** (32 - prefix);
        const network = value - (value % size);
        if (network !== value) {
            const dotted = [24, 16, 8, 0].map((s) => Math.floor(network / 2 ** s) % 256).join(".");
            return `${JSON.stringify(cidr)} is not a valid CIDR block; did you mean "${dotted}/${prefix}"?`;
        }
    }
    return undefined;
}

/** What EC2 accepts in a VPC security group's name and description (EC2 API CreateSecurityGroup, "Constraints for EC2-VPC"). */
const EC2_VPC_GROUP_TEXT = /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]*$/;
/** ec2 validate.go `validSecurityGroupRuleDescription`'s pattern, as the provider quotes it. */
const RULE_DESCRIPTION_PATTERN = "^[A-Za-z0-9 \\.\\_\\-\\:\\/\\(\\)\\#\\,\\@\\[\\]\\+\\=\\&\\;\\{\\}\\!\\$\\*]*$";

/**
 * Plan-time checks of `aws:ec2/securityGroup` (internal/service/ec2/vpc_security_group.go
 * `resourceSecurityGroup`): name and description at most 255 long, a name not beginning `sg-`, name
 * conflicting with namePrefix; each rule's required ports and protocol, network-form CIDRs and a
 * description within validSecurityGroupRuleDescription.
 */
export function checkSecurityGroup(inputs: Inputs, d: Diagnostics): void {
    sdk.lenBetween(d, "description", inputs.description, 0, 255, "description");
    sdk.lenBetween(d, "name", inputs.name, 0, 255, "name");
    sdk.match(d, "name", inputs.name, /^sg-/, "cannot begin with sg-", "name", false);
    sdk.conflicts(d, inputs, "name", "namePrefix", "name", "name_prefix");
    for (const direction of ["ingress", "egress"] as const) {
        (inputs[direction] ?? []).forEach((rule: Inputs, i: number) => {
            for (const field of ["fromPort", "toPort", "protocol"]) {
                if (rule[field] === undefined) {
                    d.add(`Missing required argument: The argument "${direction}.${i}.${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}" is required, but no definition was found.`, `${direction}[${i}].${field}`);
                }
            }
            (rule.cidrBlocks ?? []).forEach((c: unknown, j: number) => {
                const problem = cidrProblem(c, 4);
                if (problem) d.add(problem, `${direction}[${i}].cidrBlocks[${j}]`);
            });
            (rule.ipv6CidrBlocks ?? []).forEach((c: unknown, j: number) => {
                const problem = cidrProblem(c, 6);
                if (problem) d.add(problem, `${direction}[${i}].ipv6CidrBlocks[${j}]`);
            });
            const description = rule.description;
            if (typeof description === "string") {
                if (description.length > 255) d.add(`"description" cannot be longer than 255 characters: ${JSON.stringify(description)}`, `${direction}[${i}].description`);
                if (!new RegExp(RULE_DESCRIPTION_PATTERN).test(description)) {
                    d.add(`"description" doesn't comply with restrictions (${JSON.stringify(RULE_DESCRIPTION_PATTERN)}): ${JSON.stringify(description)}`, `${direction}[${i}].description`);
                }
            }
        });
    }
}

/** `aws:ec2/securityGroup`: an `sg-` id; EC2 refuses a name or description outside its VPC character set at create. */
export function securityGroup(name: string, inputs: Inputs, context: AwsContext = DEFAULT_CONTEXT): Record<string, unknown> {
    const d = new Diagnostics();
    checkSecurityGroup(inputs, d);
    for (const [field, parameter] of [["description", "GroupDescription"], ["name", "GroupName"]] as const) {
        const value = inputs[field];
        if (typeof value === "string" && !EC2_VPC_GROUP_TEXT.test(value)) {
            d.add(`InvalidParameterValue: Value (${value}) for parameter ${parameter} is invalid. Character sets beyond a-z, A-Z, 0-9, spaces and ._-:/()#,@[]+=&;{}!$* are not supported in a VPC.`, field);
        }
    }
    d.throwIfAny("aws:ec2/securityGroup:SecurityGroup", name);
    const id = `sg-${hex(17)}`;
    return {
        ...inputs,
        id,
        arn: `arn:aws:ec2:${context.region}:${ACCOUNT}:security-group/${id}`,
        name: inputs.name ?? autoName(name),
        description: inputs.description ?? "Managed by Pulumi",
        ownerId: ACCOUNT,
        ingress: inputs.ingress ?? [],
        egress: inputs.egress ?? [],
    };
}

/**
 * Plan-time checks of both subnet groups (elasticache/subnet_group.go and rds/subnet_group.go
 * `ResourceSubnetGroup`): subnet_ids required; it has no MinItems, so an empty list passes the plan and
 * the API refuses it at create. The RDS one's name by rds/validate.go `validSubnetGroupName`.
 */
export function checkSubnetGroup(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "subnetIds");
}

export function checkRdsSubnetGroup(inputs: Inputs, d: Diagnostics): void {
    checkSubnetGroup(inputs, d);
    const value = inputs.name;
    if (typeof value === "string") {
        if (!/^[0-9a-z_ .-]+$/.test(value)) d.add('only lowercase alphanumeric characters, hyphens, underscores, periods, and spaces allowed in "name"', "name");
        if (value.length > 255) d.add('"name" cannot be longer than 255 characters', "name");
        if (/^default$/i.test(value)) d.add('"Default" is not allowed as "name"', "name");
    }
}

/** `aws:elasticache/subnetGroup` and `aws:rds/subnetGroup`: named groups of at least one subnet (the API refuses none: CreateCacheSubnetGroup, CreateDBSubnetGroup). */
function subnetGroup(type: string, check: (inputs: Inputs, d: Diagnostics) => void, arnOf: (region: string, groupName: string) => string) {
    return (name: string, inputs: Inputs, context: AwsContext = DEFAULT_CONTEXT): Record<string, unknown> => {
        const d = new Diagnostics();
        check(inputs, d);
        if (Array.isArray(inputs.subnetIds) && inputs.subnetIds.length === 0) {
            d.add("InvalidParameterValue: a subnet group needs at least one subnet (SubnetIds is empty)", "subnetIds");
        }
        d.throwIfAny(type, name);
        const groupName = inputs.name ?? autoName(name);
        return { ...inputs, id: groupName, name: groupName, arn: arnOf(context.region, groupName) };
    };
}

export const elastiCacheSubnetGroup = subnetGroup("aws:elasticache/subnetGroup:SubnetGroup", checkSubnetGroup, (r, n) => `arn:aws:elasticache:${r}:${ACCOUNT}:subnetgroup:${n}`);
export const rdsSubnetGroup = subnetGroup("aws:rds/subnetGroup:SubnetGroup", checkRdsSubnetGroup, (r, n) => `arn:aws:rds:${r}:${ACCOUNT}:subgrp:${n}`);

/**
 * Plan-time checks of `aws:rds/parameterGroup` (internal/service/rds/parameter_group.go
 * `resourceParameterGroup`): family required; name by rds/validate.go `validParamGroupName`; each
 * parameter's apply_method one of immediate / pending-reboot in any case (enum.ValidateIgnoreCase).
 */
export function checkRdsParameterGroup(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "family");
    sdk.conflicts(d, inputs, "name", "namePrefix", "name", "name_prefix");
    const value = inputs.name;
    if (typeof value === "string") {
        if (!/^[0-9a-z.-]+$/.test(value)) d.add('only lowercase alphanumeric characters, periods, and hyphens allowed in parameter group "name"', "name");
        if (!/^[a-z]/.test(value)) d.add('first character of parameter group "name" must be a letter', "name");
        if (value.includes("--")) d.add('parameter group "name" cannot contain two consecutive hyphens', "name");
        if (value.endsWith("-")) d.add('parameter group "name" cannot end with a hyphen', "name");
        if (value.length > 255) d.add('parameter group "name" cannot be greater than 255 characters', "name");
    }
    (inputs.parameters ?? []).forEach((p: Inputs, i: number) => {
        sdk.inSlice(d, `parameter.${i}.apply_method`, p?.applyMethod, ["immediate", "pending-reboot"], true, `parameters[${i}].applyMethod`);
        for (const field of ["name", "value"]) {
            if (p?.[field] === undefined) d.add(`Missing required argument: The argument "parameter.${i}.${field}" is required, but no definition was found.`, `parameters[${i}].${field}`);
        }
    });
}

/** `aws:rds/parameterGroup`. */
export function rdsParameterGroup(name: string, inputs: Inputs, context: AwsContext = DEFAULT_CONTEXT): Record<string, unknown> {
    const d = new Diagnostics();
    checkRdsParameterGroup(inputs, d);
    d.throwIfAny("aws:rds/parameterGroup:ParameterGroup", name);
    const groupName = inputs.name ?? autoName(name);
    return { ...inputs, id: groupName, name: groupName, arn: `arn:aws:rds:${context.region}:${ACCOUNT}:pg:${groupName}` };
}

/** elasticache/engine_version.go: `validRedisVersionString` (≤5: major.minor.patch; ≥6: major.minor or 6.x) and `validValkeyVersionString` (major.minor, 7-9). */
const REDIS_VERSION = /^[1-5](\.[0-9]+){2}$|^((6)\.x)|([6-9]\.[0-9]+)$/;
const VALKEY_VERSION = /^[7-9]\.[0-9]+$/;

/**
 * Plan-time checks of `aws:elasticache/replicationGroup` (internal/service/elasticache/replication_group.go
 * `resourceReplicationGroup`, v6 line): description non-empty; engine redis or valkey (any case);
 * engine_version by validation.Any(redis, valkey) formats; replication_group_id by
 * `validateReplicationGroupID`; the token's length and `@ " /` (`validReplicationGroupAuthToken`);
 * enums; windows; snapshot retention at most 35; auth_token conflicting with user_group_ids; and the
 * CustomizeDiff checks (Multi-AZ needs failover, failover needs two clusters, the token strategy rules).
 * Like the provider, the token check covers only length and `@ " /`: a `%` passes here and would fail at AWS.
 */
export function checkReplicationGroup(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "description");
    sdk.notEmpty(d, "description", inputs.description, "description");
    sdk.inSlice(d, "engine", inputs.engine, ["redis", "valkey"], true, "engine");
    const version = inputs.engineVersion;
    if (typeof version === "string" && !REDIS_VERSION.test(version) && !VALKEY_VERSION.test(version)) {
        d.add(`engine_version: ${version} is invalid. For Redis v6 or higher, use <major>.<minor>. For Redis v5 or lower, use <major>.<minor>.<patch>.`, "engineVersion");
        d.add(`engine_version: ${version} is invalid. For Valkey use <major>.<minor>.`, "engineVersion");
    }
    const id = inputs.replicationGroupId;
    sdk.lenBetween(d, "replication_group_id", id, 1, 40, "replicationGroupId");
    sdk.match(d, "replication_group_id", id, /^[0-9A-Za-z-]+$/, "must contain only alphanumeric characters and hyphens", "replicationGroupId");
    sdk.match(d, "replication_group_id", id, /^[A-Za-z]/, "must begin with a letter", "replicationGroupId");
    sdk.match(d, "replication_group_id", id, /--/, "cannot contain two consecutive hyphens", "replicationGroupId", false);
    sdk.match(d, "replication_group_id", id, /-$/, "cannot end with a hyphen", "replicationGroupId", false);
    sdk.inSlice(d, "transit_encryption_mode", inputs.transitEncryptionMode, ["preferred", "required"], false, "transitEncryptionMode");
    sdk.inSlice(d, "auth_token_update_strategy", inputs.authTokenUpdateStrategy, ["SET", "ROTATE", "DELETE"], false, "authTokenUpdateStrategy");
    sdk.inSlice(d, "network_type", inputs.networkType, ["ipv4", "ipv6", "dual_stack"], false, "networkType");
    sdk.inSlice(d, "ip_discovery", inputs.ipDiscovery, ["ipv4", "ipv6"], false, "ipDiscovery");
    sdk.inSlice(d, "cluster_mode", inputs.clusterMode, ["enabled", "disabled", "compatible"], false, "clusterMode");
    onceAWeekWindow(d, "maintenance_window", inputs.maintenanceWindow, "maintenanceWindow");
    onceADayWindow(d, "snapshot_window", inputs.snapshotWindow, "snapshotWindow");
    sdk.intAtMost(d, "snapshot_retention_limit", inputs.snapshotRetentionLimit, 35, "snapshotRetentionLimit");
    sdk.intBetween(d, "replicas_per_node_group", inputs.replicasPerNodeGroup, 0, 5, "replicasPerNodeGroup");
    validArn(d, "notification_topic_arn", inputs.notificationTopicArn, "notificationTopicArn");
    const token = inputs.authToken;
    if (typeof token === "string") {
        if (token.length < 16 || token.length > 128) {
            d.add('"auth_token" must contain from 16 to 128 alphanumeric characters or symbols (excluding @, ", and /)', "authToken");
        }
        if (!/^[^@"/]+$/.test(token)) {
            d.add('only alphanumeric characters or symbols (excluding @, ", and /) allowed in "auth_token"', "authToken");
        }
    }
    if (token !== undefined && Array.isArray(inputs.userGroupIds) && inputs.userGroupIds.length > 0) {
        d.add('"auth_token": conflicts with user_group_ids', "authToken");
    }
    if (inputs.numCacheClusters !== undefined && (inputs.numNodeGroups !== undefined || inputs.replicasPerNodeGroup !== undefined)) {
        d.add(`"num_cache_clusters": conflicts with ${inputs.numNodeGroups !== undefined ? "num_node_groups" : "replicas_per_node_group"}`, "numCacheClusters");
    }
    // authTokenUpdateStrategyValidate: the raw config decides whether a token is "configured", known or not.
    const tokenConfigured = (token !== undefined && token !== null) || d.isUnknown("authToken");
    if (inputs.authTokenUpdateStrategy === "DELETE") {
        if (tokenConfigured) d.add('"auth_token" must not be specified when "auth_token_update_strategy" is "DELETE"', "authToken");
    } else if (inputs.authTokenUpdateStrategy !== undefined && !tokenConfigured) {
        d.add('"auth_token_update_strategy": "auth_token" must be specified', "authTokenUpdateStrategy");
    }
    if (inputs.multiAzEnabled === true && inputs.automaticFailoverEnabled !== true) {
        d.add("automatic_failover_enabled must be true if multi_az_enabled is true", "multiAzEnabled");
    }
    if (inputs.automaticFailoverEnabled === true && typeof inputs.numCacheClusters === "number" && inputs.numCacheClusters < 2) {
        d.add('"num_cache_clusters": must be at least 2 if automatic_failover_enabled is true', "numCacheClusters");
    }
}

/**
 * `aws:elasticache/replicationGroup`, with the API's refusals of an AUTH token without transit encryption,
 * a KMS key without at-rest encryption, and the cluster-mode and RBAC combinations (elasticache.ts) at
 * create; a cluster-mode group reports its configuration endpoint instead of a primary one.
 */
export function replicationGroup(name: string, inputs: Inputs, context: AwsContext = DEFAULT_CONTEXT): Record<string, unknown> {
    const d = new Diagnostics();
    checkReplicationGroup(inputs, d);
    const engine = (inputs.engine ?? "redis").toLowerCase();
    if (typeof inputs.authToken === "string" && inputs.transitEncryptionEnabled !== true) {
        d.add("InvalidParameterCombination: AUTH token can be set only when transit encryption is enabled (transit_encryption_enabled = true)", "authToken");
    }
    const atRest = inputs.atRestEncryptionEnabled ?? engine === "valkey";
    if (inputs.kmsKeyId !== undefined && atRest !== true) {
        d.add("InvalidParameterCombination: kms_key_id can be specified only when at_rest_encryption_enabled = true", "kmsKeyId");
    }
    clusterCreateProblems(inputs, engine, d);
    d.throwIfAny("aws:elasticache/replicationGroup:ReplicationGroup", name);
    const id = (inputs.replicationGroupId ?? autoName(name)).toLowerCase();
    const zone = hex(6);
    const nodes = inputs.numCacheClusters ?? 1;
    const code = regionCode(context.region);
    // TLS groups get `master.`/`replica.` endpoints (AWS "Finding connection endpoints").
    const endpoint = (role: string) => (inputs.transitEncryptionEnabled ? `${role}.${id}.${zone}.${code}.cache.amazonaws.com` : `${id}.${zone}.ng.0001.${code}.cache.amazonaws.com`);
    return {
        ...inputs,
        id,
        replicationGroupId: id,
        arn: `arn:aws:elasticache:${context.region}:${ACCOUNT}:replicationgroup:${id}`,
        engine,
        port: inputs.port ?? 6379,
        atRestEncryptionEnabled: atRest,
        transitEncryptionMode: inputs.transitEncryptionEnabled ? (inputs.transitEncryptionMode ?? "required") : undefined,
        ...(inputs.clusterMode === "enabled"
            ? clusterState(id, inputs, code)
            : {
                  clusterEnabled: false,
                  memberClusters: Array.from({ length: nodes }, (_, i) => `${id}-${String(i + 1).padStart(3, "0")}`),
                  primaryEndpointAddress: endpoint("master"),
                  readerEndpointAddress: endpoint("replica"),
              }),
    };
}

/** `aws:elasticache/user` in the configured region (elasticache.ts). */
export const user = (name: string, inputs: Inputs, context: AwsContext = DEFAULT_CONTEXT) => elastiCacheUser(name, inputs, context.region, ACCOUNT);
/** `aws:elasticache/userGroup` in the configured region (elasticache.ts). */
export const userGroup = (name: string, inputs: Inputs, context: AwsContext = DEFAULT_CONTEXT) => elastiCacheUserGroup(name, inputs, context.region, ACCOUNT);

/**
 * Plan-time checks of `aws:rds/instance` (internal/service/rds/instance.go `ResourceInstance`, v5-line
 * copy): instance_class required; identifier by rds/validate.go `validIdentifier`; identifier and
 * identifier_prefix, password and manage_master_user_password conflicting; final_snapshot_identifier's
 * four StringMatch rules; backup and maintenance window formats; backup retention 0-35; monitoring
 * interval one of 0, 1, 5, 10, 15, 30, 60; kms_key_id an ARN; db_name and username conflicting with
 * replicate_source_db (a read replica takes its source's).
 */
export function checkRdsInstance(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "instanceClass");
    sdk.conflicts(d, inputs, "identifier", "identifierPrefix", "identifier", "identifier_prefix");
    if (inputs.password !== undefined && inputs.manageMasterUserPassword === true) {
        d.add('"password": conflicts with manage_master_user_password', "password");
    }
    const id = inputs.identifier;
    if (typeof id === "string") {
        if (!/^[0-9a-z-]+$/.test(id)) d.add('only lowercase alphanumeric characters and hyphens allowed in "identifier"', "identifier");
        if (!/^[a-z]/.test(id)) d.add('first character of "identifier" must be a letter', "identifier");
        if (id.includes("--")) d.add('"identifier" cannot contain two consecutive hyphens', "identifier");
        if (id.endsWith("-")) d.add('"identifier" cannot end with a hyphen', "identifier");
    }
    const snapshot = inputs.finalSnapshotIdentifier;
    sdk.match(d, "final_snapshot_identifier", snapshot, /^[A-Za-z]/, "must begin with alphabetic character", "finalSnapshotIdentifier");
    sdk.match(d, "final_snapshot_identifier", snapshot, /^[0-9A-Za-z-]+$/, "must only contain alphanumeric characters and hyphens", "finalSnapshotIdentifier");
    sdk.match(d, "final_snapshot_identifier", snapshot, /--/, "cannot contain two consecutive hyphens", "finalSnapshotIdentifier", false);
    sdk.match(d, "final_snapshot_identifier", snapshot, /-$/, "cannot end in a hyphen", "finalSnapshotIdentifier", false);
    onceADayWindow(d, "backup_window", inputs.backupWindow, "backupWindow");
    onceAWeekWindow(d, "maintenance_window", inputs.maintenanceWindow, "maintenanceWindow");
    sdk.intBetween(d, "backup_retention_period", inputs.backupRetentionPeriod, 0, 35, "backupRetentionPeriod");
    if (typeof inputs.monitoringInterval === "number" && ![0, 1, 5, 10, 15, 30, 60].includes(inputs.monitoringInterval)) {
        d.add(`expected monitoring_interval to be one of [0 1 5 10 15 30 60], got ${inputs.monitoringInterval}`, "monitoringInterval");
    }
    validArn(d, "kms_key_id", inputs.kmsKeyId, "kmsKeyId");
    if (inputs.replicateSourceDb !== undefined) {
        for (const [field, key] of [["dbName", "db_name"], ["username", "username"]] as const) {
            if (inputs[field] !== undefined) d.add(`"${key}": conflicts with replicate_source_db`, field);
        }
    }
}

/**
 * `aws:rds/instance`: host name, endpoint and port as RDS reports them, and the API's refusals of a KMS
 * key on unencrypted storage and of a fixed availability zone on a Multi-AZ instance.
 */
export function rdsInstance(name: string, inputs: Inputs, context: AwsContext = DEFAULT_CONTEXT): Record<string, unknown> {
    const d = new Diagnostics();
    checkRdsInstance(inputs, d);
    if (inputs.kmsKeyId !== undefined && inputs.storageEncrypted !== true) {
        d.add("InvalidParameterCombination: a KMS key was given but storage_encrypted is not true", "kmsKeyId");
    }
    if (inputs.multiAz === true && inputs.availabilityZone !== undefined) {
        d.add("InvalidParameterCombination: Requesting a specific availability zone is not valid for Multi-AZ instances.", "availabilityZone");
    }
    d.throwIfAny("aws:rds/instance:Instance", name);
    const identifier = inputs.identifier ?? autoName(name);
    const port = inputs.port ?? (inputs.engine === "postgres" ? 5432 : 3306);
    const address = `${identifier}.c${hex(11)}.${context.region}.rds.amazonaws.com`;
    return {
        ...inputs,
        id: identifier,
        identifier,
        arn: `arn:aws:rds:${context.region}:${ACCOUNT}:db:${identifier}`,
        resourceId: `db-${hex(26).toUpperCase()}`,
        address,
        port,
        endpoint: `${address}:${port}`,
        publiclyAccessible: inputs.publiclyAccessible ?? false,
        storageEncrypted: inputs.storageEncrypted ?? false,
    };
}

/** The largest role policy document IAM takes (internal/service/iam/role_policy.go: verify.ValidIAMPolicyJSON(10240)). */
export const ROLE_POLICY_MAX_LENGTH = 10_240;

/**
 * Plan-time checks of `aws:iam/rolePolicy` (internal/service/iam/role_policy.go `resourceRolePolicy`):
 * policy and role required; the policy a JSON object with no leading space (verify.ValidIAMPolicyJSON);
 * the role a name, not an ARN (iam/validate.go `validRolePolicyRole`); the name 1-128 of `[\w+=,.@-]`
 * (`validResourceName`), conflicting with name_prefix.
 */
export function checkRolePolicy(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "policy", "role");
    sdk.conflicts(d, inputs, "name", "namePrefix", "name", "name_prefix");
    const policy = inputs.policy;
    if (typeof policy === "string") {
        if (policy.length < 1) {
            d.add('"policy" is an empty string, which is not a valid JSON value', "policy");
        } else if (policy[0] !== "{") {
            d.add(/^\s/.test(policy) ? '"policy" contains an invalid JSON policy: leading space characters are not allowed' : '"policy" contains an invalid JSON policy: not a JSON object', "policy");
        } else {
            try {
                JSON.parse(policy);
            } catch (e) {
                d.add(`"policy" contains an invalid JSON: ${(e as Error).message}`, "policy");
            }
        }
        if (policy.length > ROLE_POLICY_MAX_LENGTH) d.add(`"policy" cannot be longer than ${ROLE_POLICY_MAX_LENGTH} characters`, "policy");
    }
    const role = inputs.role;
    if (typeof role === "string") {
        sdk.lenBetween(d, "role", role, 1, 128, "role");
        if (isArn(role)) d.add('"role" must be the role\'s name not its ARN', "role");
    }
    sdk.lenBetween(d, "name", inputs.name, 1, 128, "name");
    sdk.match(d, "name", inputs.name, /^[\w+=,.@-]*$/, "must match [\\w+=,.@-]", "name");
}

/** `aws:iam/rolePolicy`: the id IAM's provider gives it, `role:name`. */
export function rolePolicy(name: string, inputs: Inputs): Record<string, unknown> {
    const d = new Diagnostics();
    checkRolePolicy(inputs, d);
    d.throwIfAny("aws:iam/rolePolicy:RolePolicy", name);
    const policyName = inputs.name ?? `${name}-${hex(7)}`;
    return { ...inputs, id: `${inputs.role}:${policyName}`, name: policyName };
}
