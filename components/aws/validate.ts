import * as crypto from "node:crypto";
import { Problem, isKnown, show } from "../shared/problems";
import { describePrivateRanges, parseCidr } from "./cidr";
import {
    DEFAULT_BACKUP_WINDOW,
    DEFAULT_MAINTENANCE_WINDOW,
    DEFAULT_RDS_ALLOCATED_STORAGE_GB,
    DEFAULT_RDS_BACKUP_RETENTION_DAYS,
    DEFAULT_RDS_DATABASE,
    DEFAULT_RDS_ENGINE_VERSION,
    DEFAULT_RDS_INSTANCE_CLASS,
    DEFAULT_RDS_STORAGE_TYPE,
    DEFAULT_RDS_USERNAME,
    FINAL_SNAPSHOT_SUFFIX,
    FINAL_SNAPSHOT_UNIQUE_LENGTH,
    MAX_SNAPSHOT_IDENTIFIER_LENGTH,
    MAX_RDS_BACKUP_RETENTION_DAYS,
    MIN_RDS_WINDOW_MINUTES,
    RDS_CA_CERT_IDENTIFIER,
    RDS_GLOBAL_BUNDLE_URL,
    RDS_PARAMETER_GROUP_FAMILY,
    RDS_POSTGRES_MAJOR_VERSION,
    RDS_POSTGRES_PORT,
} from "./defaults";
import { validateNodeClass, validateRdsCaCertIdentifier, validateRdsPassword, validateRdsStorage } from "./limits";
import type { PrivateNetworkArgs } from "./network";
import type { RdsPostgresInputs } from "./rds-args";
import { validateReplicaArgs } from "./replicas";
import { parseDailyWindow, parseWeeklyWindow, windowsOverlap } from "./windows";

const AWS_ID = (prefix: string) => new RegExp(`^${prefix}-([0-9a-f]{8}|[0-9a-f]{17})$`);
export const isWhole = (n: unknown): n is number => typeof n === "number" && Number.isInteger(n);
export const plural = (n: number, noun: string) => `${n} ${noun}${n === 1 ? "" : "s"}`;

/** Subnet IDs: at least `minimum`, each shaped like one. `tooFew` says why the minimum holds. */
export function validateSubnetIds(subnetIds: readonly unknown[], minimum: number, tooFew: string): Problem[] {
    const problems: Problem[] = [];
    if (subnetIds.length === 0) {
        problems.push({ path: "subnetIds", message: "`subnetIds`: none given; the service gets its own subnet group and needs subnets for it; pass your VPC's private subnets, one per availability zone, e.g. `subnetIds: vpc.privateSubnetIds`." });
    } else if (subnetIds.length < minimum) {
        problems.push({ path: "subnetIds", message: `\`subnetIds\`: ${plural(subnetIds.length, "subnet")} given; ${tooFew}` });
    }
    subnetIds.forEach((id, i) => {
        if (typeof id === "string" && !AWS_ID("subnet").test(id)) {
            problems.push({ path: `subnetIds[${i}]`, message: `\`subnetIds[${i}]\`: ${show(id)} is not a subnet ID; use IDs like \`subnet-0123456789abcdef0\`.` });
        }
    });
    return problems;
}

/** One allowed CIDR: well-formed, in network form, not the whole internet, and private unless `allowPublic`. */
export function validateCidr(path: string, cidr: unknown, port: number, allowPublic = false): Problem[] {
    const block = typeof cidr === "string" ? parseCidr(cidr) : ({ kind: "malformed" } as const);
    switch (block.kind) {
        case "malformed":
            return [{ path, message: `\`${path}\`: ${show(cidr)} is not a CIDR block; write an IPv4 or IPv6 network and its prefix length, e.g. \`10.0.0.0/16\` or \`fd00::/8\`.` }];
        case "host-bits":
            return [{ path, message: `\`${path}\`: ${show(cidr)} has host bits set and AWS accepts only the network form; write \`${block.network}\`.` }];
        case "network":
            return block.open
                ? [
                      {
                          path,
                          message: `\`${path}\`: ${show(cidr)} admits every IPv${block.family} address; admit only the clients that need port ${port}: their security groups (\`allowedSecurityGroupIds\`) or private networks such as \`10.0.0.0/16\`.`,
                      },
                  ]
                : block.private || allowPublic
                  ? []
                  : [
                        {
                            path,
                            message: `\`${path}\`: ${show(cidr)} is not private address space; without an opt-in only networks inside ${describePrivateRanges()} are allowed; admit the clients of port ${port} by their security groups (\`allowedSecurityGroupIds\`) or private networks${block.family === 6 ? " (an AWS VPC's own IPv6 block is public space)" : ""}, or set \`allowPublicCidrs: true\` if these public addresses must reach it.`,
                        },
                    ];
    }
}

