import { execFileSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { parseCidr } from "./cidr";
import type { ElastiCacheCacheArgs } from "./elasticache";
import type { RdsPostgresArgs } from "./rds";
import { validateRdsPostgresArgs } from "./validate";
import { validateAuthToken, validateElastiCacheArgs } from "./validate-cache";
import { parseDailyWindow, parseWeeklyWindow, windowsOverlap } from "./windows";

const SUBNETS = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"];
const cache: ElastiCacheCacheArgs = { vpcId: "vpc-0123456789abcdef0", subnetIds: SUBNETS, allowedSecurityGroupIds: ["sg-0123456789abcdef0"] };
// A real certificate, standing in for the RDS bundle (only its PEM shape and parseability matter here).
const PEM = execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "/dev/null", "-subj", "/CN=Test RDS CA", "-days", "1"], {
    encoding: "utf8",
    stdio: ["ignore", "pipe", "ignore"],
});
const db: RdsPostgresArgs = { ...cache, caBundlePem: PEM };

const OPEN_V4 = "`allowedCidrs[0]`: `0.0.0.0/0` admits every IPv4 address; admit only the clients that need port 6379: their security groups (`allowedSecurityGroupIds`) or private networks such as `10.0.0.0/16`.";
const NOT_PRIVATE = (i: number, cidr: string, port: number, ipv6Note = "") =>
    `\`allowedCidrs[${i}]\`: \`${cidr}\` is not private address space; without an opt-in only networks inside 10.0.0.0/8, 172.16.0.0/12, 192.168.0.0/16 (RFC 1918), ` +
    `100.64.0.0/10 (RFC 6598 shared address space (carrier-grade NAT)), fc00::/7 (RFC 4193 IPv6 unique local) are allowed; admit the clients of port ${port} by their security groups ` +
    `(\`allowedSecurityGroupIds\`) or private networks${ipv6Note}, or set \`allowPublicCidrs: true\` if these public addresses must reach it.`;
const TOKEN_CHARS = (chars: string) =>
    `\`authToken\`: contains ${chars}, which ElastiCache does not allow (the provider rejects only \`@\`, \`"\` and \`/\`, so this would pass preview and fail at AWS); use only letters, digits and \`! & # $ ^ < > -\`.`;
const TOKEN_LENGTH = (n: number) =>
    `\`authToken\`: has ${n} characters (value not shown: it is a secret); ElastiCache requires 16 to 128; use another token, or leave \`authToken\` out to have a 64-character one generated.`;

