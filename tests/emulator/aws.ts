import * as crypto from "node:crypto";
import * as net from "node:net";
import { Diagnostics } from "./diagnostics";

// The AWS resources behind ElastiCacheCache and RdsPostgres: ids, ARNs and endpoints shaped as AWS
// makes them, and the refusals that the provider (terraform-provider-aws) or the AWS API would raise.
// Messages quoted from the provider say so; the others paraphrase the API's errors.

type Inputs = Record<string, any>;
const ACCOUNT = "123456789012";
const REGION = "us-east-1";
const hex = (chars: number) => crypto.randomBytes(Math.ceil(chars / 2)).toString("hex").slice(0, chars);
/** Pulumi's auto-name: the logical name and seven random characters (lower case where AWS folds case). */
const autoName = (name: string) => `${name}-${hex(7)}`.toLowerCase();

/** `aws:kms/key`: a key id (UUID) and its ARN; the provider's range for the deletion window. */
export function kmsKey(name: string, inputs: Inputs): Record<string, unknown> {
    const d = new Diagnostics();
    const window = inputs.deletionWindowInDays;
    if (window !== undefined && !(Number.isInteger(window) && window >= 7 && window <= 30)) {
        d.add(`expected deletion_window_in_days to be in the range (7 - 30), got ${window}`);
    }
    const period = inputs.rotationPeriodInDays;
    if (period !== undefined && !(Number.isInteger(period) && period >= 90 && period <= 2560)) {
        d.add(`expected rotation_period_in_days to be in the range (90 - 2560), got ${period}`);
    }
    d.throwIfAny("aws:kms/key:Key", name);
    const keyId = crypto.randomUUID();
    return {
        ...inputs,
        id: keyId,
        keyId,
        arn: `arn:aws:kms:${REGION}:${ACCOUNT}:key/${keyId}`,
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

/** `aws:ec2/securityGroup`: an `sg-` id; every inline rule needs ports and protocol and network-form CIDRs. */
export function securityGroup(name: string, inputs: Inputs): Record<string, unknown> {
    const d = new Diagnostics();
    for (const direction of ["ingress", "egress"] as const) {
        (inputs[direction] ?? []).forEach((rule: Inputs, i: number) => {
            for (const field of ["fromPort", "toPort", "protocol"]) {
                if (rule[field] === undefined) {
                    d.add(`Missing required argument: The argument "${direction}.${i}.${field.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)}" is required, but no definition was found.`);
                }
            }
            (rule.cidrBlocks ?? []).forEach((c: unknown) => {
                const problem = cidrProblem(c, 4);
                if (problem) d.add(problem);
            });
            (rule.ipv6CidrBlocks ?? []).forEach((c: unknown) => {
                const problem = cidrProblem(c, 6);
                if (problem) d.add(problem);
            });
        });
    }
    d.throwIfAny("aws:ec2/securityGroup:SecurityGroup", name);
    const id = `sg-${hex(17)}`;
    return {
        ...inputs,
        id,
        arn: `arn:aws:ec2:${REGION}:${ACCOUNT}:security-group/${id}`,
        name: inputs.name ?? autoName(name),
        description: inputs.description ?? "Managed by Pulumi",
        ownerId: ACCOUNT,
        ingress: inputs.ingress ?? [],
        egress: inputs.egress ?? [],
    };
}

/** `aws:elasticache/subnetGroup` and `aws:rds/subnetGroup`: named groups of at least one subnet. */
function subnetGroup(type: string, arnOf: (groupName: string) => string) {
    return (name: string, inputs: Inputs): Record<string, unknown> => {
        const d = new Diagnostics();
        d.required(inputs, "subnetIds");
        if (Array.isArray(inputs.subnetIds) && inputs.subnetIds.length === 0) {
            d.add("Attribute subnet_ids requires 1 item minimum, but config has only 0 declared.");
        }
        d.throwIfAny(type, name);
        const groupName = inputs.name ?? autoName(name);
        return { ...inputs, id: groupName, name: groupName, arn: arnOf(groupName) };
    };
}

export const elastiCacheSubnetGroup = subnetGroup("aws:elasticache/subnetGroup:SubnetGroup", (n) => `arn:aws:elasticache:${REGION}:${ACCOUNT}:subnetgroup:${n}`);
export const rdsSubnetGroup = subnetGroup("aws:rds/subnetGroup:SubnetGroup", (n) => `arn:aws:rds:${REGION}:${ACCOUNT}:subgrp:${n}`);

/** `aws:rds/parameterGroup`: a family, and apply methods the provider knows. */
export function rdsParameterGroup(name: string, inputs: Inputs): Record<string, unknown> {
    const d = new Diagnostics();
    d.required(inputs, "family");
    (inputs.parameters ?? []).forEach((p: Inputs, i: number) => d.oneOf(`parameter.${i}.apply_method`, p.applyMethod, ["immediate", "pending-reboot"]));
    d.throwIfAny("aws:rds/parameterGroup:ParameterGroup", name);
    const groupName = inputs.name ?? autoName(name);
    return { ...inputs, id: groupName, name: groupName, arn: `arn:aws:rds:${REGION}:${ACCOUNT}:pg:${groupName}` };
}

/**
 * `aws:elasticache/replicationGroup` (cluster mode disabled): the provider's plan-time checks, quoted
 * from terraform-provider-aws replication_group.go, and the API's refusals of an AUTH token without
 * transit encryption and a KMS key without at-rest encryption. Like the provider, the token check
 * covers only length and `@ " /`: a `%` passes here and would fail at AWS.
 */
export function replicationGroup(name: string, inputs: Inputs): Record<string, unknown> {
    const d = new Diagnostics();
    d.required(inputs, "description");
    const engine = inputs.engine ?? "redis";
    d.oneOf("engine", engine, ["redis", "valkey"]);
    d.oneOf("transit_encryption_mode", inputs.transitEncryptionMode, ["preferred", "required"]);
    d.oneOf("auth_token_update_strategy", inputs.authTokenUpdateStrategy, ["SET", "ROTATE", "DELETE"]);
    const token = inputs.authToken;
    if (typeof token === "string") {
        if (token.length < 16 || token.length > 128) {
            d.add('"auth_token" must contain from 16 to 128 alphanumeric characters or symbols (excluding @, ", and /)');
        }
        if (!/^[^@"/]+$/.test(token)) {
            d.add('only alphanumeric characters or symbols (excluding @, ", and /) allowed in "auth_token"');
        }
        if (inputs.transitEncryptionEnabled !== true) {
            d.add("InvalidParameterCombination: AUTH token can be set only when transit encryption is enabled (transit_encryption_enabled = true)");
        }
    }
    if (inputs.authTokenUpdateStrategy !== undefined && inputs.authTokenUpdateStrategy !== "DELETE" && token === undefined) {
        d.add('"auth_token_update_strategy": "auth_token" must be specified');
    }
    if (inputs.multiAzEnabled === true && inputs.automaticFailoverEnabled !== true) {
        d.add("automatic_failover_enabled must be true if multi_az_enabled is true");
    }
    if (inputs.automaticFailoverEnabled === true && inputs.numCacheClusters !== undefined && inputs.numCacheClusters < 2) {
        d.add('"num_cache_clusters": must be at least 2 if automatic_failover_enabled is true');
    }
    const atRest = inputs.atRestEncryptionEnabled ?? engine === "valkey";
    if (inputs.kmsKeyId !== undefined && atRest !== true) {
        d.add("InvalidParameterCombination: kms_key_id can be specified only when at_rest_encryption_enabled = true");
    }
    if (inputs.snapshotRetentionLimit !== undefined && inputs.snapshotRetentionLimit > 35) {
        d.add(`expected snapshot_retention_limit to be at most (35), got ${inputs.snapshotRetentionLimit}`);
    }
    d.throwIfAny("aws:elasticache/replicationGroup:ReplicationGroup", name);
    const id = (inputs.replicationGroupId ?? autoName(name)).toLowerCase();
    const zone = hex(6);
    const nodes = inputs.numCacheClusters ?? 1;
    // TLS groups get `master.`/`replica.` endpoints (AWS "Finding connection endpoints").
    const endpoint = (role: string) => (inputs.transitEncryptionEnabled ? `${role}.${id}.${zone}.use1.cache.amazonaws.com` : `${id}.${zone}.ng.0001.use1.cache.amazonaws.com`);
    return {
        ...inputs,
        id,
        replicationGroupId: id,
        arn: `arn:aws:elasticache:${REGION}:${ACCOUNT}:replicationgroup:${id}`,
        engine,
        port: inputs.port ?? 6379,
        atRestEncryptionEnabled: atRest,
        transitEncryptionMode: inputs.transitEncryptionEnabled ? (inputs.transitEncryptionMode ?? "required") : undefined,
        clusterEnabled: false,
        memberClusters: Array.from({ length: nodes }, (_, i) => `${id}-${String(i + 1).padStart(3, "0")}`),
        primaryEndpointAddress: endpoint("master"),
        readerEndpointAddress: endpoint("replica"),
    };
}

/**
 * `aws:rds/instance`: host name, endpoint and port as RDS reports them; `password` conflicting with
 * `manageMasterUserPassword` (the provider's ConflictsWith), and the API's refusal of a KMS key on
 * unencrypted storage.
 */
export function rdsInstance(name: string, inputs: Inputs): Record<string, unknown> {
    const d = new Diagnostics();
    d.required(inputs, "instanceClass");
    if (inputs.password !== undefined && inputs.manageMasterUserPassword === true) {
        d.add('"password": conflicts with manage_master_user_password');
    }
    if (inputs.kmsKeyId !== undefined && inputs.storageEncrypted !== true) {
        d.add("InvalidParameterCombination: a KMS key was given but storage_encrypted is not true");
    }
    if (inputs.backupRetentionPeriod !== undefined && !(inputs.backupRetentionPeriod >= 0 && inputs.backupRetentionPeriod <= 35)) {
        d.add(`expected backup_retention_period to be in the range (0 - 35), got ${inputs.backupRetentionPeriod}`);
    }
    d.throwIfAny("aws:rds/instance:Instance", name);
    const identifier = inputs.identifier ?? autoName(name);
    const port = inputs.port ?? (inputs.engine === "postgres" ? 5432 : 3306);
    const address = `${identifier}.c${hex(11)}.${REGION}.rds.amazonaws.com`;
    return {
        ...inputs,
        id: identifier,
        identifier,
        arn: `arn:aws:rds:${REGION}:${ACCOUNT}:db:${identifier}`,
        resourceId: `db-${hex(26).toUpperCase()}`,
        address,
        port,
        endpoint: `${address}:${port}`,
        publiclyAccessible: inputs.publiclyAccessible ?? false,
        storageEncrypted: inputs.storageEncrypted ?? false,
    };
}