/** Who may connect: at least one security group or network, and no open CIDR. */
export function validateAllowedSources(args: Pick<PrivateNetworkArgs, "allowedSecurityGroupIds" | "allowedCidrs" | "allowPublicCidrs">, port: number, what: string): Problem[] {
    const groups = args.allowedSecurityGroupIds ?? [];
    const cidrs = args.allowedCidrs ?? [];
    const problems: Problem[] = [];
    if (groups.length === 0 && cidrs.length === 0) {
        problems.push({
            path: "allowedSecurityGroupIds",
            message: `\`allowedSecurityGroupIds\`/\`allowedCidrs\`: neither is given, so no client could reach the ${what} on port ${port}; pass the security groups of the applications that use it, e.g. \`allowedSecurityGroupIds: [app.securityGroupId]\`, or their private networks.`,
        });
    }
    groups.forEach((id, i) => {
        if (typeof id === "string" && !AWS_ID("sg").test(id)) {
            problems.push({ path: `allowedSecurityGroupIds[${i}]`, message: `\`allowedSecurityGroupIds[${i}]\`: ${show(id)} is not a security group ID; use IDs like \`sg-0123456789abcdef0\`.` });
        }
    });
    cidrs.forEach((cidr, i) => problems.push(...validateCidr(`allowedCidrs[${i}]`, cidr, port, args.allowPublicCidrs === true)));
    return problems;
}

/** Subnets of an RDS instance: RDS wants its subnet group in two availability zones, even for one instance. */
export function validateRdsSubnets(subnetIds: readonly unknown[]): Problem[] {
    return validateSubnetIds(subnetIds, 2, "RDS requires a DB subnet group covering at least two availability zones; add a private subnet in another AZ.");
}

export function validateNetwork(args: PrivateNetworkArgs, port: number, what: string, subnets: (ids: readonly unknown[]) => Problem[]): Problem[] {
    const problems: Problem[] = [];
    if (args.vpcId === undefined || args.vpcId === null) {
        // Left out, the provider would put the security group in the region's default VPC.
        problems.push({ path: "vpcId", message: "`vpcId`: missing; the service's security group would land in the region's default VPC; pass your VPC's ID, e.g. `vpcId: vpc.vpcId` (`vpc-0123456789abcdef0`)." });
    } else if (typeof args.vpcId === "string" && !AWS_ID("vpc").test(args.vpcId)) {
        problems.push({ path: "vpcId", message: `\`vpcId\`: ${show(args.vpcId)} is not a VPC ID; use an ID like \`vpc-0123456789abcdef0\`.` });
    }
    if (isKnown(args.subnetIds)) {
        problems.push(...subnets((args.subnetIds ?? []) as unknown[]));
    }
    return [...problems, ...validateAllowedSources(args, port, what)];
}

/** A weekly (`ddd:hh:mm-ddd:hh:mm`) or daily (`hh:mm-hh:mm`) window in UTC of at least `minMinutes`. */
export function validateWindow(path: string, value: unknown, kind: "weekly" | "daily", minMinutes: number, example: string): Problem[] {
    const parsed = typeof value === "string" ? (kind === "weekly" ? parseWeeklyWindow(value) : parseDailyWindow(value)) : undefined;
    if (!parsed) {
        const format = kind === "weekly" ? "`ddd:hh:mm-ddd:hh:mm`" : "`hh:mm-hh:mm`";
        return [{ path, message: `\`${path}\`: ${show(value)} is not a ${kind} window; write ${format} in UTC with 24-hour times, e.g. \`${example}\` (the default).` }];
    }
    if (parsed.minutes < minMinutes) {
        return [{ path, message: `\`${path}\`: ${show(value)} lasts ${parsed.minutes} minutes; AWS needs at least ${minMinutes}; e.g. \`${example}\`.` }];
    }
    return [];
}

