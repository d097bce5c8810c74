import { EMULATOR_RULES, type EmulatorRule } from "./rules";
import { COMMAND_BASELINES } from "./rules-command";
import { SCALING_BASELINES } from "./rules-scaling";

type Inputs = Record<string, any>;

/** Real key material and image ids the baselines refer to, made by whichever emulator the test drives. */
export interface RuleFixtures {
    readonly caKeyPem: string;
    readonly caCertPem: string;
    readonly leafKeyPem: string;
    readonly csrPem: string;
    /** Image ids the Docker daemon under test handed out for nginx:1.30.0 and Dragonfly's image. */
    readonly nginxImageId: string;
    readonly dragonflyImageId: string;
}

export const DRAGONFLY_REFERENCE = "docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1";
export const NGINX_REFERENCE = "nginx:1.30.0";

/**
 * Inputs each provider accepts, shaped like the programs' own (tests/emulator/mutations): the starting
 * point each rule's examples change. A type may have several, for rules that apply to some of its
 * resources only (a container whose image has its own HEALTHCHECK).
 */
export function ruleBaselines(f: RuleFixtures): Readonly<Record<string, readonly Inputs[]>> {
    const base = coreBaselines(f);
    // Cluster mode, RBAC and read replicas (rules-scaling.ts) come after each type's own baselines.
    const extra = [SCALING_BASELINES, COMMAND_BASELINES];
    return Object.fromEntries([...new Set([...Object.keys(base), ...extra.flatMap(Object.keys)])].map((type) => [type, [...(base[type] ?? []), ...extra.flatMap((e) => e[type] ?? [])]]));
}

