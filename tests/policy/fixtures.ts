// Resource properties as this project's programs register them, copied from what the provider
// emulator recorded for the dev and prod stacks (tests/emulator); the tests vary one field at a time.
import { TestResource } from "./harness";

/** `base` with `changes` applied; a change to `undefined` removes the property, as leaving it out would. */
export function changed(base: Record<string, unknown>, changes: Record<string, unknown>): Record<string, unknown> {
    const props: Record<string, unknown> = { ...base, ...changes };
    for (const [key, value] of Object.entries(changes)) {
        if (value === undefined) {
            delete props[key];
        }
    }
    return props;
}

export const KMS_KEY_ARN = "arn:aws:kms:eu-west-1:123456789012:key/d196c2b2-8a7e-4444-b7df-d44a089c84bc";

/** ElastiCacheCache's replication group (prod). */
export const REPLICATION_GROUP = {
    description: "ElastiCache cache: TLS-only valkey (tls-platform)",
    engine: "valkey",
    engineVersion: "8.0",
    autoMinorVersionUpgrade: true,
    nodeType: "cache.t4g.small",
    port: 6379,
    numCacheClusters: 2,
    automaticFailoverEnabled: true,
    multiAzEnabled: true,
    subnetGroupName: "cache-subnets-ebc0370",
    securityGroupIds: ["sg-80a3ac6a3cd9260ce"],
    transitEncryptionEnabled: true,
    transitEncryptionMode: "required",
    authToken: "^hjT3^1B9WNWxLq^Koe6y8aNSRgCL&XeS5bYk$->AV9AeJtN0E^Ij<7B8biBcOA>",
    authTokenUpdateStrategy: "SET",
    atRestEncryptionEnabled: true,
    kmsKeyId: KMS_KEY_ARN,
    snapshotRetentionLimit: 7,
    snapshotWindow: "03:00-04:00",
    maintenanceWindow: "sun:05:00-sun:06:00",
};

/** RdsPostgres's parameter group and instance (prod). */
export const PARAMETER_GROUP_INPUTS = {
    description: "RDS db: TLS only (tls-platform)",
    family: "postgres17",
    parameters: [
        { applyMethod: "immediate", name: "rds.force_ssl", value: "1" },
        { applyMethod: "immediate", name: "ssl_min_protocol_version", value: "TLSv1.2" },
    ],
};
export const PARAMETER_GROUP_OUTPUTS = { ...PARAMETER_GROUP_INPUTS, name: "db-params-4512f02", arn: "arn:aws:rds:eu-west-1:123456789012:pg:db-params-4512f02" };
export const RDS_INSTANCE = {
    allocatedStorage: 20,
    autoMinorVersionUpgrade: true,
    backupRetentionPeriod: 7,
    backupWindow: "03:00-04:00",
    caCertIdentifier: "rds-ca-rsa2048-g1",
    copyTagsToSnapshot: true,
    dbName: "app",
    dbSubnetGroupName: "db-subnets-b0c21ff",
    deletionProtection: true,
    engine: "postgres",
    engineVersion: "17",
    finalSnapshotIdentifier: "db-final",
    iamDatabaseAuthenticationEnabled: false,
    instanceClass: "db.t4g.small",
    kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/1a72aaed-0559-40c4-a2a8-494393ffa53d",
    maintenanceWindow: "sun:05:00-sun:06:00",
    multiAz: false,
    parameterGroupName: "db-params-4512f02",
    password: "SyPkzyARcJVl50IiKMoKAekKeaEXXYIIfBuL67YT",
    port: 5432,
    publiclyAccessible: false,
    skipFinalSnapshot: false,
    storageEncrypted: true,
    storageType: "gp3",
    username: "app",
    vpcSecurityGroupIds: ["sg-aecae802a5025dd16"],
};

/** The stack's CA and a service's leaf certificate (dev); PEM inputs shortened, the rules do not read them. */
export const CA_CERT = {
    allowedUses: ["cert_signing", "crl_signing", "digital_signature"],
    earlyRenewalHours: 4320,
    isCaCertificate: true,
    privateKeyPem: "-----BEGIN PRIVATE KEY-----\n…",
    setAuthorityKeyId: true,
    setSubjectKeyId: true,
    subject: { commonName: "tls-platform dev CA", organization: "tls-platform" },
    validityPeriodHours: 26280,
};
export const LEAF_CERT = {
    allowedUses: ["digital_signature", "server_auth"],
    caCertPem: "-----BEGIN CERTIFICATE-----\n…",
    caPrivateKeyPem: "-----BEGIN PRIVATE KEY-----\n…",
    certRequestPem: "-----BEGIN CERTIFICATE REQUEST-----\n…",
    earlyRenewalHours: 720,
    setSubjectKeyId: true,
    validityPeriodHours: 2160,
};

/** DragonflyCache's image and container (dev), `image` being the RemoteImage's id as the program passes it. */
export const DRAGONFLY_IMAGE_ID = "sha256:6121ed5872ed3a5a8bec3a074225c4e7c4e6c489792603671f7dc0632ed0a85b";
export const DRAGONFLY_REMOTE_IMAGE: TestResource = {
    type: "docker:index/remoteImage:RemoteImage",
    name: "cache-image",
    props: {
        keepLocally: true,
        name: "docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1",
        imageId: DRAGONFLY_IMAGE_ID,
        repoDigest: "docker.dragonflydb.io/dragonflydb/dragonfly@sha256:6121ed5872ed3a5a8bec3a074225c4e7c4e6c489792603671f7dc0632ed0a85b",
    },
};
export const CACHE_CONTAINER = {
    command: ["--port=6379", "--tls", "--tls_cert_file=/etc/dragonfly/tls/server.crt", "--tls_key_file=/etc/dragonfly/tls/server.key", "--maxmemory=1073741824", "--dir=/data"],
    envs: ["DFLY_requirepass=tG2ATZxKaVo9shQe3i8jeGsbmLn5vW8j"],
    healthcheck: { interval: "10s", retries: 5, startPeriod: "30s", tests: ["CMD-SHELL", "redis-cli --tls … PING"], timeout: "5s" },
    image: DRAGONFLY_IMAGE_ID,
    mustRun: true,
    name: "tls-platform-dev-cache",
    networksAdvanced: [{ aliases: ["cache"], name: "tls-platform-dev-backend" }, { name: "tls-platform-dev-cache-publish" }],
    ports: [{ external: 6380, internal: 6379, ip: "127.0.0.1", protocol: "tcp" }],
    restart: "unless-stopped",
    volumes: [{ containerPath: "/data", volumeName: "tls-platform-dev-cache-data" }],
    wait: true,
    waitTimeout: 120,
};
/** An nginx container published on every address: a proxy may be reached from the network, and this rule leaves it alone. */
export const PROXY_CONTAINER = {
    command: ["nginx", "-g", "daemon off;"],
    image: "nginx:1.30.0",
    name: "tls-platform-dev-proxy",
    ports: [
        { external: 8443, internal: 443, protocol: "tcp" },
        { external: 8080, internal: 80, protocol: "tcp" },
    ],
    restart: "unless-stopped",
};

/** SecretsManagerSink's secret (prod). */
export const SECRET = {
    description: "Connection document (schema v1) for cache",
    kmsKeyId: "arn:aws:kms:eu-west-1:123456789012:key/28780a01-e6f1-406b-b3de-cf5dfc2133dd",
    name: "tls-platform/prod/cache",
    recoveryWindowInDays: 30,
};