export function validateWholeRange(path: string, value: unknown, min: number, max: number, hint: string): Problem[] {
    return isWhole(value) && value >= min && value <= max ? [] : [{ path, message: `\`${path}\`: ${show(value)} is out of range; use a whole number from ${hint}.` }];
}

/** A KMS key ARN (not an alias or bare key id: ElastiCache and RDS store the ARN given). */
export function validateKmsKeyArn(arn: unknown): Problem[] {
    if (typeof arn !== "string" || /^arn:aws[a-z-]*:kms:[a-z0-9-]+:\d{12}:key\/[A-Za-z0-9-]+$/.test(arn)) {
        return [];
    }
    return [{ path: "kmsKeyArn", message: `\`kmsKeyArn\`: ${show(arn)} is not a KMS key ARN; pass one like \`arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\`, or leave it out to have a key with rotation created.` }];
}

/** The RDS trust bundle: PEM holding at least one certificate, every block parseable. */
export function validateCaBundle(pem: unknown): Problem[] {
    const blocks = typeof pem === "string" ? (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g) ?? []) : [];
    const fix = `pass the RDS global bundle, downloaded from ${RDS_GLOBAL_BUNDLE_URL} and kept in the repository (e.g. \`caBundlePem: fs.readFileSync("rds-global-bundle.pem", "utf8")\`).`;
    if (pem === undefined || pem === null) {
        return [{ path: "caBundlePem", message: `\`caBundlePem\`: missing; clients verify RDS against it; ${fix}` }];
    }
    if (blocks.length === 0) {
        return [{ path: "caBundlePem", message: `\`caBundlePem\`: holds no PEM certificate; ${fix}` }];
    }
    const broken = blocks.findIndex((block) => {
        try {
            new crypto.X509Certificate(block);
            return false;
        } catch {
            return true;
        }
    });
    return broken < 0 ? [] : [{ path: "caBundlePem", message: `\`caBundlePem\`: certificate ${broken + 1} of ${blocks.length} does not parse; ${fix}` }];
}

/** RDS identifiers for the database and master user: a letter, then letters, digits, underscores. */
function validatePostgresName(path: string, value: unknown, example: string): Problem[] {
    if (typeof value === "string" && /^[A-Za-z][A-Za-z0-9_]{0,62}$/.test(value) && value.toLowerCase() !== "rdsadmin") {
        return [];
    }
    return [{ path, message: `\`${path}\`: ${show(value)} is not allowed by RDS for PostgreSQL; use 1 to 63 letters, digits and underscores starting with a letter (not \`rdsadmin\`), e.g. \`${example}\`.` }];
}

