import { readyForRenewal, rfc3339 } from "../../emulator/tls";

type Props = Record<string, any>;

/**
 * How a real provider plans a change to one resource type, in Pulumi's camelCase input names: which
 * inputs force a replacement (Terraform `ForceNew` / `RequiresReplace`), which update in place, the
 * provider's defaults for unset inputs, and the Optional+Computed inputs whose stored value stands when
 * the program leaves them unset. Each entry names the upstream file and function it is read from.
 */
export interface DiffRules {
    /** Upstream file and function the rules are transcribed from. */
    readonly source: string;
    /** Inputs whose change replaces the resource. */
    readonly forceNew: readonly string[];
    /** Inputs whose change updates in place. */
    readonly inPlace: readonly string[];
    /** What an input not listed in `forceNew` or `inPlace` does when it changes. */
    readonly otherInputs: "replace" | "update";
    /** The provider's default for an unset input (Terraform `Default`). */
    readonly defaults?: Readonly<Record<string, unknown>>;
    /** Optional+Computed inputs: unset in the program, the stored value is kept (no diff). */
    readonly computed?: readonly string[];
    /** The Pulumi provider deletes the old resource before creating its replacement. */
    readonly deleteBeforeReplace?: boolean;
    /** Fills computed values nested inside inputs (e.g. a port's host port) from the stored state. */
    readonly normalize?: (news: Props, olds: Props) => Props;
    /** Extra replacement reasons the provider adds at plan time (property name → why). */
    readonly planReplacements?: (olds: Props, news: Props, now: Date) => Record<string, string>;
}

const TLS = "hashicorp/terraform-provider-tls@d72d90e internal/provider";
const RANDOM = "hashicorp/terraform-provider-random@ad788e2 internal/provider";
const COMMAND = "pulumi/pulumi-command@010bd8e provider/pkg/provider";
const KW = "kreuzwerker/terraform-provider-docker@83c00e0 (v4.5.0+5) internal/provider";
/** terraform-provider-aws as stored in the search index (commit per file, as read); pulumi-aws 7.48 bridges its v6 line. */
const AWS = "hashicorp/terraform-provider-aws internal/service";
/** pulumi-aws replaces Terraform's "Managed by Terraform" description default; the emulator stores this one. */
const PULUMI_DESCRIPTION = "Managed by Pulumi";

/**
 * terraform-provider-tls common_cert.go modifyPlanIfCertificateReadyForRenewal: with the planned
 * `early_renewal_hours`, once now ≥ validity_end_time − early_renewal_hours, `ready_for_renewal`
 * becomes unknown and RequiresReplace.
 */
function certificateRenewal(olds: Props, news: Props, now: Date): Record<string, string> {
    if (typeof olds.validityEndTime !== "string") return {};
    const end = new Date(olds.validityEndTime);
    const early = Number(news.earlyRenewalHours ?? 0);
    return readyForRenewal(end, early, now) ? { readyForRenewal: `${rfc3339(now)} is within ${early}h of ${rfc3339(end)}` } : {};
}

const CERT_DEFAULTS = { earlyRenewalHours: 0, isCaCertificate: false, setSubjectKeyId: false, setAuthorityKeyId: false };

/** Docker fills a published port's ip, protocol and (when unset) host port; those are not changes. */
function normalizeContainer(news: Props, olds: Props): Props {
    if (!Array.isArray(news.ports)) return news;
    const stored: Props[] = Array.isArray(olds.ports) ? olds.ports : [];
    const ports = news.ports.map((p: Props, i: number) => ({ ip: "0.0.0.0", protocol: "tcp", ...p, external: p.external ?? stored[i]?.external }));
    return { ...news, ports };
}

