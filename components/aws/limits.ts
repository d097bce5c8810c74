/**
 * What the AWS provider lets through at preview but ElastiCache and RDS refuse at create (or accept
 * and then fail at runtime). Each rule cites the AWS page that states it, and the provider source
 * that shows it is not checked earlier (hashicorp/terraform-provider-aws internal/service/rds/
 * instance.go and elasticache/replication_group.go: `instance_class`, `node_type`, `iops`, `password`
 * and `ca_cert_identifier` have no ValidateFunc; `storage_type` is only checked against the type
 * names, not the sizes).
 */
import { Problem, show } from "../shared/problems";
import { parseDailyWindow, parseWeeklyWindow, windowsOverlap } from "./windows";

// ElastiCache node types are `cache.<family>.<size>` (API reference CacheNode: "cache.m7g.large",
// "cache.t4g.small"); RDS instance classes are `db.<family>.<size>` (CreateDBInstance DBInstanceClass,
// "db.m5.large"). A name without the prefix (`t4g.small`, an EC2 type) is refused at create.
const NODE_CLASS = (prefix: string) => new RegExp(`^${prefix}\\.[a-z][a-z0-9-]*\\.[a-z0-9]+$`);

export function validateNodeClass(path: string, value: unknown, prefix: "cache" | "db", example: string): Problem[] {
    if (typeof value === "string" && NODE_CLASS(prefix).test(value)) {
        return [];
    }
    const what = prefix === "cache" ? "an ElastiCache node type" : "an RDS instance class";
    const hint = typeof value === "string" && /^[a-z][a-z0-9-]*\.[a-z0-9]+$/.test(value) ? ` (it reads like an EC2 instance type: write \`${prefix}.${value}\`)` : "";
    return [{ path, message: `\`${path}\`: ${show(value)} is not ${what}${hint}; they are \`${prefix}.<family>.<size>\`, e.g. \`${example}\` (the default).` }];
}

/**
 * ElastiCache refuses a snapshot window that overlaps the maintenance window ("The snapshot window
 * and maintenance window must not overlap.", the InvalidParameterCombination quoted in
 * hashicorp/terraform#17247); the provider checks each window's format only.
 */
export function validateSnapshotWindowOverlap(snapshotWindow: string, maintenanceWindow: string, defaults: { snapshot: string; maintenance: string }): Problem[] {
    const daily = parseDailyWindow(snapshotWindow);
    const weekly = parseWeeklyWindow(maintenanceWindow);
    if (!daily || !weekly || !windowsOverlap(weekly, daily)) {
        return [];
    }
    return [
        {
            path: "snapshotWindow",
            message: `\`snapshotWindow\`: ${show(snapshotWindow)} overlaps \`maintenanceWindow\` ${show(maintenanceWindow)}, which ElastiCache refuses ("The snapshot window and maintenance window must not overlap"); move one, e.g. the defaults \`${defaults.snapshot}\` and \`${defaults.maintenance}\`.`,
        },
    ];
}

/** Storage types this component offers: gp3, and Provisioned IOPS io1/io2 (which need `iops`). */
export const RDS_STORAGE_TYPES = ["gp3", "io1", "io2"] as const;
export type RdsStorageType = (typeof RDS_STORAGE_TYPES)[number];

/**
 * RDS for PostgreSQL storage sizes per type, in GiB (CreateDBInstance AllocatedStorage: General
 * Purpose gp2/gp3 "an integer from 20 to 65536", Provisioned IOPS io1/io2 "from 100 to 65536").
 */
export const RDS_STORAGE_GIB: Record<RdsStorageType, readonly [number, number]> = { gp3: [20, 65536], io1: [100, 65536], io2: [100, 65536] };
/**
 * Provisioned IOPS for PostgreSQL: "a multiple between .5 and 50 of the storage amount"
 * (CreateDBInstance Iops), from 1000 (the range RDS reports, "1000-256,000": API reference
 * ValidStorageOptions ProvisionedIops).
 */
export const RDS_IOPS_PER_GIB = [0.5, 50] as const;
export const MIN_RDS_PROVISIONED_IOPS = 1000;

