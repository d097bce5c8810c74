import { IMAGE_HEALTHCHECKS, imageHasHealthcheck } from "./docker";
import { COMMAND_RULES } from "./rules-command";
import { SCALING_RULES } from "./rules-scaling";

// Every rule of the real providers that the emulator reproduces (tests/emulator), with its upstream
// source, the stage at which the real thing refuses (plan: `pulumi preview` stops, from the provider's
// schema validators and CustomizeDiff / ModifyPlan; create: `pulumi up` fails in the provider's Create or
// at the API), and bad values that show it. A few entries are values the providers let through, kept so
// that the emulator is shown not to refuse more than they do. RULES.md is generated from this table
// (rules-table.ts); rules.test.ts runs every example through the handlers and planTimeProblems, the
// engine test (tests/engine/providers.test.ts) through the plugins' Check and Create, and
// mutations/*.test.ts applies them to the real programs' resources.

type Inputs = Record<string, any>;

/** One bad (or accepted) value: input paths (`uploads[0].permissions`) set to a value; `null` unsets. */
export interface RuleExample {
    readonly set: Readonly<Record<string, unknown>>;
    /** A part of the refusal's message, as the real provider words it (refused entries only). */
    readonly message?: string;
}

export interface EmulatorRule {
    readonly id: string;
    readonly type: string;
    /** The input the rule is about, in Pulumi's names. */
    readonly input: string;
    readonly verdict: "refused" | "accepted";
    /** When the real thing refuses: at plan (Check/preview) or at create (`up`). Accepted entries pass both. */
    readonly stage: "plan" | "create";
    readonly rule: string;
    /** Upstream file and function (and the revision read). */
    readonly source: string;
    readonly examples: readonly RuleExample[];
    /** Which of a program's resources of `type` the examples apply to (default: every one). */
    readonly appliesTo?: (inputs: Inputs) => boolean;
}

const TLS = "hashicorp/terraform-provider-tls@d72d90e internal/provider";
const RANDOM = "hashicorp/terraform-provider-random@ad788e2 internal/provider";
const KW = "kreuzwerker/terraform-provider-docker@83c00e0 internal/provider";
const AWS = "hashicorp/terraform-provider-aws internal";
/** The v6-line replication_group.go (SchemaVersion 3, no auth_token_update_strategy default), search-index file id 4789450415. */
const RG = `${AWS}/service/elasticache/replication_group.go (v6 line, search-index file id 4789450415)`;
/** The v5-line instance.go the Diff rules were read from (tests/engine/providers/README.md), search-index file id 1659451291. */
const RDS_INSTANCE = `${AWS}/service/rds/instance.go (v5 line, search-index file id 1659451291) ResourceInstance`;

const has = (path: string) => (inputs: Inputs) => getPath(inputs, path) !== undefined;
const imageHasOwnHealthcheck = (inputs: Inputs) => imageHasHealthcheck(inputs.image);