export const DIFF_RULES: Readonly<Record<string, DiffRules>> = {
    "tls:index/privateKey:PrivateKey": {
        source: `${TLS}/resource_private_key.go (*privateKeyResource).Schema`,
        forceNew: ["algorithm", "rsaBits", "ecdsaCurve"],
        inPlace: [],
        otherInputs: "replace",
        defaults: { rsaBits: 2048, ecdsaCurve: "P224" },
    },
    "tls:index/selfSignedCert:SelfSignedCert": {
        source: `${TLS}/resource_self_signed_cert.go (*selfSignedCertResource).Schema, ModifyPlan → common_cert.go modifyPlanIfCertificateReadyForRenewal`,
        forceNew: ["privateKeyPem", "validityPeriodHours", "allowedUses", "dnsNames", "ipAddresses", "uris", "subject", "isCaCertificate", "maxPathLength", "setSubjectKeyId", "setAuthorityKeyId"],
        inPlace: ["earlyRenewalHours"],
        otherInputs: "replace",
        defaults: CERT_DEFAULTS,
        computed: ["maxPathLength"],
        planReplacements: certificateRenewal,
    },
    "tls:index/certRequest:CertRequest": {
        source: `${TLS}/resource_cert_request.go (*certRequestResource).Schema`,
        forceNew: ["privateKeyPem", "dnsNames", "ipAddresses", "uris", "subject"],
        inPlace: [],
        otherInputs: "replace",
    },
    "tls:index/locallySignedCert:LocallySignedCert": {
        source: `${TLS}/resource_locally_signed_cert.go (*locallySignedCertResource).Schema (ca_cert_pem, ca_private_key_pem, cert_request_pem: requireReplaceIfStateContainsPEMString), ModifyPlan → common_cert.go modifyPlanIfCertificateReadyForRenewal`,
        forceNew: ["caCertPem", "caPrivateKeyPem", "certRequestPem", "validityPeriodHours", "allowedUses", "isCaCertificate", "maxPathLength", "setSubjectKeyId"],
        inPlace: ["earlyRenewalHours"],
        otherInputs: "replace",
        defaults: CERT_DEFAULTS,
        computed: ["maxPathLength"],
        planReplacements: certificateRenewal,
    },
    "random:index/randomPassword:RandomPassword": {
        source: `${RANDOM}/resource_password.go passwordSchemaV3 (every argument RequiresReplace; keepers RequiresReplaceIfValuesNotNull)`,
        forceNew: ["keepers", "length", "special", "upper", "lower", "number", "numeric", "minNumeric", "minUpper", "minLower", "minSpecial", "overrideSpecial"],
        inPlace: [],
        otherInputs: "replace",
        defaults: { special: true, upper: true, lower: true, numeric: true, minNumeric: 0, minUpper: 0, minLower: 0, minSpecial: 0 },
        computed: ["number"],
    },
    "docker:index/container:Container": {
        source: `${KW}/resource_docker_container.go resourceDockerContainer (ForceNew, incl. every upload field) and resource_docker_container_funcs.go resourceDockerContainerUpdate; deleteBeforeReplace: pulumi/pulumi-docker provider/resources.go (docker_container DeleteBeforeReplace)`,
        forceNew: [
            "name", "image", "hostname", "domainname", "command", "entrypoints", "user", "dns", "dnsOpts", "dnsSearches", "publishAllPorts",
            "workingDir", "capabilities", "securityOpts", "runtime", "platform", "stopSignal", "stopTimeout", "mounts", "volumes", "ports",
            "hosts", "ulimits", "envs", "privileged", "devices", "deviceRequests", "labels", "shmSize", "logDriver", "logOpts", "networkMode",
            "networksAdvanced", "pidMode", "usernsMode", "uploads", "sysctls", "ipcMode", "groupAdds", "tty", "stdinOpen", "storageOpts",
            "gpus", "cpus", "cgroupnsMode", "cgroupParent", "readOnly",
        ],
        // resourceDockerContainerUpdate applies the first eleven; the rest are neither ForceNew nor
        // applied, so Terraform plans an in-place update that changes only the state.
        inPlace: [
            "restart", "maxRetryCount", "cpuShares", "memory", "memoryReservation", "cpuSet", "memorySwap",
            "deviceReadBps", "deviceReadIops", "deviceWriteBps", "deviceWriteIops",
            "mustRun", "rm", "start", "wait", "waitTimeout", "attach", "logs", "removeVolumes", "tmpfs", "healthcheck",
            "destroyGraceSeconds", "containerReadRefreshTimeoutMilliseconds", "init", "cpuPeriod", "cpuQuota",
        ],
        otherInputs: "replace",
        defaults: { restart: "no", mustRun: true, start: true, wait: false, waitTimeout: 60, rm: false, attach: false, logs: false, removeVolumes: true, readOnly: false, tty: false, stdinOpen: false, networkMode: "bridge", memoryReservation: 0 },
        computed: ["name", "hostname", "command", "entrypoints", "envs", "securityOpts", "runtime", "platform", "stopSignal", "stopTimeout", "labels", "shmSize", "logDriver", "ipcMode", "healthcheck", "init"],
        deleteBeforeReplace: true,
        normalize: normalizeContainer,
    },
    "docker:index/remoteImage:RemoteImage": {
        source: `${KW}/resource_docker_image.go resourceDockerImage (build's fields are ForceNew inside the block)`,
        forceNew: ["name", "pullTriggers", "triggers", "platform", "build"],
        inPlace: ["keepLocally", "forceRemove"],
        otherInputs: "replace",
        defaults: { platform: "" },
    },
    "docker:index/network:Network": {
        source: `${KW}/resource_docker_network.go resourceDockerNetwork (no Update: every argument ForceNew)`,
        forceNew: ["name", "labels", "driver", "options", "internal", "attachable", "ingress", "ipv6", "ipamDriver", "ipamOptions", "ipamConfigs"],
        inPlace: [],
        otherInputs: "replace",
        defaults: { ipamDriver: "default" },
        computed: ["name", "driver", "options", "internal", "ipamConfigs"],
    },
    "command:local:Command": {
        source: `${COMMAND}/common/inputs.go (triggers: provider:"replaceOnChanges") and local/commandController.go Update (any other change updates and runs \`update\`, else \`create\`; pulumi-go-provider infer's default Diff)`,
        forceNew: ["triggers"],
        inPlace: ["create", "update", "delete", "stdin", "environment", "dir", "interpreter", "logging", "addPreviousOutputInEnv", "assetPaths", "archivePaths"],
        otherInputs: "update",
        computed: [],
    },
    "docker:index/volume:Volume": {
        source: `${KW}/resource_docker_volume.go resourceDockerVolume, resourceDockerVolumeUpdate (cluster.availability)`,
        forceNew: ["name", "labels", "driver", "driverOpts"],
        inPlace: ["cluster"],
        otherInputs: "replace",
        computed: ["name", "driver"],
    },
    "aws:elasticache/replicationGroup:ReplicationGroup": {
        source: `${AWS}/elasticache/replication_group.go@001b636 resourceReplicationGroup (Schema ForceNew; CustomizeDiff ForceNewIf transit_encryption_enabled when engine_version_actual < 7.0.5, customizeDiffEngineForceNewOnDowngrade, customizeDiffEngineVersionForceNewOnDowngrade: engine_version.go@0160692)`,
        forceNew: ["atRestEncryptionEnabled", "dataTieringEnabled", "globalReplicationGroupId", "kmsKeyId", "networkType", "port", "replicationGroupId", "securityGroupNames", "snapshotArns", "snapshotName", "subnetGroupName"],
        inPlace: ["description", "authToken", "authTokenUpdateStrategy", "automaticFailoverEnabled", "multiAzEnabled", "engineVersion", "nodeType", "numCacheClusters", "parameterGroupName", "securityGroupIds", "snapshotRetentionLimit", "snapshotWindow", "maintenanceWindow", "transitEncryptionEnabled", "transitEncryptionMode", "userGroupIds", "tags", "applyImmediately", "numNodeGroups", "replicasPerNodeGroup", "clusterMode"],
        otherInputs: "update",
        defaults: { automaticFailoverEnabled: false, multiAzEnabled: false },
        computed: ["atRestEncryptionEnabled", "engine", "engineVersion", "port", "replicationGroupId", "transitEncryptionEnabled", "transitEncryptionMode", "subnetGroupName", "securityGroupNames", "securityGroupIds", "nodeType", "numCacheClusters", "parameterGroupName", "networkType", "dataTieringEnabled", "globalReplicationGroupId", "numNodeGroups", "replicasPerNodeGroup", "clusterMode"],
        planReplacements: replicationGroupReplacements,
    },
    "aws:elasticache/user:User": {
        // v5-line copy (search-index file id 52127954095); the v6 line adds write-only passwords and takes valkey as engine.
        source: `${AWS}/elasticache/user.go (v5 line, search-index file id 52127954095) ResourceUser (user_id, user_name, engine ForceNew; access_string, authentication_mode, passwords, no_password_required by ModifyUser)`,
        forceNew: ["engine", "userId", "userName"],
        inPlace: ["accessString", "authenticationMode", "noPasswordRequired", "passwords", "tags"],
        otherInputs: "update",
        defaults: { noPasswordRequired: false },
        computed: ["authenticationMode"],
        // authentication_mode.password_count is Computed inside the block: the stored count is no change.
        normalize: (news, olds) =>
            news.authenticationMode && olds.authenticationMode?.passwordCount !== undefined ? { ...news, authenticationMode: { ...news.authenticationMode, passwordCount: olds.authenticationMode.passwordCount } } : news,
    },
    "aws:elasticache/userGroup:UserGroup": {
        source: `${AWS}/elasticache/user_group.go (v5 line, search-index file id 51888255023) ResourceUserGroup (engine, user_group_id ForceNew; user_ids by ModifyUserGroup)`,
        forceNew: ["engine", "userGroupId"],
        inPlace: ["userIds", "tags"],
        otherInputs: "update",
    },
    "aws:elasticache/subnetGroup:SubnetGroup": {
        source: `${AWS}/elasticache/subnet_group.go@01c0800 ResourceSubnetGroup`,
        forceNew: ["name"],
        inPlace: ["description", "subnetIds", "tags"],
        otherInputs: "update",
        defaults: { description: PULUMI_DESCRIPTION },
        computed: ["name"],
    },
    "aws:ec2/securityGroup:SecurityGroup": {
        source: `${AWS}/ec2/vpc_security_group.go@0160692 resourceSecurityGroup`,
        forceNew: ["description", "name", "namePrefix", "vpcId"],
        inPlace: ["ingress", "egress", "revokeRulesOnDelete", "tags"],
        otherInputs: "update",
        defaults: { description: PULUMI_DESCRIPTION, revokeRulesOnDelete: false },
        computed: ["name", "namePrefix", "vpcId", "ingress", "egress"],
    },
    "aws:rds/subnetGroup:SubnetGroup": {
        source: `${AWS}/rds/subnet_group.go@01c0800 ResourceSubnetGroup`,
        forceNew: ["name", "namePrefix"],
        inPlace: ["description", "subnetIds", "tags"],
        otherInputs: "update",
        defaults: { description: PULUMI_DESCRIPTION },
        computed: ["name", "namePrefix"],
    },
    "aws:rds/parameterGroup:ParameterGroup": {
        source: `${AWS}/rds/parameter_group.go@0160692 resourceParameterGroup`,
        forceNew: ["description", "family", "name", "namePrefix"],
        inPlace: ["parameters", "skipDestroy", "tags"],
        otherInputs: "update",
        defaults: { description: PULUMI_DESCRIPTION, skipDestroy: false },
        computed: ["name", "namePrefix"],
    },
    "aws:rds/instance:Instance": {
        source: `${AWS}/rds/instance.go (v5 line: SchemaVersion 2, identifier updatable; search-index file id 1659451291, its commit not reported) ResourceInstance (Schema ForceNew; s3_import's fields ForceNew inside the block) and resourceInstanceUpdate`,
        forceNew: ["availabilityZone", "backupTarget", "characterSetName", "customIamInstanceProfile", "dbName", "engine", "kmsKeyId", "ncharCharacterSetName", "restoreToPointInTime", "s3Import", "snapshotIdentifier", "storageEncrypted", "timezone", "username"],
        inPlace: [
            "allocatedStorage", "allowMajorVersionUpgrade", "applyImmediately", "autoMinorVersionUpgrade", "backupRetentionPeriod", "backupWindow", "blueGreenUpdate",
            "caCertIdentifier", "copyTagsToSnapshot", "customerOwnedIpEnabled", "dbSubnetGroupName", "deleteAutomatedBackups", "deletionProtection", "domain",
            "domainIamRoleName", "enabledCloudwatchLogsExports", "engineVersion", "finalSnapshotIdentifier", "iamDatabaseAuthenticationEnabled", "identifier",
            "identifierPrefix", "instanceClass", "iops", "licenseModel", "maintenanceWindow", "manageMasterUserPassword", "masterUserSecretKmsKeyId",
            "maxAllocatedStorage", "monitoringInterval", "monitoringRoleArn", "multiAz", "networkType", "optionGroupName", "parameterGroupName", "password",
            "performanceInsightsEnabled", "performanceInsightsKmsKeyId", "performanceInsightsRetentionPeriod", "port", "publiclyAccessible", "replicaMode",
            "replicateSourceDb", "skipFinalSnapshot", "storageThroughput", "storageType", "tags", "vpcSecurityGroupIds",
        ],
        otherInputs: "update",
        defaults: { applyImmediately: false, autoMinorVersionUpgrade: true, copyTagsToSnapshot: false, deleteAutomatedBackups: true, monitoringInterval: 0, performanceInsightsEnabled: false, publiclyAccessible: false, skipFinalSnapshot: false },
        computed: [
            "allocatedStorage", "availabilityZone", "backupRetentionPeriod", "backupTarget", "backupWindow", "caCertIdentifier", "characterSetName", "dbName",
            "dbSubnetGroupName", "engine", "engineVersion", "identifier", "identifierPrefix", "iops", "kmsKeyId", "licenseModel", "maintenanceWindow",
            "masterUserSecretKmsKeyId", "monitoringRoleArn", "multiAz", "ncharCharacterSetName", "networkType", "optionGroupName", "parameterGroupName",
            "performanceInsightsKmsKeyId", "performanceInsightsRetentionPeriod", "port", "replicaMode", "snapshotIdentifier", "storageThroughput", "storageType",
            "timezone", "username", "vpcSecurityGroupIds",
        ],
    },
    "aws:iam/rolePolicy:RolePolicy": {
        source: `${AWS}/iam/role_policy.go@02f97af resourceRolePolicy`,
        forceNew: ["name", "namePrefix", "role"],
        inPlace: ["policy"],
        otherInputs: "update",
        computed: ["name", "namePrefix"],
    },
    "aws:kms/key:Key": {
        source: `${AWS}/kms/key.go@00a3530 resourceKey`,
        forceNew: ["customKeyStoreId", "customerMasterKeySpec", "keyUsage", "multiRegion", "xksKeyId"],
        inPlace: ["bypassPolicyLockoutSafetyCheck", "deletionWindowInDays", "description", "enableKeyRotation", "isEnabled", "policy", "rotationPeriodInDays", "tags"],
        otherInputs: "update",
        defaults: { customerMasterKeySpec: "SYMMETRIC_DEFAULT", keyUsage: "ENCRYPT_DECRYPT", enableKeyRotation: false, isEnabled: true, bypassPolicyLockoutSafetyCheck: false },
        computed: ["description", "multiRegion", "policy", "rotationPeriodInDays"],
    },
    "aws:secretsmanager/secret:Secret": {
        source: `${AWS}/secretsmanager/secret.go@00c21ce resourceSecret`,
        forceNew: ["name", "namePrefix"],
        inPlace: ["description", "forceOverwriteReplicaSecret", "kmsKeyId", "policy", "recoveryWindowInDays", "replicas", "tags"],
        otherInputs: "update",
        defaults: { forceOverwriteReplicaSecret: false, recoveryWindowInDays: 30 },
        computed: ["name", "namePrefix", "policy", "replicas"],
    },
    "aws:secretsmanager/secretVersion:SecretVersion": {
        source: `${AWS}/secretsmanager/secret_version.go@0042e8e resourceSecretVersion`,
        forceNew: ["secretId", "secretBinary", "secretString", "secretStringWoVersion"],
        inPlace: ["versionStages"],
        otherInputs: "update",
        computed: ["versionStages"],
    },
};