describe("validateElastiCacheArgs", () => {
    it.each<[string, Partial<ElastiCacheCacheArgs>, string[]]>([
        ["no subnets", { subnetIds: [] }, ["`subnetIds`: none given; the service gets its own subnet group and needs subnets for it; pass your VPC's private subnets, one per availability zone, e.g. `subnetIds: vpc.privateSubnetIds`."]],
        [
            "one subnet for two nodes (Multi-AZ)",
            { subnetIds: [SUBNETS[0]!] },
            ["`subnetIds`: 1 subnet given; 2 nodes with Multi-AZ need subnets in at least two availability zones; add one per AZ, or set `numCacheClusters: 1`."],
        ],
        ["a subnet that is not a subnet id", { subnetIds: ["subnet-1", SUBNETS[1]!] }, ["`subnetIds[0]`: `subnet-1` is not a subnet ID; use IDs like `subnet-0123456789abcdef0`."]],
        ["an open IPv4 CIDR", { allowedCidrs: ["0.0.0.0/0"] }, [OPEN_V4]],
        [
            "an open IPv6 CIDR",
            { allowedCidrs: ["10.0.0.0/8", "::/0"] },
            ["`allowedCidrs[1]`: `::/0` admits every IPv6 address; admit only the clients that need port 6379: their security groups (`allowedSecurityGroupIds`) or private networks such as `10.0.0.0/16`."],
        ],
        ...["10.0.0.300/16", "10.0.0.0/33", "10.0.0.0", "fd00::/129", "10.0.0.0/08", "fe80::1%eth0/64", "10.0.0.0/16 "].map(
            (cidr): [string, Partial<ElastiCacheCacheArgs>, string[]] => [
                `the malformed CIDR ${JSON.stringify(cidr)}`,
                { allowedCidrs: [cidr] },
                [`\`allowedCidrs[0]\`: \`${cidr}\` is not a CIDR block; write an IPv4 or IPv6 network and its prefix length, e.g. \`10.0.0.0/16\` or \`fd00::/8\`.`],
            ],
        ),
        ["a public IPv4 network", { allowedCidrs: ["203.0.113.0/24"] }, [NOT_PRIVATE(0, "203.0.113.0/24", 6379)]],
        ["a block reaching past 10.0.0.0/8 into public space", { allowedCidrs: ["10.0.0.0/7"] }, [NOT_PRIVATE(0, "10.0.0.0/7", 6379)]],
        ["172.32.0.0/16, just past 172.16.0.0/12", { allowedCidrs: ["172.32.0.0/16"] }, [NOT_PRIVATE(0, "172.32.0.0/16", 6379)]],
        [
            "a public IPv6 network, as AWS gives a VPC, among private ones",
            { allowedCidrs: ["10.0.0.0/16", "2600:1f18:abcd:1200::/56"] },
            [NOT_PRIVATE(1, "2600:1f18:abcd:1200::/56", 6379, " (an AWS VPC's own IPv6 block is public space)")],
        ],
        ["a whole-internet block even with the opt-in", { allowedCidrs: ["0.0.0.0/0"], allowPublicCidrs: true }, [OPEN_V4]],
        ["an IPv4 CIDR with host bits", { allowedCidrs: ["10.1.2.3/16"] }, ["`allowedCidrs[0]`: `10.1.2.3/16` has host bits set and AWS accepts only the network form; write `10.1.0.0/16`."]],
        ["an IPv6 CIDR with host bits", { allowedCidrs: ["fd00:0:0:1::5/56"] }, ["`allowedCidrs[0]`: `fd00:0:0:1::5/56` has host bits set and AWS accepts only the network form; write `fd00::/56`."]],
        [
            "no allowed sources",
            { allowedSecurityGroupIds: [] },
            [
                "`allowedSecurityGroupIds`/`allowedCidrs`: neither is given, so no client could reach the cache on port 6379; pass the security groups of the applications that use it, e.g. `allowedSecurityGroupIds: [app.securityGroupId]`, or their private networks.",
            ],
        ],
        ["a security group id that is not one", { allowedSecurityGroupIds: ["app-sg"] }, ["`allowedSecurityGroupIds[0]`: `app-sg` is not a security group ID; use IDs like `sg-0123456789abcdef0`."]],
        ["a token shorter than 16", { authToken: "Sh0rt-token!" }, [TOKEN_LENGTH(12)]],
        ["a token longer than 128", { authToken: "a".repeat(129) }, [TOKEN_LENGTH(129)]],
        ["a token with % and @", { authToken: "correct%horse@battery-staple" }, [TOKEN_CHARS("`%`, `@`")]],
        ["a token with a space and a quote", { authToken: 'correct horse "battery" staple' }, [TOKEN_CHARS("` `, `\"`")]],
        ["a token both short and with a forbidden /", { authToken: "a/b" }, [TOKEN_LENGTH(3), TOKEN_CHARS("`/`")]],
        [
            "valkey 7.0, too old for in-place TLS changes",
            { engineVersion: "7.0" },
            [
                "`engineVersion`: valkey `7.0` is older than 7.2, so any change of its TLS settings would replace the whole group and its data (in-place changes need Valkey 7.2+); use `8.0` (the valkey default) or at least `7.2`.",
            ],
        ],
        [
            "redis 6.2, too old for in-place TLS changes",
            { engine: "redis", engineVersion: "6.2" },
            [
                "`engineVersion`: redis `6.2` is older than 7.0, so any change of its TLS settings would replace the whole group and its data (in-place changes need Redis OSS 7.0+); use `7.1` (the redis default) or at least `7.0`.",
            ],
        ],
        ["a version that is not major.minor", { engine: "redis", engineVersion: "6.x" }, ["`engineVersion`: `6.x` is not a major.minor version; use e.g. `7.1` (the redis default); AWS picks the patch release."]],
        ["an unknown engine", { engine: "memcached" as never }, ["`engine`: `memcached` is not supported; use `valkey` (the default) or `redis`."]],
        [
            "a maintenance window in prose",
            { maintenanceWindow: "sunday 5am" },
            ["`maintenanceWindow`: `sunday 5am` is not a weekly window; write `ddd:hh:mm-ddd:hh:mm` in UTC with 24-hour times, e.g. `sun:05:00-sun:06:00` (the default)."],
        ],
        [
            "a maintenance window with hour 24",
            { maintenanceWindow: "sun:24:00-mon:01:00" },
            ["`maintenanceWindow`: `sun:24:00-mon:01:00` is not a weekly window; write `ddd:hh:mm-ddd:hh:mm` in UTC with 24-hour times, e.g. `sun:05:00-sun:06:00` (the default)."],
        ],
        ["a 30-minute maintenance window", { maintenanceWindow: "sun:05:00-sun:05:30" }, ["`maintenanceWindow`: `sun:05:00-sun:05:30` lasts 30 minutes; AWS needs at least 60; e.g. `sun:05:00-sun:06:00`."]],
        [
            "a weekly snapshot window",
            { snapshotWindow: "sun:03:00-sun:04:00" },
            ["`snapshotWindow`: `sun:03:00-sun:04:00` is not a daily window; write `hh:mm-hh:mm` in UTC with 24-hour times, e.g. `03:00-04:00` (the default)."],
        ],
        ["no nodes", { numCacheClusters: 0 }, ["`numCacheClusters`: 0 is out of range; use a whole number from 1 (a single node, no failover) to 6 (a primary and five replicas); default 2."]],
        ["snapshots kept 36 days", { snapshotRetentionLimit: 36 }, ["`snapshotRetentionLimit`: 36 is out of range; use a whole number from 0 (no snapshots) to 35 days; default 7."]],
        [
            "ROTATE without saying the group has a token",
            { authTokenUpdateStrategy: "ROTATE" },
            [
                "`authTokenUpdateStrategy`: `ROTATE` on a group that has no token yet keeps passwordless access working beside the new token (AWS auth.html); use `SET` (the default), or, if the group already has a token, say so with `groupAlreadyHasAuthToken: true`.",
            ],
        ],
        [
            "DELETE",
            { authTokenUpdateStrategy: "DELETE" as never },
            ["`authTokenUpdateStrategy`: `DELETE` is not allowed; use `SET` (the default) or `ROTATE` (`DELETE` would remove the password and leave the cache open to the network)."],
        ],
        [
            "a migration straight to required",
            { transitEncryptionMigration: "required" as never },
            [
                "`transitEncryptionMigration`: `required` is not a migration step; set `preferred` for the first `pulumi up` on a group whose transit encryption is off, then remove the argument for the second (mode `required`).",
            ],
        ],
        [
            "a KMS alias instead of a key ARN",
            { kmsKeyArn: "alias/cache" },
            ["`kmsKeyArn`: `alias/cache` is not a KMS key ARN; pass one like `arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`, or leave it out to have a key with rotation created."],
        ],
        [
            "a generation for a token that is not generated",
            { authToken: "correct-horse-battery-staple", authTokenGeneration: 2 },
            ["`authTokenGeneration`: only changes a generated token, but `authToken` is given; rotate by passing a new `authToken`, or remove `authToken` to have one generated."],
        ],
        ["a VPC id that is not one", { vpcId: "default" }, ["`vpcId`: `default` is not a VPC ID; use an ID like `vpc-0123456789abcdef0`."]],
    ])("refuses %s", (_, overrides, messages) => {
        expect(validateElastiCacheArgs({ ...cache, ...overrides }).map((p) => p.message)).toEqual(messages);
    });

    it("reports every problem at once, each with the argument's path", () => {
        const problems = validateElastiCacheArgs({ ...cache, subnetIds: [], allowedSecurityGroupIds: [], allowedCidrs: ["0.0.0.0/0"], authToken: "p%ss", engineVersion: "7.0", maintenanceWindow: "daily" });
        expect(problems.map((p) => p.path)).toEqual(["subnetIds", "allowedCidrs[0]", "engineVersion", "maintenanceWindow", "authToken", "authToken"]);
    });

    it.each<[string, Partial<ElastiCacheCacheArgs>]>([
        ["the defaults", {}],
        ["one node in one subnet", { numCacheClusters: 1, subnetIds: [SUBNETS[0]!] }],
        ["the oldest versions that change TLS in place", { engine: "redis", engineVersion: "7.0" }],
        ["valkey 7.2", { engineVersion: "7.2" }],
        ["private IPv4 and IPv6 networks only", { allowedSecurityGroupIds: [], allowedCidrs: ["10.0.0.0/16", "192.168.1.7/32", "fd00:10::/32", "::ffff:10.0.0.0/104"] }],
        ["each private range whole: RFC 1918, CGNAT's 100.64.0.0/10 and IPv6 unique local", { allowedCidrs: ["10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "fc00::/7"] }],
        ["public networks with the loud opt-in", { allowedCidrs: ["203.0.113.0/24", "2600:1f18:abcd:1200::/56"], allowPublicCidrs: true }],
        ["a token of exactly 16 allowed characters", { authToken: "Ab1!&#$^<>-xyzQW" }],
        // Both wrapping midnight would overlap (the daily window covers every midnight), which ElastiCache refuses.
        ["a maintenance window that wraps past Saturday", { maintenanceWindow: "Sat:23:30-Sun:00:30", snapshotWindow: "03:00-04:00" }],
        ["a snapshot window that wraps past midnight", { maintenanceWindow: "wed:10:00-wed:11:00", snapshotWindow: "23:30-00:30" }],
        ["ROTATE on a group that has a token", { authTokenUpdateStrategy: "ROTATE", groupAlreadyHasAuthToken: true }],
        ["the migration step", { transitEncryptionMigration: "preferred" }],
        ["no snapshots", { snapshotRetentionLimit: 0 }],
        ["a KMS key ARN", { kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab" }],
    ])("accepts %s", (_, overrides) => {
        expect(validateElastiCacheArgs({ ...cache, ...overrides })).toEqual([]);
    });
});

describe("validateAuthToken", () => {
    it("never quotes the token, which is a secret", () => {
        const messages = validateAuthToken("hunter2%").map((p) => p.message);
        expect(messages).toHaveLength(2);
        expect(messages.join("\n")).not.toContain("hunter2");
    });
});

describe("validateRdsPostgresArgs", () => {
    it.each<[string, string, Partial<RdsPostgresArgs>, string[]]>([
        [
            "a publicly accessible database",
            "db",
            { publiclyAccessible: true },
            [
                "`publiclyAccessible`: true would give the database a public address; this component keeps databases inside the VPC; remove it and reach the database from allowed security groups or networks (a bastion or VPN for people).",
            ],
        ],
        ["one subnet", "db", { subnetIds: [SUBNETS[0]!] }, ["`subnetIds`: 1 subnet given; RDS requires a DB subnet group covering at least two availability zones; add a private subnet in another AZ."]],
        [
            "an open CIDR on 5432",
            "db",
            { allowedCidrs: ["0.0.0.0/0"] },
            ["`allowedCidrs[0]`: `0.0.0.0/0` admits every IPv4 address; admit only the clients that need port 5432: their security groups (`allowedSecurityGroupIds`) or private networks such as `10.0.0.0/16`."],
        ],
        ["a public CIDR on 5432", "db", { allowedCidrs: ["198.51.100.7/32"] }, [NOT_PRIVATE(0, "198.51.100.7/32", 5432)]],
        [
            "PostgreSQL 16",
            "db",
            { engineVersion: "16.4" },
            ["`engineVersion`: `16.4` is not PostgreSQL 17, which the parameter group (family `postgres17`) is for; use `17` (the default) or a 17.x release."],
        ],
        [
            "no backups",
            "db",
            { backupRetentionDays: 0 },
            ["`backupRetentionDays`: 0 is out of range; use a whole number from 1 to 35 days (0 would turn off backups and point-in-time recovery); default 7."],
        ],
        [
            "a backup window inside the maintenance window",
            "db",
            { backupWindow: "05:30-06:30" },
            ["`backupWindow`: `05:30-06:30` overlaps `maintenanceWindow` `sun:05:00-sun:06:00`, which RDS refuses; move one, e.g. the defaults `03:00-04:00` and `sun:05:00-sun:06:00`."],
        ],
        [
            "a bad maintenance window",
            "db",
            { maintenanceWindow: "sun:05:00" },
            ["`maintenanceWindow`: `sun:05:00` is not a weekly window; write `ddd:hh:mm-ddd:hh:mm` in UTC with 24-hour times, e.g. `sun:05:00-sun:06:00` (the default)."],
        ],
        [
            "a component name that makes no snapshot identifier",
            "orders_db",
            {},
            [
                "`finalSnapshotIdentifier`: `orders_db-final` is not a valid snapshot identifier prefix (derived from the component's name); use a letter, then letters, digits and single hyphens, not ending in a hyphen, at most 246 characters, e.g. `orders-db-final`.",
            ],
        ],
        [
            "a snapshot identifier with a double hyphen",
            "db",
            { finalSnapshotIdentifier: "db--final" },
            ["`finalSnapshotIdentifier`: `db--final` is not a valid snapshot identifier prefix; use a letter, then letters, digits and single hyphens, not ending in a hyphen, at most 246 characters, e.g. `orders-db-final`."],
        ],
        [
            "a CA bundle that is not PEM",
            "db",
            { caBundlePem: "global-bundle.pem" },
            [
                '`caBundlePem`: holds no PEM certificate; pass the RDS global bundle, downloaded from https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem and kept in the repository (e.g. `caBundlePem: fs.readFileSync("rds-global-bundle.pem", "utf8")`).',
            ],
        ],
        [
            "a CA bundle with a broken certificate",
            "db",
            { caBundlePem: `${PEM}-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n` },
            [
                '`caBundlePem`: certificate 2 of 2 does not parse; pass the RDS global bundle, downloaded from https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem and kept in the repository (e.g. `caBundlePem: fs.readFileSync("rds-global-bundle.pem", "utf8")`).',
            ],
        ],
        [
            "a database name with a hyphen",
            "db",
            { databaseName: "my-db" },
            ["`databaseName`: `my-db` is not allowed by RDS for PostgreSQL; use 1 to 63 letters, digits and underscores starting with a letter (not `rdsadmin`), e.g. `app`."],
        ],
        [
            "the reserved master user",
            "db",
            { username: "rdsadmin" },
            ["`username`: `rdsadmin` is not allowed by RDS for PostgreSQL; use 1 to 63 letters, digits and underscores starting with a letter (not `rdsadmin`), e.g. `app`."],
        ],
        ["storage below gp3's minimum", "db", { allocatedStorageGb: 10 }, ["`allocatedStorageGb`: 10 is out of range for gp3; RDS for PostgreSQL takes a whole number from 20 to 65536 GiB on gp3 (default 20)."]],
    ])("refuses %s", (_, name, overrides, messages) => {
        expect(validateRdsPostgresArgs(name, { ...db, ...overrides }).map((p) => p.message)).toEqual(messages);
    });

    it.each<[string, string, Partial<RdsPostgresArgs>]>([
        ["the defaults", "db", {}],
        ["a name that is no identifier, when no final snapshot is taken", "orders_db", { skipFinalSnapshot: true }],
        ["a 17.x release", "db", { engineVersion: "17.4" }],
        ["an explicit private setting", "db", { publiclyAccessible: false }],
    ])("accepts %s", (_, name, overrides) => {
        expect(validateRdsPostgresArgs(name, { ...db, ...overrides })).toEqual([]);
    });
});

describe("parseCidr", () => {
    it.each([
        ["10.0.0.0/8", { kind: "network", family: 4, prefix: 8, open: false, private: true }],
        ["0.0.0.0/0", { kind: "network", family: 4, prefix: 0, open: true, private: false }],
        ["::/0", { kind: "network", family: 6, prefix: 0, open: true, private: false }],
        ["2001:db8::/32", { kind: "network", family: 6, prefix: 32, open: false, private: false }],
        ["100.64.0.0/10", { kind: "network", family: 4, prefix: 10, open: false, private: true }],
        ["100.128.0.0/10", { kind: "network", family: 4, prefix: 10, open: false, private: false }],
        ["fc00::/7", { kind: "network", family: 6, prefix: 7, open: false, private: true }],
        ["fc00::/6", { kind: "network", family: 6, prefix: 6, open: false, private: false }],
        ["::ffff:192.168.0.0/112", { kind: "network", family: 6, prefix: 112, open: false, private: true }],
        ["1.2.3.4/0", { kind: "host-bits", network: "0.0.0.0/0" }],
        ["2001:db8::1/64", { kind: "host-bits", network: "2001:db8::/64" }],
        ["::ffff:10.0.0.1/120", { kind: "host-bits", network: "::ffff:a00:0/120" }],
        ["256.0.0.0/8", { kind: "malformed" }],
    ])("reads %s", (cidr, expected) => {
        expect(parseCidr(cidr)).toEqual(expected);
    });
});

describe("windows", () => {
    it("reads weekly and daily windows, wrapping past the week and the day", () => {
        expect(parseWeeklyWindow("sun:05:00-sun:06:00")).toEqual({ start: 300, minutes: 60 });
        expect(parseWeeklyWindow("sat:23:30-sun:00:30")).toEqual({ start: 6 * 1440 + 1410, minutes: 60 });
        expect(parseDailyWindow("23:30-00:30")).toEqual({ start: 1410, minutes: 60 });
        expect(parseWeeklyWindow("sun:05:00-sun:05:00")).toBeUndefined();
    });

    it("finds an overlap on any day, including across midnight", () => {
        expect(windowsOverlap(parseWeeklyWindow("wed:00:00-wed:00:30")!, parseDailyWindow("23:45-00:15")!)).toBe(true);
        expect(windowsOverlap(parseWeeklyWindow("wed:00:30-wed:01:00")!, parseDailyWindow("23:45-00:15")!)).toBe(false);
    });
});

// Issue 9 §2: what the provider lets through at preview but ElastiCache and RDS refuse. Each row is
// an input and the exact message; the rule's source is beside the rule (limits.ts, defaults.ts).
describe("what the AWS provider lets through but ElastiCache refuses", () => {
    it.each<[string, Partial<ElastiCacheCacheArgs>, string[]]>([
        ["a token with a space (auth.html: only ! & # $ ^ < > - besides letters and digits)", { authToken: "correct horse battery staple" }, [TOKEN_CHARS("` `")]],
        ["a token with % (the provider rejects only @ \" /)", { authToken: "correct%horse%battery%staple" }, [TOKEN_CHARS("`%`")]],
        ["seven nodes (CreateReplicationGroup: NumCacheClusters at most 6)", { numCacheClusters: 7 }, ["`numCacheClusters`: 7 is out of range; use a whole number from 1 (a single node, no failover) to 6 (a primary and five replicas); default 2."]],
        [
            "a snapshot window inside the maintenance window (\"The snapshot window and maintenance window must not overlap\")",
            { snapshotWindow: "05:30-06:30" },
            ["`snapshotWindow`: `05:30-06:30` overlaps `maintenanceWindow` `sun:05:00-sun:06:00`, which ElastiCache refuses (\"The snapshot window and maintenance window must not overlap\"); move one, e.g. the defaults `03:00-04:00` and `sun:05:00-sun:06:00`."],
        ],
        [
            "a snapshot window that wraps midnight into a Monday maintenance window",
            { snapshotWindow: "23:30-00:30", maintenanceWindow: "mon:00:00-mon:01:00" },
            ["`snapshotWindow`: `23:30-00:30` overlaps `maintenanceWindow` `mon:00:00-mon:01:00`, which ElastiCache refuses (\"The snapshot window and maintenance window must not overlap\"); move one, e.g. the defaults `03:00-04:00` and `sun:05:00-sun:06:00`."],
        ],
        [
            "a node type without cache. (an EC2 type)",
            { nodeType: "t4g.small" },
            ["`nodeType`: `t4g.small` is not an ElastiCache node type (it reads like an EC2 instance type: write `cache.t4g.small`); they are `cache.<family>.<size>`, e.g. `cache.t4g.small` (the default)."],
        ],
        ["an RDS class as node type", { nodeType: "db.t4g.small" }, ["`nodeType`: `db.t4g.small` is not an ElastiCache node type; they are `cache.<family>.<size>`, e.g. `cache.t4g.small` (the default)."]],
        [
            "a bare KMS key id (the group stores the ARN)",
            { kmsKeyArn: "1234abcd-12ab-34cd-56ef-1234567890ab" },
            ["`kmsKeyArn`: `1234abcd-12ab-34cd-56ef-1234567890ab` is not a KMS key ARN; pass one like `arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`, or leave it out to have a key with rotation created."],
        ],
        ["an engine ElastiCache replication groups do not run", { engine: "memcached" as never }, ["`engine`: `memcached` is not supported; use `valkey` (the default) or `redis`."]],
    ])("refuses %s", (_, overrides, messages) => {
        expect(validateElastiCacheArgs({ ...cache, ...overrides }).map((p) => p.message)).toEqual(messages);
    });

    it.each<[string, Partial<ElastiCacheCacheArgs>]>([
        ["six nodes", { numCacheClusters: 6 }],
        ["a snapshot window ending as maintenance starts", { snapshotWindow: "04:00-05:00" }],
        ["a larger node type", { nodeType: "cache.r7g.xlarge" }],
    ])("accepts %s", (_, overrides) => {
        expect(validateElastiCacheArgs({ ...cache, ...overrides })).toEqual([]);
    });
});

describe("what the AWS provider lets through but RDS refuses", () => {
    const PASSWORD_CHARS = (chars: string) =>
        `\`password\`: contains ${chars}, which RDS refuses in a master password (the provider lets it through to the API); use printable ASCII without \`/\`, \`"\`, \`@\` and spaces, or leave \`password\` out to have one generated.`;
    it.each<[string, Partial<RdsPostgresArgs>, string[]]>([
        [
            "an instance class without db. (an EC2 type)",
            { instanceClass: "t4g.medium" },
            ["`instanceClass`: `t4g.medium` is not an RDS instance class (it reads like an EC2 instance type: write `db.t4g.medium`); they are `db.<family>.<size>`, e.g. `db.t4g.medium` (the default)."],
        ],
        ["an ElastiCache type as instance class", { instanceClass: "cache.t4g.medium" }, ["`instanceClass`: `cache.t4g.medium` is not an RDS instance class; they are `db.<family>.<size>`, e.g. `db.t4g.medium` (the default)."]],
        [
            "magnetic storage",
            { storageType: "standard" as never },
            ["`storageType`: `standard` is not offered; use `gp3` (the default) or `io1`/`io2` with `iops` (gp2 costs more than gp3 for the same baseline, and magnetic `standard` is legacy)."],
        ],
        ["gp3 below 20 GiB", { allocatedStorageGb: 10 }, ["`allocatedStorageGb`: 10 is out of range for gp3; RDS for PostgreSQL takes a whole number from 20 to 65536 GiB on gp3 (default 20)."]],
        ["gp3 above 65536 GiB", { allocatedStorageGb: 70000 }, ["`allocatedStorageGb`: 70000 is out of range for gp3; RDS for PostgreSQL takes a whole number from 20 to 65536 GiB on gp3 (default 20)."]],
        [
            "io2 at gp3's minimum size, without iops",
            { storageType: "io2", allocatedStorageGb: 20 },
            [
                "`allocatedStorageGb`: 20 is out of range for io2; RDS for PostgreSQL takes a whole number from 100 to 65536 GiB on io2.",
                '`iops`: missing; io2 storage needs provisioned IOPS, e.g. `iops: 1000`, or use `storageType: "gp3"` (the default).',
            ],
        ],
        [
            "io1 with more than 50 IOPS per GiB",
            { storageType: "io1", allocatedStorageGb: 100, iops: 6000 },
            ["`iops`: 6000 is out of range; RDS for PostgreSQL needs a whole number of at least 1000 and 0.5–50 per GiB of `allocatedStorageGb` (1000–5000 for 100 GiB)."],
        ],
        ["iops on gp3", { iops: 3000 }, ['`iops`: 3000 applies to Provisioned IOPS storage only; remove it for gp3 (its baseline is included), or set `storageType: "io2"`.']],
        [
            "a password with @, / and a space",
            { password: "pass word/with@signs" },
            [PASSWORD_CHARS("a space, `/`, `@`")],
        ],
        ["a password with a double quote", { password: 'say"cheese"please' }, [PASSWORD_CHARS('`"`')]],
        [
            "a password of 7 characters",
            { password: "Sh0rt!x" },
            ["`password`: has 7 characters (value not shown: it is a secret); RDS for PostgreSQL requires 8 to 128; use another password, or leave `password` out to have one generated."],
        ],
        [
            "a generation for a password that is not generated",
            { password: "Correct-Horse-Battery", passwordGeneration: 2 },
            ["`passwordGeneration`: only changes a generated password, but `password` is given; rotate by passing a new `password`, or remove `password` to have one generated."],
        ],
        ["a database name with a hyphen", { databaseName: "orders-db" }, ["`databaseName`: `orders-db` is not allowed by RDS for PostgreSQL; use 1 to 63 letters, digits and underscores starting with a letter (not `rdsadmin`), e.g. `app`."]],
        [
            "an engine version of another family than the parameter group's",
            { engineVersion: "16" },
            ["`engineVersion`: `16` is not PostgreSQL 17, which the parameter group (family `postgres17`) is for; use `17` (the default) or a 17.x release."],
        ],
        [
            "the expired CA rds-ca-2019",
            { caCertIdentifier: "rds-ca-2019" as never },
            ["`caCertIdentifier`: `rds-ca-2019` is not a current RDS certificate authority (it expired in August 2024); use `rds-ca-rsa2048-g1`, `rds-ca-rsa4096-g1`, `rds-ca-ecc384-g1` (default `rds-ca-rsa2048-g1`), all in the global bundle `caBundlePem` holds."],
        ],
        [
            "a misspelt CA",
            { caCertIdentifier: "rds-ca-rds2048-g1" as never },
            ["`caCertIdentifier`: `rds-ca-rds2048-g1` is not a current RDS certificate authority; use `rds-ca-rsa2048-g1`, `rds-ca-rsa4096-g1`, `rds-ca-ecc384-g1` (default `rds-ca-rsa2048-g1`), all in the global bundle `caBundlePem` holds."],
        ],
        [
            "a final snapshot prefix with no room left for the unique part",
            { finalSnapshotIdentifier: `a${"b".repeat(246)}` },
            [`\`finalSnapshotIdentifier\`: \`a${"b".repeat(246)}\` is not a valid snapshot identifier prefix; use a letter, then letters, digits and single hyphens, not ending in a hyphen, at most 246 characters, e.g. \`orders-db-final\`.`],
        ],
        ["a KMS alias", { kmsKeyArn: "alias/aws/rds" }, ["`kmsKeyArn`: `alias/aws/rds` is not a KMS key ARN; pass one like `arn:aws:kms:us-east-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`, or leave it out to have a key with rotation created."]],
    ])("refuses %s", (_, overrides, messages) => {
        expect(validateRdsPostgresArgs("db", { ...db, ...overrides }).map((p) => p.message)).toEqual(messages);
    });

    it.each<[string, Partial<RdsPostgresArgs>]>([
        ["io2 with 0.5 to 50 IOPS per GiB", { storageType: "io2", allocatedStorageGb: 100, iops: 5000 }],
        ["the largest gp3", { allocatedStorageGb: 65536 }],
        ["a password of every allowed special", { password: "Aa1!#$%&'()*+,-.:;<=>?[\\]^_`{|}~" }],
        ["the ECC CA", { caCertIdentifier: "rds-ca-ecc384-g1" }],
        ["a memory-optimised class", { instanceClass: "db.r7g.2xlarge" }],
    ])("accepts %s", (_, overrides) => {
        expect(validateRdsPostgresArgs("db", { ...db, ...overrides })).toEqual([]);
    });
});

describe("missing arguments from plain JavaScript are problems, not TypeErrors", () => {
    it("names a missing vpcId, which would otherwise put the security group in the default VPC", () => {
        expect(validateElastiCacheArgs({ ...cache, vpcId: undefined as never }).map((p) => p.message)).toEqual([
            "`vpcId`: missing; the service's security group would land in the region's default VPC; pass your VPC's ID, e.g. `vpcId: vpc.vpcId` (`vpc-0123456789abcdef0`).",
        ]);
    });

    it("names a missing caBundlePem as missing", () => {
        expect(validateRdsPostgresArgs("db", { ...db, caBundlePem: undefined as never }).map((p) => p.message)).toEqual([
            "`caBundlePem`: missing; clients verify RDS against it; pass the RDS global bundle, downloaded from https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem and kept in the repository (e.g. `caBundlePem: fs.readFileSync(\"rds-global-bundle.pem\", \"utf8\")`).",
        ]);
    });

    it("takes no bag at all", () => {
        expect(validateElastiCacheArgs(undefined as never).map((p) => p.path)).toEqual(["vpcId", "subnetIds", "allowedSecurityGroupIds"]);
        expect(validateRdsPostgresArgs("db", undefined as never).map((p) => p.path)).toEqual(["vpcId", "subnetIds", "allowedSecurityGroupIds", "caBundlePem"]);
    });
});