export const EMULATOR_RULES: readonly EmulatorRule[] = [
    // tls
    {
        id: "tls.privateKey.algorithm", type: "tls:index/privateKey:PrivateKey", input: "algorithm", verdict: "refused", stage: "plan",
        rule: "one of RSA, ECDSA, ED25519", source: `${TLS}/resource_private_key.go (*privateKeyResource).Schema: stringvalidator.OneOf`,
        examples: [{ set: { algorithm: "DSA" }, message: 'Attribute algorithm value must be one of: ["RSA","ECDSA","ED25519"], got: "DSA"' }],
    },
    {
        id: "tls.privateKey.ecdsaCurve", type: "tls:index/privateKey:PrivateKey", input: "ecdsaCurve", verdict: "refused", stage: "plan",
        rule: "one of P224, P256, P384, P521", source: `${TLS}/resource_private_key.go (*privateKeyResource).Schema: stringvalidator.OneOf`,
        examples: [{ set: { ecdsaCurve: "P-256" }, message: 'Attribute ecdsa_curve value must be one of: ["P224","P256","P384","P521"], got: "P-256"' }],
    },
    {
        id: "tls.selfSignedCert.validityPeriodHours", type: "tls:index/selfSignedCert:SelfSignedCert", input: "validityPeriodHours", verdict: "refused", stage: "plan",
        rule: "at least 0", source: `${TLS}/resource_self_signed_cert.go (*selfSignedCertResource).Schema: int64validator.AtLeast(0)`,
        examples: [{ set: { validityPeriodHours: -1 }, message: "Attribute validity_period_hours value must be at least 0, got: -1" }],
    },
    {
        id: "tls.selfSignedCert.earlyRenewalHours", type: "tls:index/selfSignedCert:SelfSignedCert", input: "earlyRenewalHours", verdict: "refused", stage: "plan",
        rule: "at least 0", source: `${TLS}/resource_self_signed_cert.go (*selfSignedCertResource).Schema: int64validator.AtLeast(0)`,
        examples: [{ set: { earlyRenewalHours: -1 }, message: "Attribute early_renewal_hours value must be at least 0, got: -1" }],
    },
    {
        id: "tls.selfSignedCert.maxPathLength", type: "tls:index/selfSignedCert:SelfSignedCert", input: "maxPathLength", verdict: "refused", stage: "plan",
        rule: "at least -1", source: `${TLS}/resource_self_signed_cert.go (*selfSignedCertResource).Schema: int64validator.AtLeast(-1)`,
        examples: [{ set: { maxPathLength: -2 }, message: "Attribute max_path_length value must be at least -1, got: -2" }],
    },
    {
        id: "tls.selfSignedCert.allowedUses", type: "tls:index/selfSignedCert:SelfSignedCert", input: "allowedUses[i]", verdict: "refused", stage: "plan",
        rule: "each a supported key usage (snake_case)", source: `${TLS}/resource_self_signed_cert.go (*selfSignedCertResource).Schema: listvalidator.ValueStringsAre(OneOf(supportedKeyUsagesStr()))`,
        examples: [{ set: { "allowedUses[0]": "certSigning" }, message: 'Attribute allowed_uses[0] value must be one of:' }],
    },
    {
        id: "tls.selfSignedCert.ipAddressesLength", type: "tls:index/selfSignedCert:SelfSignedCert", input: "ipAddresses[i]", verdict: "refused", stage: "plan",
        rule: "no empty IP address", source: `${TLS}/resource_self_signed_cert.go (*selfSignedCertResource).Schema: ValueStringsAre(LengthAtLeast(1))`,
        examples: [{ set: { ipAddresses: [""] }, message: "Attribute ip_addresses[0] string length must be at least 1, got: 0" }],
    },
    {
        id: "tls.selfSignedCert.ipAddressesParse", type: "tls:index/selfSignedCert:SelfSignedCert", input: "ipAddresses[i]", verdict: "refused", stage: "create",
        rule: "each an IP address", source: `${TLS}/resource_self_signed_cert.go (*selfSignedCertResource).Create: net.ParseIP`,
        examples: [{ set: { ipAddresses: ["300.1.1.1"] }, message: 'Invalid IP address: Failed to parse "300.1.1.1"' }],
    },
    {
        id: "tls.selfSignedCert.caSubject", type: "tls:index/selfSignedCert:SelfSignedCert", input: "subject", verdict: "refused", stage: "create",
        rule: "a CA needs at least one distinguished name (RFC 5280 4.1.2.6)", source: `${TLS}/common_cert.go createCertificate`,
        appliesTo: (inputs) => inputs.isCaCertificate === true,
        examples: [
            { set: { subject: {} }, message: "Invalid Certificate Subject: Must contain at least one Distinguished Name when creating Certificate Authority (CA)" },
            { set: { subject: null }, message: "Invalid Certificate Subject" },
        ],
    },
    {
        id: "tls.selfSignedCert.setAuthorityKeyId", type: "tls:index/selfSignedCert:SelfSignedCert", input: "setAuthorityKeyId", verdict: "refused", stage: "create",
        rule: "needs a subject key id to copy: is_ca_certificate or set_subject_key_id", source: `${TLS}/common_cert.go createCertificate (len(parent.SubjectKeyId) == 0)`,
        examples: [{ set: { setAuthorityKeyId: true, setSubjectKeyId: false, isCaCertificate: false }, message: "Invalid Certificate Authority: Could not determine Authority Key Identifier" }],
    },
    {
        id: "tls.selfSignedCert.setAuthorityKeyIdOnCa", type: "tls:index/selfSignedCert:SelfSignedCert", input: "setSubjectKeyId", verdict: "accepted", stage: "create",
        rule: "a CA always gets a subject key id, so set_authority_key_id works without set_subject_key_id", source: `${TLS}/common_cert.go createCertificate (IsCA → generateSubjectKeyID)`,
        appliesTo: (inputs) => inputs.isCaCertificate === true,
        examples: [{ set: { setSubjectKeyId: false, setAuthorityKeyId: true } }],
    },
    {
        id: "tls.certRequest.ipAddressesParse", type: "tls:index/certRequest:CertRequest", input: "ipAddresses[i]", verdict: "refused", stage: "create",
        rule: "each an IP address", source: `${TLS}/resource_cert_request.go (*certRequestResource).Create: net.ParseIP`,
        examples: [{ set: { ipAddresses: ["localhost"] }, message: 'Invalid IP address: Failed to parse "localhost"' }],
    },
    {
        id: "tls.certRequest.urisLength", type: "tls:index/certRequest:CertRequest", input: "uris[i]", verdict: "refused", stage: "plan",
        rule: "no empty URI", source: `${TLS}/resource_cert_request.go (*certRequestResource).Schema: ValueStringsAre(LengthAtLeast(1))`,
        examples: [{ set: { uris: [""] }, message: "Attribute uris[0] string length must be at least 1, got: 0" }],
    },
    {
        id: "tls.locallySignedCert.validityPeriodHours", type: "tls:index/locallySignedCert:LocallySignedCert", input: "validityPeriodHours", verdict: "refused", stage: "plan",
        rule: "at least 0", source: `${TLS}/resource_locally_signed_cert.go (*locallySignedCertResource).Schema: int64validator.AtLeast(0)`,
        examples: [{ set: { validityPeriodHours: -24 }, message: "Attribute validity_period_hours value must be at least 0, got: -24" }],
    },
    {
        id: "tls.locallySignedCert.earlyRenewalHours", type: "tls:index/locallySignedCert:LocallySignedCert", input: "earlyRenewalHours", verdict: "refused", stage: "plan",
        rule: "at least 0", source: `${TLS}/resource_locally_signed_cert.go (*locallySignedCertResource).Schema: int64validator.AtLeast(0)`,
        examples: [{ set: { earlyRenewalHours: -1 }, message: "Attribute early_renewal_hours value must be at least 0, got: -1" }],
    },
    {
        id: "tls.locallySignedCert.allowedUses", type: "tls:index/locallySignedCert:LocallySignedCert", input: "allowedUses[i]", verdict: "refused", stage: "plan",
        rule: "each a supported key usage (snake_case)", source: `${TLS}/resource_locally_signed_cert.go (*locallySignedCertResource).Schema: ValueStringsAre(OneOf)`,
        examples: [{ set: { "allowedUses[1]": "serverAuth" }, message: 'Attribute allowed_uses[1] value must be one of:' }],
    },
    {
        id: "tls.locallySignedCert.earlyRenewalBeyondValidity", type: "tls:index/locallySignedCert:LocallySignedCert", input: "earlyRenewalHours", verdict: "accepted", stage: "create",
        rule: "early renewal as long as the validity is accepted (ready_for_renewal is then planned true, and every plan replaces)", source: `${TLS}/attribute_plan_modifier_bool/default_value.go PlanModifyBool`,
        examples: [{ set: { earlyRenewalHours: 100_000 } }],
    },
    // random
    {
        id: "random.randomPassword.length", type: "random:index/randomPassword:RandomPassword", input: "length", verdict: "refused", stage: "plan",
        rule: "at least 1", source: `${RANDOM}/resource_password.go passwordSchemaV3: int64validator.AtLeast(1)`,
        examples: [{ set: { length: 0 }, message: "Attribute length value must be at least 1, got: 0" }],
    },
    {
        id: "random.randomPassword.minimums", type: "random:index/randomPassword:RandomPassword", input: "minUpper, minLower, minNumeric, minSpecial", verdict: "refused", stage: "plan",
        rule: "each at least 0", source: `${RANDOM}/resource_password.go passwordSchemaV3: int64validator.AtLeast(0)`,
        examples: [{ set: { minUpper: -1 }, message: "Attribute min_upper value must be at least 0, got: -1" }],
    },
    {
        id: "random.randomPassword.lengthCoversMinimums", type: "random:index/randomPassword:RandomPassword", input: "length", verdict: "refused", stage: "plan",
        rule: "length at least the sum of the minimums", source: `${RANDOM}/resource_password.go passwordSchemaV3: int64validator.AtLeastSumOf(min_upper, min_lower, min_numeric, min_special)`,
        examples: [{ set: { minNumeric: 1000 }, message: "Attribute length value must be at least sum of min_numeric, got: " }],
    },
    // docker
    {
        id: "docker.container.restart", type: "docker:index/container:Container", input: "restart", verdict: "refused", stage: "plan",
        rule: "no, on-failure, always or unless-stopped", source: `${KW}/resource_docker_container.go resourceDockerContainer: validateStringMatchesPattern`,
        examples: [{ set: { restart: "unless_stopped" }, message: "'unless_stopped' doesn't match the pattern '^(no|on-failure|always|unless-stopped)$'" }],
    },
    {
        id: "docker.container.uploadPermissions", type: "docker:index/container:Container", input: "uploads[i].permissions", verdict: "refused", stage: "plan",
        rule: "an octal mode `0` + three digits 0-7", source: `${KW}/resource_docker_container.go resourceDockerContainer (upload.permissions): validateStringMatchesPattern`,
        appliesTo: has("uploads[0]"),
        examples: [
            { set: { "uploads[0].permissions": "644" }, message: "'644' doesn't match the pattern '^0[0-7]{3}$'" },
            { set: { "uploads[0].permissions": "0o644" }, message: "'0o644' doesn't match the pattern" },
            { set: { "uploads[0].permissions": "0648" }, message: "'0648' doesn't match the pattern" },
        ],
    },
    {
        id: "docker.container.uploadFile", type: "docker:index/container:Container", input: "uploads[i].file", verdict: "refused", stage: "plan",
        rule: "required", source: `${KW}/resource_docker_container.go resourceDockerContainer (upload.file Required)`,
        appliesTo: has("uploads[0]"),
        examples: [{ set: { "uploads[0].file": null }, message: 'The argument "upload.0.file" is required' }],
    },
    {
        id: "docker.container.uploadBase64", type: "docker:index/container:Container", input: "uploads[i].contentBase64", verdict: "refused", stage: "plan",
        rule: "standard, padded base64", source: `${KW}/validators.go validateStringIsBase64Encoded`,
        appliesTo: has("uploads[0]"),
        examples: [{ set: { "uploads[0].content": null, "uploads[0].contentBase64": "not base64" }, message: "'not base64' is not base64 decodeable" }],
    },
    {
        id: "docker.container.uploadNoSource", type: "docker:index/container:Container", input: "uploads[i]", verdict: "refused", stage: "create",
        rule: "one of content, content_base64, source", source: `${KW}/resource_docker_container_funcs.go resourceDockerContainerCreate`,
        appliesTo: has("uploads[0]"),
        examples: [{ set: { "uploads[0].content": null }, message: "error with upload content: one of 'content', 'content_base64', or 'source' must be set" }],
    },
    {
        id: "docker.container.uploadTwoSources", type: "docker:index/container:Container", input: "uploads[i]", verdict: "refused", stage: "create",
        rule: "only one of content, content_base64, source", source: `${KW}/resource_docker_container_funcs.go resourceDockerContainerCreate`,
        appliesTo: has("uploads[0]"),
        examples: [{ set: { "uploads[0].source": "/etc/hostname" }, message: "error with upload content: only one of 'content', 'content_base64', or 'source' can be set" }],
    },
    {
        id: "docker.container.healthcheckDuration", type: "docker:index/container:Container", input: "healthcheck.interval, timeout, startPeriod, startInterval", verdict: "refused", stage: "plan",
        rule: "a Go duration (time.ParseDuration), not negative", source: `${KW}/validators.go validateDurationGeq0`,
        appliesTo: has("healthcheck"),
        examples: [
            { set: { "healthcheck.interval": "10" }, message: "'10' is not a valid duration" },
            { set: { "healthcheck.timeout": "5 s" }, message: "'5 s' is not a valid duration" },
            { set: { "healthcheck.startPeriod": "-30s" }, message: "'-30s' duration must not be negative" },
            { set: { "healthcheck.startInterval": "1d" }, message: "'1d' is not a valid duration" },
        ],
    },
    {
        id: "docker.container.healthcheckRetries", type: "docker:index/container:Container", input: "healthcheck.retries", verdict: "refused", stage: "plan",
        rule: "at least 0", source: `${KW}/validators.go validateIntegerGeqThan(0)`,
        appliesTo: has("healthcheck"),
        examples: [{ set: { "healthcheck.retries": -1 }, message: "'-1' cannot be lower than 0" }],
    },
    {
        id: "docker.container.memory", type: "docker:index/container:Container", input: "memory, memoryReservation, shmSize, cpuShares (≥ 0), memorySwap (≥ -1)", verdict: "refused", stage: "plan",
        rule: "not below the provider's floor", source: `${KW}/validators.go validateIntegerGeqThan`,
        examples: [{ set: { memory: -1 }, message: "'-1' cannot be lower than 0" }, { set: { memorySwap: -2 }, message: "'-2' cannot be lower than -1" }],
    },
    {
        id: "docker.container.cpuSet", type: "docker:index/container:Container", input: "cpuSet", verdict: "refused", stage: "plan",
        rule: "a list or range of CPUs", source: `${KW}/resource_docker_container.go resourceDockerContainer (cpu_set): validateStringMatchesPattern`,
        examples: [{ set: { cpuSet: "0-" }, message: "'0-' doesn't match the pattern" }],
    },
    {
        id: "docker.container.volumePath", type: "docker:index/container:Container", input: "volumes[i].containerPath", verdict: "refused", stage: "plan",
        rule: "an absolute path", source: `${KW}/validators.go validateDockerContainerPath`,
        appliesTo: has("volumes[0]"),
        examples: [{ set: { "volumes[0].containerPath": "data" }, message: "'data' must be an absolute path" }],
    },
    {
        id: "docker.container.portIp", type: "docker:index/container:Container", input: "ports[i].ip", verdict: "refused", stage: "create",
        rule: "an IP address (the daemon binds published ports to an IP; its wording, not quoted here, varies by version)", source: "Docker Engine API ContainerCreate HostConfig.PortBindings[].HostIp; facts.md section 9",
        appliesTo: has("ports[0]"),
        examples: [{ set: { "ports[0].ip": "localhost" }, message: 'invalid IP address in port binding: "localhost"' }],
    },
    {
        id: "docker.container.waitWithoutHealthcheck", type: "docker:index/container:Container", input: "wait", verdict: "refused", stage: "create",
        rule: "`wait` needs a health state: a healthcheck, or an image with its own HEALTHCHECK", source: `${KW}/resource_docker_container_funcs.go resourceDockerContainerCreate (wait loop: State.Health == nil)`,
        appliesTo: (inputs) => !imageHasOwnHealthcheck(inputs),
        examples: [
            { set: { healthcheck: null, wait: true }, message: "you have supplied a 'wait' argument, but the container does not have a healthcheck defined" },
            { set: { "healthcheck.tests": ["NONE"], wait: true }, message: "you have supplied a 'wait' argument, but the container does not have a healthcheck defined" },
        ],
    },
    {
        id: "docker.container.waitOnImageHealthcheck", type: "docker:index/container:Container", input: "wait", verdict: "accepted", stage: "create",
        rule: "`wait` without a healthcheck works on an image with its own HEALTHCHECK (dragonflydb/dragonfly)", source: IMAGE_HEALTHCHECKS.map((h) => h.source).join("; "),
        appliesTo: imageHasOwnHealthcheck,
        examples: [{ set: { healthcheck: null, wait: true } }],
    },
    {
        id: "docker.container.waitDisabledImageHealthcheck", type: "docker:index/container:Container", input: "healthcheck.tests", verdict: "refused", stage: "create",
        rule: "a `NONE` test disables the image's HEALTHCHECK too, so `wait` has no health state", source: `${KW}/resource_docker_container_funcs.go resourceDockerContainerCreate; Docker HEALTHCHECK NONE`,
        appliesTo: imageHasOwnHealthcheck,
        examples: [{ set: { "healthcheck.tests": ["NONE"], wait: true }, message: "you have supplied a 'wait' argument, but the container does not have a healthcheck defined" }],
    },
    // aws: KMS
    {
        id: "aws.kms.deletionWindow", type: "aws:kms/key:Key", input: "deletionWindowInDays", verdict: "refused", stage: "plan",
        rule: "7 to 30 days", source: `${AWS}/service/kms/key.go@00a3530 resourceKey: validation.IntBetween(7, 30)`,
        examples: [{ set: { deletionWindowInDays: 6 }, message: "expected deletion_window_in_days to be in the range (7 - 30), got 6" }, { set: { deletionWindowInDays: 31 }, message: "got 31" }],
    },
    {
        id: "aws.kms.rotationPeriod", type: "aws:kms/key:Key", input: "rotationPeriodInDays", verdict: "refused", stage: "plan",
        rule: "90 to 2560 days", source: `${AWS}/service/kms/key.go@00a3530 resourceKey: validation.IntBetween(90, 2560)`,
        examples: [{ set: { rotationPeriodInDays: 89 }, message: "expected rotation_period_in_days to be in the range (90 - 2560), got 89" }, { set: { rotationPeriodInDays: 2561 }, message: "got 2561" }],
    },
    // aws: security groups
    {
        id: "aws.securityGroup.description", type: "aws:ec2/securityGroup:SecurityGroup", input: "description", verdict: "refused", stage: "plan",
        rule: "at most 255 characters", source: `${AWS}/service/ec2/vpc_security_group.go@0160692 resourceSecurityGroup: validation.StringLenBetween(0, 255)`,
        examples: [{ set: { description: "d".repeat(256) }, message: "expected length of description to be in the range (0 - 255)" }],
    },
    {
        id: "aws.securityGroup.descriptionCharacters", type: "aws:ec2/securityGroup:SecurityGroup", input: "description", verdict: "refused", stage: "create",
        rule: "EC2-VPC characters only: a-z A-Z 0-9 space ._-:/()#,@[]+=&;{}!$*", source: "EC2 API CreateSecurityGroup GroupDescription (Constraints for EC2-VPC); the provider checks only the length",
        examples: [{ set: { description: "cache – TLS clients" }, message: "for parameter GroupDescription is invalid" }, { set: { description: "cache <tls>" }, message: "GroupDescription is invalid" }],
    },
    {
        id: "aws.securityGroup.name", type: "aws:ec2/securityGroup:SecurityGroup", input: "name", verdict: "refused", stage: "plan",
        rule: "at most 255 characters, not beginning `sg-`", source: `${AWS}/service/ec2/vpc_security_group.go@0160692 resourceSecurityGroup: StringLenBetween(0, 255), StringDoesNotMatch(^sg-)`,
        examples: [{ set: { name: "sg-cache" }, message: "invalid value for name (cannot begin with sg-)" }, { set: { name: "n".repeat(256) }, message: "expected length of name to be in the range (0 - 255)" }],
    },
    {
        id: "aws.securityGroup.nameCharacters", type: "aws:ec2/securityGroup:SecurityGroup", input: "name", verdict: "refused", stage: "create",
        rule: "EC2-VPC characters only", source: "EC2 API CreateSecurityGroup GroupName (Constraints for EC2-VPC)",
        examples: [{ set: { name: "cache clients?" }, message: "for parameter GroupName is invalid" }],
    },
    {
        id: "aws.securityGroup.ruleDescription", type: "aws:ec2/securityGroup:SecurityGroup", input: "ingress[i].description", verdict: "refused", stage: "plan",
        rule: "at most 255 of a-z A-Z 0-9 space ._-:/()#,@[]+=&;{}!$*", source: `${AWS}/service/ec2/validate.go validSecurityGroupRuleDescription (search-index file id 2565656552)`,
        appliesTo: has("ingress[0]"),
        examples: [{ set: { "ingress[0].description": "clients <app>" }, message: "\"description\" doesn't comply with restrictions" }, { set: { "ingress[0].description": "x".repeat(256) }, message: '"description" cannot be longer than 255 characters' }],
    },
    {
        id: "aws.securityGroup.ruleCidr", type: "aws:ec2/securityGroup:SecurityGroup", input: "ingress[i].cidrBlocks[j]", verdict: "refused", stage: "plan",
        rule: "a CIDR in network form", source: `${AWS}/verify/validate.go ValidIPv4CIDRNetworkAddress (via vpc_security_group.go securityGroupRuleNestedBlock)`,
        appliesTo: has("ingress[0]"),
        examples: [{ set: { "ingress[0].cidrBlocks": ["10.1.2.3/16"] }, message: '"10.1.2.3/16" is not a valid CIDR block; did you mean "10.1.0.0/16"?' }],
    },
    {
        id: "aws.securityGroup.rulePorts", type: "aws:ec2/securityGroup:SecurityGroup", input: "ingress[i].fromPort, toPort, protocol", verdict: "refused", stage: "plan",
        rule: "required", source: `${AWS}/service/ec2/vpc_security_group.go@0160692 securityGroupRuleNestedBlock (Required)`,
        appliesTo: has("ingress[0]"),
        examples: [{ set: { "ingress[0].fromPort": null }, message: 'The argument "ingress.0.from_port" is required' }],
    },
    // aws: subnet groups
    {
        id: "aws.subnetGroup.subnetIds", type: "aws:elasticache/subnetGroup:SubnetGroup", input: "subnetIds", verdict: "refused", stage: "plan",
        rule: "required", source: `${AWS}/service/elasticache/subnet_group.go@01c0800 ResourceSubnetGroup (subnet_ids Required)`,
        examples: [{ set: { subnetIds: null }, message: 'The argument "subnet_ids" is required' }],
    },
    {
        id: "aws.subnetGroup.subnetIdsEmpty", type: "aws:elasticache/subnetGroup:SubnetGroup", input: "subnetIds", verdict: "refused", stage: "create",
        rule: "at least one subnet: the schema has no MinItems, the API refuses none", source: `ElastiCache API CreateCacheSubnetGroup (SubnetIds); ${AWS}/service/elasticache/subnet_group.go@01c0800 (no MinItems)`,
        examples: [{ set: { subnetIds: [] }, message: "a subnet group needs at least one subnet" }],
    },
    {
        id: "aws.rdsSubnetGroup.subnetIds", type: "aws:rds/subnetGroup:SubnetGroup", input: "subnetIds", verdict: "refused", stage: "plan",
        rule: "required", source: `${AWS}/service/rds/subnet_group.go@01c0800 ResourceSubnetGroup (subnet_ids Required)`,
        examples: [{ set: { subnetIds: null }, message: 'The argument "subnet_ids" is required' }],
    },
    {
        id: "aws.rdsSubnetGroup.subnetIdsEmpty", type: "aws:rds/subnetGroup:SubnetGroup", input: "subnetIds", verdict: "refused", stage: "create",
        rule: "at least one subnet: the schema has no MinItems, the API refuses none", source: `RDS API CreateDBSubnetGroup (SubnetIds); ${AWS}/service/rds/subnet_group.go@01c0800 (no MinItems)`,
        examples: [{ set: { subnetIds: [] }, message: "a subnet group needs at least one subnet" }],
    },
    {
        id: "aws.rdsSubnetGroup.name", type: "aws:rds/subnetGroup:SubnetGroup", input: "name", verdict: "refused", stage: "plan",
        rule: "lower-case letters, digits, `_ .-`, at most 255, not `default`", source: `${AWS}/service/rds/validate.go validSubnetGroupName (search-index file id 4557778453)`,
        examples: [{ set: { name: "DB-subnets" }, message: 'only lowercase alphanumeric characters, hyphens, underscores, periods, and spaces allowed in "name"' }, { set: { name: "Default" }, message: '"Default" is not allowed as "name"' }],
    },
    // aws: RDS parameter group
    {
        id: "aws.rdsParameterGroup.applyMethod", type: "aws:rds/parameterGroup:ParameterGroup", input: "parameters[i].applyMethod", verdict: "refused", stage: "plan",
        rule: "immediate or pending-reboot (any case)", source: `${AWS}/service/rds/parameter_group.go@0160692 resourceParameterGroup: enum.ValidateIgnoreCase[types.ApplyMethod]`,
        appliesTo: has("parameters[0]"),
        examples: [{ set: { "parameters[0].applyMethod": "now" }, message: 'expected parameter.0.apply_method to be one of ["immediate" "pending-reboot"], got now' }, { set: { "parameters[0].applyMethod": "pending_reboot" }, message: "got pending_reboot" }],
    },
    {
        id: "aws.rdsParameterGroup.applyMethodCase", type: "aws:rds/parameterGroup:ParameterGroup", input: "parameters[i].applyMethod", verdict: "accepted", stage: "create",
        rule: "the apply method's case is not checked", source: `${AWS}/service/rds/parameter_group.go@0160692 resourceParameterGroup: enum.ValidateIgnoreCase`,
        appliesTo: has("parameters[0]"),
        examples: [{ set: { "parameters[0].applyMethod": "Pending-Reboot" } }],
    },
    {
        id: "aws.rdsParameterGroup.name", type: "aws:rds/parameterGroup:ParameterGroup", input: "name", verdict: "refused", stage: "plan",
        rule: "lower-case letters, digits, `.` and single hyphens, starting with a letter, not ending with a hyphen, at most 255", source: `${AWS}/service/rds/validate.go validParamGroupName (search-index file id 4557778453)`,
        examples: [
            { set: { name: "DB-params" }, message: 'only lowercase alphanumeric characters, periods, and hyphens allowed in parameter group "name"' },
            { set: { name: "17-params" }, message: 'first character of parameter group "name" must be a letter' },
            { set: { name: "db--params" }, message: 'parameter group "name" cannot contain two consecutive hyphens' },
            { set: { name: "db-params-" }, message: 'parameter group "name" cannot end with a hyphen' },
        ],
    },
    {
        id: "aws.rdsParameterGroup.family", type: "aws:rds/parameterGroup:ParameterGroup", input: "family", verdict: "refused", stage: "plan",
        rule: "required", source: `${AWS}/service/rds/parameter_group.go@0160692 resourceParameterGroup (family Required)`,
        examples: [{ set: { family: null }, message: 'The argument "family" is required' }],
    },
    // aws: ElastiCache replication group
    {
        id: "aws.replicationGroup.description", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "description", verdict: "refused", stage: "plan",
        rule: "required, not empty", source: `${RG} resourceReplicationGroup: Required, validation.StringIsNotEmpty`,
        examples: [{ set: { description: "" }, message: 'expected "description" to not be an empty string' }, { set: { description: null }, message: 'The argument "description" is required' }],
    },
    {
        id: "aws.replicationGroup.engine", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "engine", verdict: "refused", stage: "plan",
        rule: "redis or valkey (any case)", source: `${RG} resourceReplicationGroup: validation.StringInSlice([redis valkey], true)`,
        examples: [{ set: { engine: "memcached" }, message: 'expected engine to be one of ["redis" "valkey"], got memcached' }],
    },
    {
        id: "aws.replicationGroup.engineCase", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "engine", verdict: "accepted", stage: "create",
        rule: "the engine's case is not checked (a deprecation warning only)", source: `${RG} resourceReplicationGroup: StringInSlice(..., true), verify.CaseInsensitiveMatchDeprecation`,
        examples: [{ set: { engine: "Valkey" } }],
    },
    {
        id: "aws.replicationGroup.engineVersion", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "engineVersion", verdict: "refused", stage: "plan",
        rule: "Redis ≤ 5: major.minor.patch; Redis ≥ 6: major.minor or 6.x; Valkey: major.minor", source: `${AWS}/service/elasticache/engine_version.go@0160692 validRedisVersionString, validValkeyVersionString (validation.Any in ${RG})`,
        examples: [
            { set: { engineVersion: "8.0.1" }, message: "engine_version: 8.0.1 is invalid. For Redis v6 or higher, use <major>.<minor>." },
            { set: { engineVersion: "5.0" }, message: "For Redis v5 or lower, use <major>.<minor>.<patch>." },
            { set: { engineVersion: "8" }, message: "For Valkey use <major>.<minor>." },
            { set: { engineVersion: "7.x" }, message: "engine_version: 7.x is invalid" },
        ],
    },
    {
        id: "aws.replicationGroup.engineVersionOtherEngine", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "engineVersion", verdict: "accepted", stage: "create",
        rule: "the format is not checked against the engine: a Redis-only 6.x or 5.0.6 passes for valkey (AWS refuses it)", source: `${RG} resourceReplicationGroup: validation.Any(validRedisVersionString, validValkeyVersionString)`,
        examples: [{ set: { engineVersion: "6.x" } }, { set: { engineVersion: "5.0.6" } }],
    },
    {
        id: "aws.replicationGroup.replicationGroupId", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "replicationGroupId", verdict: "refused", stage: "plan",
        rule: "1-40 letters, digits and single hyphens, starting with a letter, not ending with a hyphen", source: `${RG} validateReplicationGroupID`,
        examples: [
            { set: { replicationGroupId: "c".repeat(41) }, message: "expected length of replication_group_id to be in the range (1 - 40)" },
            { set: { replicationGroupId: "cache_group" }, message: "invalid value for replication_group_id (must contain only alphanumeric characters and hyphens)" },
            { set: { replicationGroupId: "1cache" }, message: "invalid value for replication_group_id (must begin with a letter)" },
            { set: { replicationGroupId: "cache--group" }, message: "invalid value for replication_group_id (cannot contain two consecutive hyphens)" },
            { set: { replicationGroupId: "cache-" }, message: "invalid value for replication_group_id (cannot end with a hyphen)" },
        ],
    },
    {
        id: "aws.replicationGroup.authToken", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "authToken", verdict: "refused", stage: "plan",
        rule: "16-128 characters, none of `@ \" /`", source: `${AWS}/service/elasticache/validate.go validReplicationGroupAuthToken`,
        appliesTo: has("authToken"),
        examples: [
            { set: { authToken: "fifteen-chars-x" }, message: '"auth_token" must contain from 16 to 128 alphanumeric characters or symbols (excluding @, ", and /)' },
            { set: { authToken: "a".repeat(129) }, message: '"auth_token" must contain from 16 to 128' },
            { set: { authToken: "token@with-an-at-sign" }, message: 'only alphanumeric characters or symbols (excluding @, ", and /) allowed in "auth_token"' },
            { set: { authToken: "token/with/slashes" }, message: 'allowed in "auth_token"' },
        ],
    },
    {
        id: "aws.replicationGroup.authTokenOtherCharacters", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "authToken", verdict: "accepted", stage: "create",
        rule: "other characters pass the provider (AWS allows only printable ASCII but `@ \" /`, and refuses spaces and `%` at create)", source: `${AWS}/service/elasticache/validate.go validReplicationGroupAuthToken`,
        appliesTo: has("authToken"),
        examples: [{ set: { authToken: "percent%percent%percent" } }, { set: { authToken: "space space space space" } }],
    },
    {
        id: "aws.replicationGroup.authTokenUpdateStrategy", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "authTokenUpdateStrategy", verdict: "refused", stage: "plan",
        rule: "SET, ROTATE or DELETE; SET and ROTATE need a token, DELETE takes none", source: `${RG} resourceReplicationGroup: enum.Validate[AuthTokenUpdateStrategyType]; CustomizeDiff authTokenUpdateStrategyValidate`,
        appliesTo: has("authTokenUpdateStrategy"),
        examples: [
            { set: { authTokenUpdateStrategy: "REPLACE" }, message: 'expected auth_token_update_strategy to be one of ["SET" "ROTATE" "DELETE"], got REPLACE' },
            { set: { authTokenUpdateStrategy: "DELETE" }, message: '"auth_token" must not be specified when "auth_token_update_strategy" is "DELETE"' },
            { set: { authToken: null }, message: '"auth_token_update_strategy": "auth_token" must be specified' },
        ],
    },
    {
        id: "aws.replicationGroup.authTokenWithUserGroups", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "authToken, userGroupIds", verdict: "refused", stage: "plan",
        rule: "a token or user groups, not both", source: `${RG} resourceReplicationGroup: ConflictsWith`,
        appliesTo: has("authToken"),
        examples: [{ set: { userGroupIds: ["app-users"] }, message: '"auth_token": conflicts with user_group_ids' }],
    },
    {
        id: "aws.replicationGroup.authTokenNeedsTransit", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "authToken, transitEncryptionEnabled", verdict: "refused", stage: "create",
        rule: "a token only with transit encryption", source: "ElastiCache API CreateReplicationGroup (AuthToken: TransitEncryptionEnabled must be true): InvalidParameterCombination",
        appliesTo: has("authToken"),
        examples: [{ set: { transitEncryptionEnabled: false }, message: "InvalidParameterCombination: AUTH token can be set only when transit encryption is enabled" }],
    },
    {
        id: "aws.replicationGroup.transitEncryptionMode", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "transitEncryptionMode", verdict: "refused", stage: "plan",
        rule: "preferred or required", source: `${RG} resourceReplicationGroup: enum.Validate[TransitEncryptionMode]`,
        examples: [{ set: { transitEncryptionMode: "Required" }, message: 'expected transit_encryption_mode to be one of ["preferred" "required"], got Required' }],
    },
    {
        id: "aws.replicationGroup.failover", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "multiAzEnabled, automaticFailoverEnabled, numCacheClusters", verdict: "refused", stage: "plan",
        rule: "Multi-AZ needs automatic failover; failover needs two cache clusters", source: `${RG} CustomizeDiff replicationGroupValidateMultiAZAutomaticFailover, replicationGroupValidateAutomaticFailoverNumCacheClusters`,
        appliesTo: (inputs) => inputs.multiAzEnabled === true,
        examples: [
            { set: { automaticFailoverEnabled: false }, message: "automatic_failover_enabled must be true if multi_az_enabled is true" },
            { set: { numCacheClusters: 1 }, message: '"num_cache_clusters": must be at least 2 if automatic_failover_enabled is true' },
        ],
    },
    {
        id: "aws.replicationGroup.numNodeGroups", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "numCacheClusters, numNodeGroups, replicasPerNodeGroup", verdict: "refused", stage: "plan",
        rule: "num_cache_clusters conflicts with num_node_groups and replicas_per_node_group; replicas 0-5", source: `${RG} resourceReplicationGroup: ConflictsWith, validation.IntBetween(0, 5)`,
        appliesTo: has("numCacheClusters"),
        examples: [{ set: { numNodeGroups: 2 }, message: '"num_cache_clusters": conflicts with num_node_groups' }, { set: { replicasPerNodeGroup: 6 }, message: "expected replicas_per_node_group to be in the range (0 - 5), got 6" }],
    },
    {
        id: "aws.replicationGroup.windows", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "maintenanceWindow, snapshotWindow", verdict: "refused", stage: "plan",
        rule: "ddd:hh24:mi-ddd:hh24:mi (any case) and hh24:mi-hh24:mi", source: `${AWS}/verify/validate.go ValidOnceAWeekWindowFormat, ValidOnceADayWindowFormat (search-index file id 189434783)`,
        examples: [
            { set: { maintenanceWindow: "sun:5:00-sun:06:00" }, message: '"maintenance_window" must satisfy the format of "ddd:hh24:mi-ddd:hh24:mi".' },
            { set: { maintenanceWindow: "sunday:05:00-sunday:06:00" }, message: '"maintenance_window" must satisfy the format' },
            { set: { snapshotWindow: "03:00" }, message: '"snapshot_window" must satisfy the format of "hh24:mi-hh24:mi".' },
            { set: { snapshotWindow: "24:00-01:00" }, message: '"snapshot_window" must satisfy the format' },
        ],
    },
    {
        id: "aws.replicationGroup.windowCase", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "maintenanceWindow", verdict: "accepted", stage: "create",
        rule: "the maintenance window's case is not checked (stored lower case)", source: `${AWS}/verify/validate.go ValidOnceAWeekWindowFormat (strings.ToLower)`,
        examples: [{ set: { maintenanceWindow: "SUN:05:00-SUN:06:00" } }],
    },
    {
        id: "aws.replicationGroup.snapshotRetentionLimit", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "snapshotRetentionLimit", verdict: "refused", stage: "plan",
        rule: "at most 35", source: `${RG} resourceReplicationGroup: validation.IntAtMost(35)`,
        examples: [{ set: { snapshotRetentionLimit: 36 }, message: "expected snapshot_retention_limit to be at most (35), got 36" }],
    },
    {
        id: "aws.replicationGroup.kmsKeyNeedsAtRest", type: "aws:elasticache/replicationGroup:ReplicationGroup", input: "kmsKeyId, atRestEncryptionEnabled", verdict: "refused", stage: "create",
        rule: "a KMS key only with at-rest encryption", source: "ElastiCache API CreateReplicationGroup (KmsKeyId): InvalidParameterCombination",
        appliesTo: has("kmsKeyId"),
        examples: [{ set: { atRestEncryptionEnabled: false }, message: "InvalidParameterCombination: kms_key_id can be specified only when at_rest_encryption_enabled = true" }],
    },
    // aws: RDS instance
    {
        id: "aws.rdsInstance.identifier", type: "aws:rds/instance:Instance", input: "identifier", verdict: "refused", stage: "plan",
        rule: "lower-case letters, digits and single hyphens, starting with a letter, not ending with a hyphen", source: `${AWS}/service/rds/validate.go validIdentifier (search-index file id 4557778453), via ${RDS_INSTANCE}`,
        examples: [
            { set: { identifier: "Db" }, message: 'only lowercase alphanumeric characters and hyphens allowed in "identifier"' },
            { set: { identifier: "1db" }, message: 'first character of "identifier" must be a letter' },
            { set: { identifier: "db--main" }, message: '"identifier" cannot contain two consecutive hyphens' },
            { set: { identifier: "db-" }, message: '"identifier" cannot end with a hyphen' },
        ],
    },
    {
        id: "aws.rdsInstance.finalSnapshotIdentifier", type: "aws:rds/instance:Instance", input: "finalSnapshotIdentifier", verdict: "refused", stage: "plan",
        rule: "letters, digits and single hyphens, starting with a letter, not ending with a hyphen", source: `${RDS_INSTANCE} (final_snapshot_identifier: validation.All of four StringMatch rules)`,
        examples: [
            { set: { finalSnapshotIdentifier: "db_final" }, message: "invalid value for final_snapshot_identifier (must only contain alphanumeric characters and hyphens)" },
            { set: { finalSnapshotIdentifier: "1-db-final" }, message: "invalid value for final_snapshot_identifier (must begin with alphabetic character)" },
            { set: { finalSnapshotIdentifier: "db--final" }, message: "invalid value for final_snapshot_identifier (cannot contain two consecutive hyphens)" },
            { set: { finalSnapshotIdentifier: "db-final-" }, message: "invalid value for final_snapshot_identifier (cannot end in a hyphen)" },
        ],
    },
    {
        id: "aws.rdsInstance.windows", type: "aws:rds/instance:Instance", input: "backupWindow, maintenanceWindow", verdict: "refused", stage: "plan",
        rule: "hh24:mi-hh24:mi and ddd:hh24:mi-ddd:hh24:mi", source: `${RDS_INSTANCE} (verify.ValidOnceADayWindowFormat, ValidOnceAWeekWindowFormat)`,
        examples: [
            { set: { backupWindow: "3:00-4:00" }, message: '"backup_window" must satisfy the format of "hh24:mi-hh24:mi".' },
            { set: { maintenanceWindow: "sun 05:00-sun 06:00" }, message: '"maintenance_window" must satisfy the format of "ddd:hh24:mi-ddd:hh24:mi".' },
        ],
    },
    {
        id: "aws.rdsInstance.backupRetentionPeriod", type: "aws:rds/instance:Instance", input: "backupRetentionPeriod", verdict: "refused", stage: "plan",
        rule: "0 to 35 days", source: `${RDS_INSTANCE} (validation.IntBetween(0, 35))`,
        examples: [{ set: { backupRetentionPeriod: 36 }, message: "expected backup_retention_period to be in the range (0 - 35), got 36" }],
    },
    {
        id: "aws.rdsInstance.monitoringInterval", type: "aws:rds/instance:Instance", input: "monitoringInterval", verdict: "refused", stage: "plan",
        rule: "0, 1, 5, 10, 15, 30 or 60", source: `${RDS_INSTANCE} (validation.IntInSlice)`,
        examples: [{ set: { monitoringInterval: 2 }, message: "expected monitoring_interval to be one of [0 1 5 10 15 30 60], got 2" }],
    },
    {
        id: "aws.rdsInstance.kmsKeyId", type: "aws:rds/instance:Instance", input: "kmsKeyId", verdict: "refused", stage: "plan",
        rule: "an ARN", source: `${RDS_INSTANCE} (kms_key_id: verify.ValidARN)`,
        examples: [{ set: { kmsKeyId: "alias/db" }, message: '"kms_key_id" (alias/db) is an invalid ARN' }],
    },
    {
        id: "aws.rdsInstance.password", type: "aws:rds/instance:Instance", input: "password, manageMasterUserPassword", verdict: "refused", stage: "plan",
        rule: "a password or a managed one, not both", source: `${RDS_INSTANCE} (password ConflictsWith manage_master_user_password)`,
        appliesTo: has("password"),
        examples: [{ set: { manageMasterUserPassword: true }, message: '"password": conflicts with manage_master_user_password' }],
    },
    {
        id: "aws.rdsInstance.instanceClass", type: "aws:rds/instance:Instance", input: "instanceClass", verdict: "refused", stage: "plan",
        rule: "required", source: `${RDS_INSTANCE} (instance_class Required)`,
        examples: [{ set: { instanceClass: null }, message: 'The argument "instance_class" is required' }],
    },
    {
        id: "aws.rdsInstance.kmsKeyNeedsEncryption", type: "aws:rds/instance:Instance", input: "kmsKeyId, storageEncrypted", verdict: "refused", stage: "create",
        rule: "a KMS key only on encrypted storage", source: "RDS API CreateDBInstance (KmsKeyId needs StorageEncrypted): InvalidParameterCombination",
        appliesTo: has("kmsKeyId"),
        examples: [{ set: { storageEncrypted: false }, message: "InvalidParameterCombination: a KMS key was given but storage_encrypted is not true" }],
    },
    // aws: Secrets Manager
    {
        id: "aws.secret.recoveryWindow", type: "aws:secretsmanager/secret:Secret", input: "recoveryWindowInDays", verdict: "refused", stage: "plan",
        rule: "0 (delete at once) or 7 to 30 days", source: `${AWS}/service/secretsmanager/secret.go resourceSecret (search-index file id 1615790899): validation.Any(IntBetween(7, 30), IntInSlice([0]))`,
        examples: [
            { set: { recoveryWindowInDays: 6 }, message: "expected recovery_window_in_days to be in the range (7 - 30), got 6" },
            { set: { recoveryWindowInDays: 31 }, message: "expected recovery_window_in_days to be one of [0], got 31" },
        ],
    },
    {
        id: "aws.secret.recoveryWindowZero", type: "aws:secretsmanager/secret:Secret", input: "recoveryWindowInDays", verdict: "accepted", stage: "create",
        rule: "0 deletes without recovery", source: `${AWS}/service/secretsmanager/secret.go resourceSecret: IntInSlice([0])`,
        examples: [{ set: { recoveryWindowInDays: 0 } }],
    },
    {
        id: "aws.secret.name", type: "aws:secretsmanager/secret:Secret", input: "name", verdict: "refused", stage: "plan",
        rule: "at most 512 of letters, digits and `/_+=.@-`", source: `${AWS}/service/secretsmanager/validate.go validSecretName (search-index file id 5612517889)`,
        examples: [
            { set: { name: "tls-platform/prod/cache db" }, message: 'only alphanumeric characters and /_+=.@- special characters are allowed in "name"' },
            { set: { name: "tls-platform:prod:cache" }, message: 'only alphanumeric characters and /_+=.@- special characters are allowed in "name"' },
            { set: { name: "n".repeat(513) }, message: '"name" cannot be greater than 512 characters' },
        ],
    },
    {
        id: "aws.secretVersion.secretId", type: "aws:secretsmanager/secretVersion:SecretVersion", input: "secretId", verdict: "refused", stage: "plan",
        rule: "required", source: `${AWS}/service/secretsmanager/secret_version.go@0042e8e resourceSecretVersion (secret_id Required)`,
        examples: [{ set: { secretId: null }, message: 'The argument "secret_id" is required' }],
    },
    // aws: IAM role policy
    {
        id: "aws.rolePolicy.policy", type: "aws:iam/rolePolicy:RolePolicy", input: "policy", verdict: "refused", stage: "plan",
        rule: "a JSON object, no leading space, at most 10240 characters", source: `${AWS}/service/iam/role_policy.go@02f97af resourceRolePolicy: verify.ValidIAMPolicyJSON (internal/verify/validate.go, search-index file id 711845942)`,
        examples: [
            { set: { policy: "" }, message: '"policy" is an empty string, which is not a valid JSON value' },
            { set: { policy: ' {"Version":"2012-10-17","Statement":[]}' }, message: '"policy" contains an invalid JSON policy: leading space characters are not allowed' },
            { set: { policy: '{"Version":"2012-10-17","Statement":[' }, message: '"policy" contains an invalid JSON:' },
            { set: { policy: '["not","an","object"]' }, message: '"policy" contains an invalid JSON policy' },
        ],
    },
    {
        id: "aws.rolePolicy.role", type: "aws:iam/rolePolicy:RolePolicy", input: "role", verdict: "refused", stage: "plan",
        rule: "the role's name (1-128), not its ARN", source: `${AWS}/service/iam/validate.go validRolePolicyRole (search-index file id 11121969147)`,
        examples: [{ set: { role: "arn:aws:iam::123456789012:role/app-role" }, message: `"role" must be the role's name not its ARN` }, { set: { role: "r".repeat(129) }, message: "expected length of role to be in the range (1 - 128)" }],
    },
    {
        id: "aws.rolePolicy.name", type: "aws:iam/rolePolicy:RolePolicy", input: "name", verdict: "refused", stage: "plan",
        rule: "1-128 of letters, digits and `_+=,.@-`", source: `${AWS}/service/iam/validate.go validResourceName(rolePolicyNameMaxLen) (search-index file id 11121969147)`,
        examples: [{ set: { name: "read secrets" }, message: "invalid value for name (must match [\\w+=,.@-])" }],
    },
    // Cluster mode, RBAC, read replicas (rules-scaling.ts).
    ...SCALING_RULES,
    ...COMMAND_RULES,
];