function coreBaselines(f: RuleFixtures): Readonly<Record<string, readonly Inputs[]>> {
    const healthcheck = { tests: ["CMD-SHELL", "true"], interval: "10s", timeout: "5s", retries: 5, startPeriod: "30s" };
    return {
        "tls:index/privateKey:PrivateKey": [{ algorithm: "ECDSA", ecdsaCurve: "P256" }],
        "tls:index/selfSignedCert:SelfSignedCert": [{
            privateKeyPem: f.caKeyPem, isCaCertificate: true, allowedUses: ["cert_signing", "crl_signing", "digital_signature"], setSubjectKeyId: true,
            setAuthorityKeyId: true, subject: { commonName: "Rules CA", organization: "tests" }, validityPeriodHours: 24 * 365, earlyRenewalHours: 24 * 30,
        }],
        "tls:index/certRequest:CertRequest": [{ privateKeyPem: f.leafKeyPem, subject: { commonName: "db" }, dnsNames: ["db", "localhost"], ipAddresses: ["127.0.0.1"] }],
        "tls:index/locallySignedCert:LocallySignedCert": [{
            certRequestPem: f.csrPem, caCertPem: f.caCertPem, caPrivateKeyPem: f.caKeyPem, allowedUses: ["digital_signature", "server_auth"],
            validityPeriodHours: 2160, earlyRenewalHours: 720, setSubjectKeyId: true,
        }],
        "random:index/randomPassword:RandomPassword": [{ length: 32, special: false }],
        "docker:index/container:Container": [
            {
                image: f.nginxImageId, name: "rules-proxy", command: ["nginx", "-g", "daemon off;"], restart: "unless-stopped", mustRun: true, wait: true, waitTimeout: 120,
                ports: [{ internal: 443, external: 18443, ip: "127.0.0.1", protocol: "tcp" }],
                uploads: [{ file: "/etc/nginx/nginx.conf", content: "events {}\n", permissions: "0644", owner: "0", group: "0" }],
                volumes: [{ containerPath: "/var/cache/nginx", volumeName: "rules-cache" }], healthcheck,
            },
            {
                image: f.dragonflyImageId, name: "rules-cache", restart: "unless-stopped", mustRun: true, wait: true, waitTimeout: 120,
                command: ["--tls", "--tls_cert_file=/etc/dragonfly/tls/server.crt", "--tls_key_file=/etc/dragonfly/tls/server.key", "--maxmemory=1073741824", "--proactor_threads=1"],
                envs: ["DFLY_requirepass=rules-password"], ports: [{ internal: 6379, external: 16380, ip: "127.0.0.1", protocol: "tcp" }],
                uploads: [{ file: "/etc/dragonfly/tls/server.crt", content: "cert", permissions: "0644", owner: "999", group: "999" }], healthcheck,
            },
        ],
        "aws:kms/key:Key": [{ description: "RDS db: encryption at rest", enableKeyRotation: true, deletionWindowInDays: 30 }],
        "aws:ec2/securityGroup:SecurityGroup": [{
            vpcId: "vpc-0a1b2c3d4e5f60718", description: "RDS db: TCP 5432 from allowed clients only", egress: [],
            ingress: [{ fromPort: 5432, toPort: 5432, protocol: "tcp", securityGroups: ["sg-0a1b2c3d4e5f60718"], description: "RDS db clients (security groups)" }],
        }],
        "aws:elasticache/subnetGroup:SubnetGroup": [{ description: "ElastiCache cache", subnetIds: ["subnet-0a1b2c3d4e5f60718"] }],
        "aws:rds/subnetGroup:SubnetGroup": [{ description: "RDS db", subnetIds: ["subnet-0a1b2c3d4e5f60718"] }],
        "aws:rds/parameterGroup:ParameterGroup": [{
            description: "RDS db: TLS only", family: "postgres17",
            parameters: [{ name: "rds.force_ssl", value: "1", applyMethod: "immediate" }, { name: "ssl_min_protocol_version", value: "TLSv1.2", applyMethod: "immediate" }],
        }],
        "aws:elasticache/replicationGroup:ReplicationGroup": [{
            description: "ElastiCache cache: TLS-only valkey", engine: "valkey", engineVersion: "8.0", nodeType: "cache.t4g.small", numCacheClusters: 2,
            automaticFailoverEnabled: true, multiAzEnabled: true, transitEncryptionEnabled: true, transitEncryptionMode: "required", atRestEncryptionEnabled: true,
            kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/3317531f-9c13-4b47-9ee6-5a6aa1e73e47", authToken: "a-long-enough-token-0123456789", authTokenUpdateStrategy: "SET",
            maintenanceWindow: "sun:05:00-sun:06:00", snapshotWindow: "03:00-04:00", snapshotRetentionLimit: 7, port: 6379,
        }],
        "aws:rds/instance:Instance": [{
            instanceClass: "db.t4g.small", engine: "postgres", engineVersion: "17", allocatedStorage: 20, dbName: "app", username: "app", password: "a-password-of-forty-characters-0123456789",
            storageEncrypted: true, kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/3985d5d3-4252-45d2-ab0f-b08c428bda05", backupRetentionPeriod: 7,
            backupWindow: "03:00-04:00", maintenanceWindow: "sun:05:00-sun:06:00", finalSnapshotIdentifier: "db-final", skipFinalSnapshot: false, port: 5432,
        }],
        "aws:secretsmanager/secret:Secret": [{ name: "tls-platform/prod/cache", description: "Connection document", recoveryWindowInDays: 30 }],
        "aws:secretsmanager/secretVersion:SecretVersion": [{ secretId: "arn:aws:secretsmanager:eu-west-1:123456789012:secret:tls-platform/prod/cache-AbCdEf", secretString: "{}" }],
        "aws:iam/rolePolicy:RolePolicy": [{
            role: "app-role",
            policy: JSON.stringify({ Version: "2012-10-17", Statement: [{ Effect: "Allow", Action: ["secretsmanager:GetSecretValue"], Resource: ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:x"] }] }),
        }],
    };
}

/** The baseline a rule's examples start from: the first of its type's baselines the rule applies to. */
export function baselineFor(rule: EmulatorRule, baselines: Readonly<Record<string, readonly Inputs[]>>): Inputs {
    const found = (baselines[rule.type] ?? []).find((b) => rule.appliesTo?.(b) ?? true);
    if (!found) throw new Error(`no baseline of ${rule.type} that ${rule.id} applies to`);
    return found;
}

/** Every example of every rule, flattened, with a stable title. */
export function ruleCases(): Array<{ title: string; rule: EmulatorRule; set: Readonly<Record<string, unknown>>; message?: string }> {
    return EMULATOR_RULES.flatMap((rule) => rule.examples.map((e, i) => ({ title: `${rule.id}#${i + 1} ${JSON.stringify(e.set).slice(0, 80)}`, rule, set: e.set, message: e.message })));
}