/** Every problem with an `RdsPostgres`'s arguments that is known now (pure). `name` is the component's. */
export function validateRdsPostgresArgs(name: string, given: RdsPostgresInputs): Problem[] {
    // Callers from plain JavaScript (or another language) can leave out the whole bag.
    const args: RdsPostgresInputs = given ?? ({} as RdsPostgresInputs);
    const maintenance = args.maintenanceWindow ?? DEFAULT_MAINTENANCE_WINDOW;
    const backup = args.backupWindow ?? DEFAULT_BACKUP_WINDOW;
    const version = args.engineVersion ?? DEFAULT_RDS_ENGINE_VERSION;
    const problems = [
        ...validateNetwork(args, RDS_POSTGRES_PORT, "database", validateRdsSubnets),
        ...validateWholeRange("backupRetentionDays", args.backupRetentionDays ?? DEFAULT_RDS_BACKUP_RETENTION_DAYS, 1, MAX_RDS_BACKUP_RETENTION_DAYS, `1 to ${MAX_RDS_BACKUP_RETENTION_DAYS} days (0 would turn off backups and point-in-time recovery); default ${DEFAULT_RDS_BACKUP_RETENTION_DAYS}`),
        ...validateRdsStorage(args.storageType ?? DEFAULT_RDS_STORAGE_TYPE, args.allocatedStorageGb ?? DEFAULT_RDS_ALLOCATED_STORAGE_GB, args.iops, DEFAULT_RDS_ALLOCATED_STORAGE_GB),
        ...validateNodeClass("instanceClass", args.instanceClass ?? DEFAULT_RDS_INSTANCE_CLASS, "db", DEFAULT_RDS_INSTANCE_CLASS),
        ...validateRdsCaCertIdentifier(args.caCertIdentifier ?? RDS_CA_CERT_IDENTIFIER, RDS_CA_CERT_IDENTIFIER),
        ...validateWindow("maintenanceWindow", maintenance, "weekly", MIN_RDS_WINDOW_MINUTES, DEFAULT_MAINTENANCE_WINDOW),
        ...validateWindow("backupWindow", backup, "daily", MIN_RDS_WINDOW_MINUTES, DEFAULT_BACKUP_WINDOW),
        ...validatePostgresName("databaseName", args.databaseName ?? DEFAULT_RDS_DATABASE, DEFAULT_RDS_DATABASE),
        ...validatePostgresName("username", args.username ?? DEFAULT_RDS_USERNAME, DEFAULT_RDS_USERNAME),
        ...validateKmsKeyArn(args.kmsKeyArn),
        ...validateReplicaArgs(args),
    ];
    const weekly = parseWeeklyWindow(maintenance);
    const daily = parseDailyWindow(backup);
    if (weekly && daily && windowsOverlap(weekly, daily)) {
        problems.push({ path: "backupWindow", message: `\`backupWindow\`: ${show(backup)} overlaps \`maintenanceWindow\` ${show(maintenance)}, which RDS refuses; move one, e.g. the defaults \`${DEFAULT_BACKUP_WINDOW}\` and \`${DEFAULT_MAINTENANCE_WINDOW}\`.` });
    }
    if (args.publiclyAccessible === true) {
        problems.push({
            path: "publiclyAccessible",
            message: "`publiclyAccessible`: true would give the database a public address; this component keeps databases inside the VPC; remove it and reach the database from allowed security groups or networks (a bastion or VPN for people).",
        });
    }
    if (!new RegExp(`^${RDS_POSTGRES_MAJOR_VERSION}(\\.\\d+)?$`).test(version)) {
        problems.push({ path: "engineVersion", message: `\`engineVersion\`: ${show(version)} is not PostgreSQL ${RDS_POSTGRES_MAJOR_VERSION}, which the parameter group (family \`${RDS_PARAMETER_GROUP_FAMILY}\`) is for; use \`${DEFAULT_RDS_ENGINE_VERSION}\` (the default) or a ${RDS_POSTGRES_MAJOR_VERSION}.x release.` });
    }
    if (args.skipFinalSnapshot !== true) {
        // The identifier is this prefix, a hyphen and a part unique to the instance (rds.ts).
        const id = args.finalSnapshotIdentifier ?? `${name}${FINAL_SNAPSHOT_SUFFIX}`;
        const longest = MAX_SNAPSHOT_IDENTIFIER_LENGTH - FINAL_SNAPSHOT_UNIQUE_LENGTH - 1;
        if (typeof id !== "string" || !/^[A-Za-z](?!.*--)[A-Za-z0-9-]*$/.test(id) || id.endsWith("-") || id.length > longest) {
            problems.push({
                path: "finalSnapshotIdentifier",
                message: `\`finalSnapshotIdentifier\`: ${show(id)} is not a valid snapshot identifier prefix${args.finalSnapshotIdentifier === undefined ? " (derived from the component's name)" : ""}; use a letter, then letters, digits and single hyphens, not ending in a hyphen, at most ${longest} characters, e.g. \`orders-db-final\`.`,
            });
        }
    }
    if (typeof args.password === "string") {
        problems.push(...validateRdsPassword(args.password));
    }
    if (args.password !== undefined && args.passwordGeneration !== undefined) {
        problems.push({ path: "passwordGeneration", message: "`passwordGeneration`: only changes a generated password, but `password` is given; rotate by passing a new `password`, or remove `password` to have one generated." });
    }
    if (isKnown(args.caBundlePem)) {
        problems.push(...validateCaBundle(args.caBundlePem));
    }
    return problems;
}