/** The value at `path` (`a.b[0].c`) in `inputs`, or undefined. */
export function getPath(inputs: unknown, path: string): unknown {
    return pathParts(path).reduce<unknown>((v, part) => (v === undefined || v === null ? undefined : (v as Record<string | number, unknown>)[part]), inputs);
}

function pathParts(path: string): Array<string | number> {
    return path.split(/\.|\[(\d+)\]/).filter((p) => p !== undefined && p !== "").map((p) => (/^\d+$/.test(p) ? Number(p) : p));
}

/** `inputs` with each path of `set` set to its value (`null` unsets), copied, never mutated. */
export function applyExample(inputs: Inputs, set: Readonly<Record<string, unknown>>): Inputs {
    const copy = structuredClone(inputs) as Inputs;
    for (const [path, value] of Object.entries(set)) {
        const parts = pathParts(path);
        let target: any = copy;
        for (const [i, part] of parts.slice(0, -1).entries()) {
            if (target[part] === undefined || target[part] === null) target[part] = typeof parts[i + 1] === "number" ? [] : {};
            target = target[part];
        }
        const last = parts[parts.length - 1]!;
        if (value === null) {
            if (Array.isArray(target)) target[last as number] = undefined;
            else delete target[last];
        } else {
            target[last] = structuredClone(value);
        }
    }
    return copy;
}