/**
 * The replication group's CustomizeDiff replacements: transit encryption switched on an engine older
 * than 7.0.5 (ForceNewIf); an engine change other than redis → valkey (elasticache/engine_version.go
 * `customizeDiffEngineForceNewOnDowngrade`); an engine version downgrade (`engineVersionIsDowngrade`,
 * a stored `6.x`/`7.x` compared through engine_version_actual).
 */
function replicationGroupReplacements(olds: Props, news: Props): Record<string, string> {
    const reasons: Record<string, string> = {};
    const actual = olds.engineVersionActual ?? olds.engineVersion;
    if (news.transitEncryptionEnabled !== undefined && news.transitEncryptionEnabled !== olds.transitEncryptionEnabled && versionBelow(actual, "7.0.5")) {
        reasons.transitEncryptionEnabled = `engine version ${actual} < 7.0.5 sets transit encryption only at creation`;
    }
    if (news.engine !== undefined && olds.engine !== undefined && news.engine !== olds.engine && !(olds.engine === "redis" && news.engine === "valkey")) {
        reasons.engine = `${olds.engine} → ${news.engine} is not the in-place redis → valkey upgrade`;
    }
    const stored = /^[67]\.x$/.test(String(olds.engineVersion)) ? (olds.engineVersionActual ?? olds.engineVersion) : olds.engineVersion;
    if (typeof news.engineVersion === "string" && typeof stored === "string" && news.engineVersion !== olds.engineVersion && versionBelow(news.engineVersion.replace(/\.x$/, ".999999"), stored)) {
        reasons.engineVersion = `${olds.engineVersion} → ${news.engineVersion} is a downgrade`;
    }
    return reasons;
}

function versionBelow(version: unknown, floor: string): boolean {
    if (typeof version !== "string") return false;
    const a = version.split(".").map(Number);
    const b = floor.split(".").map(Number);
    for (let i = 0; i < b.length; i++) {
        if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) < b[i]!;
    }
    return false;
}