export function validateRdsStorage(storageType: unknown, allocatedStorageGb: unknown, iops: unknown, defaultStorageGb: number): Problem[] {
    if (!(RDS_STORAGE_TYPES as readonly unknown[]).includes(storageType)) {
        return [
            {
                path: "storageType",
                message: `\`storageType\`: ${show(storageType)} is not offered; use \`gp3\` (the default) or \`io1\`/\`io2\` with \`iops\` (gp2 costs more than gp3 for the same baseline, and magnetic \`standard\` is legacy).`,
            },
        ];
    }
    const type = storageType as RdsStorageType;
    const [min, max] = RDS_STORAGE_GIB[type];
    const problems: Problem[] = [];
    const sized = typeof allocatedStorageGb === "number" && Number.isInteger(allocatedStorageGb) && allocatedStorageGb >= min && allocatedStorageGb <= max;
    if (!sized) {
        problems.push({
            path: "allocatedStorageGb",
            message: `\`allocatedStorageGb\`: ${show(allocatedStorageGb)} is out of range for ${type}; RDS for PostgreSQL takes a whole number from ${min} to ${max} GiB on ${type}${type === "gp3" ? ` (default ${defaultStorageGb})` : ""}.`,
        });
    }
    if (type === "gp3") {
        if (iops !== undefined) {
            problems.push({ path: "iops", message: `\`iops\`: ${show(iops)} applies to Provisioned IOPS storage only; remove it for gp3 (its baseline is included), or set \`storageType: "io2"\`.` });
        }
        return problems;
    }
    if (iops === undefined) {
        problems.push({ path: "iops", message: `\`iops\`: missing; ${type} storage needs provisioned IOPS, e.g. \`iops: ${MIN_RDS_PROVISIONED_IOPS}\`, or use \`storageType: "gp3"\` (the default).` });
        return problems;
    }
    const [low, high] = RDS_IOPS_PER_GIB;
    const bounds = sized ? ` and ${low}–${high} per GiB of \`allocatedStorageGb\` (${Math.max(MIN_RDS_PROVISIONED_IOPS, Math.ceil(low * (allocatedStorageGb as number)))}–${high * (allocatedStorageGb as number)} for ${allocatedStorageGb} GiB)` : ` and ${low}–${high} per GiB of \`allocatedStorageGb\``;
    const fits = typeof iops === "number" && Number.isInteger(iops) && iops >= MIN_RDS_PROVISIONED_IOPS && (!sized || (iops >= low * (allocatedStorageGb as number) && iops <= high * (allocatedStorageGb as number)));
    if (!fits) {
        problems.push({ path: "iops", message: `\`iops\`: ${show(iops)} is out of range; RDS for PostgreSQL needs a whole number of at least ${MIN_RDS_PROVISIONED_IOPS}${bounds}.` });
    }
    return problems;
}

/**
 * RDS for PostgreSQL master password: 8 to 128 characters, "any printable ASCII character except
 * "/", """, or "@"" (CreateDBInstance MasterUserPassword). Spaces are refused too: the same engines
 * refuse them under Lightsail (CreateRelationalDatabase: "It cannot contain spaces"), and a space
 * would need quoting in every libpq connection string a client builds. The provider only marks the
 * field sensitive. The password itself is never quoted: it is a secret.
 */
export const MIN_RDS_PASSWORD_LENGTH = 8;
export const MAX_RDS_PASSWORD_LENGTH = 128;

export function validateRdsPassword(password: string, path = "password"): Problem[] {
    const problems: Problem[] = [];
    if (password.length < MIN_RDS_PASSWORD_LENGTH || password.length > MAX_RDS_PASSWORD_LENGTH) {
        problems.push({
            path,
            message: `\`${path}\`: has ${password.length} characters (value not shown: it is a secret); RDS for PostgreSQL requires ${MIN_RDS_PASSWORD_LENGTH} to ${MAX_RDS_PASSWORD_LENGTH}; use another password, or leave \`${path}\` out to have one generated.`,
        });
    }
    const refused = [...new Set([...password].filter((ch) => !/^[\x21-\x7e]$/.test(ch) || ch === "/" || ch === '"' || ch === "@"))];
    if (refused.length > 0) {
        const shown = refused.map((ch) => (ch === " " ? "a space" : /^[\x21-\x7e]$/.test(ch) ? show(ch) : `U+${ch.codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")}`));
        problems.push({
            path,
            message: `\`${path}\`: contains ${shown.join(", ")}, which RDS refuses in a master password (the provider lets it through to the API); use printable ASCII without \`/\`, \`"\`, \`@\` and spaces, or leave \`${path}\` out to have one generated.`,
        });
    }
    return problems;
}

/**
 * The server CAs RDS issues instance certificates from today (docs.aws.amazon.com/AmazonRDS/latest/
 * UserGuide/UsingWithRDS.SSL.html). `rds-ca-2019` expired in August 2024; an unknown identifier is
 * refused by ModifyDBInstance/CreateDBInstance only at apply time.
 */
export const RDS_CA_CERT_IDENTIFIERS = ["rds-ca-rsa2048-g1", "rds-ca-rsa4096-g1", "rds-ca-ecc384-g1"] as const;
export type RdsCaCertIdentifier = (typeof RDS_CA_CERT_IDENTIFIERS)[number];

export function validateRdsCaCertIdentifier(value: unknown, defaultValue: string): Problem[] {
    if ((RDS_CA_CERT_IDENTIFIERS as readonly unknown[]).includes(value)) {
        return [];
    }
    const why = value === "rds-ca-2019" ? " (it expired in August 2024)" : "";
    return [
        {
            path: "caCertIdentifier",
            message: `\`caCertIdentifier\`: ${show(value)} is not a current RDS certificate authority${why}; use ${RDS_CA_CERT_IDENTIFIERS.map((id) => `\`${id}\``).join(", ")} (default \`${defaultValue}\`), all in the global bundle \`caBundlePem\` holds.`,
        },
    ];
}
