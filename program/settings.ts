import * as pulumi from "@pulumi/pulumi";
import {
    CertificateAuthorityArgs,
    DEFAULT_CA_EARLY_RENEWAL_DAYS,
    DEFAULT_CA_GENERATIONS,
    DEFAULT_CA_VALIDITY_DAYS,
    DEFAULT_LEAF_EARLY_RENEWAL_DAYS,
    DEFAULT_LEAF_VALIDITY_DAYS,
    FIRST_CA_GENERATION,
    KeyArgs,
    validateDragonflyInput,
    validateSecretsManagerSinkArgs,
} from "../components";
import { Problem, formatProblems, show } from "../components/shared/problems";
import { caGenerationProblems, scaleOutProblems } from "./componentChecks";

/** `keyType` values and the component key arguments each stands for. */
export const KEY_TYPES: Record<string, KeyArgs> = {
    "ECDSA-P256": { keyAlgorithm: "ECDSA", ecdsaCurve: "P256" },
    "ECDSA-P384": { keyAlgorithm: "ECDSA", ecdsaCurve: "P384" },
    "RSA-2048": { keyAlgorithm: "RSA", rsaBits: 2048 },
    "RSA-3072": { keyAlgorithm: "RSA", rsaBits: 3072 },
    "RSA-4096": { keyAlgorithm: "RSA", rsaBits: 4096 },
};
export const PLATFORMS = ["docker", "aws"] as const;
export type Platform = (typeof PLATFORMS)[number];
export const TLS_VERSIONS = ["TLSv1.2", "TLSv1.3"] as const;
export const SECRETS_SINKS = ["stack-outputs", "aws-secrets-manager"] as const;
export type SecretsSink = (typeof SECRETS_SINKS)[number];
export const CACHE_ENGINES = ["valkey", "redis"] as const;
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** Defaults of the keys whose defaults are the program's own (the rest are the components'). */
export const PROGRAM_DEFAULTS = {
    keyType: "ECDSA-P256",
    appName: "app",
    platform: "docker" as Platform,
    cacheMaxMemory: "1gb",
    cacheProactorThreads: 1,
    cacheMutualTls: false,
    cacheHostPort: 6380,
    databaseMutualTls: true,
    databaseMinTlsVersion: "TLSv1.2" as TlsVersion,
    databaseHostPort: 5433,
    proxyMutualTls: false,
    proxyMinTlsVersion: "TLSv1.2" as TlsVersion,
    proxyUpstreamUrl: "http://host.docker.internal:3000",
    proxyHostPort: 8443,
    proxyHttpHostPort: 8080,
    secretsSink: "stack-outputs" as SecretsSink,
    secretsRecoveryWindowDays: 30,
    secretsManagerEndpoint: "",
    appRoleName: "",
    vpcId: "",
    subnetIds: [] as string[],
    allowedSecurityGroupIds: [] as string[],
    allowedCidrs: [] as string[],
    allowPublicCidrs: false,
    cacheEngine: "valkey" as (typeof CACHE_ENGINES)[number],
    cacheNodeType: "cache.t4g.small",
    cacheNodes: 2,
    cacheClusterMode: false,
    cacheShards: 2,
    cacheReplicasPerShard: 1,
    cacheRbac: false,
    rdsEnabled: false,
    rdsInstanceClass: "db.t4g.small",
    rdsCaBundleFile: "",
    rdsMultiAz: false,
    rdsReadReplicas: 0,
};

/** The stack's settings, read from its config (`Pulumi.<stack>.yaml`) with the defaults of Pulumi.yaml. */
export interface Settings {
    readonly platform: Platform;
    readonly secrets: { readonly sink: SecretsSink; readonly recoveryWindowDays: number; readonly endpoint?: string; readonly appRoleName?: string; readonly region?: string };
    readonly aws: {
        readonly region: string;
        readonly vpcId: string;
        readonly subnetIds: string[];
        readonly allowedSecurityGroupIds: string[];
        readonly allowedCidrs: string[];
        readonly allowPublicCidrs: boolean;
        readonly cache: {
            readonly engine: (typeof CACHE_ENGINES)[number];
            readonly nodeType: string;
            readonly nodes: number;
            /** Cluster mode: `shards` node groups of a primary and `replicasPerShard` replicas; `nodes` is then unused. */
            readonly clusterMode: boolean;
            readonly shards: number;
            readonly replicasPerShard: number;
            /** RBAC: an ElastiCache user named `appName` instead of the AUTH token. */
            readonly rbac: boolean;
        };
        readonly rds: { readonly enabled: boolean; readonly instanceClass: string; readonly caBundleFile: string; readonly multiAz: boolean; readonly readReplicas: number };
    };
    readonly ca: CertificateAuthorityArgs;
    readonly key: KeyArgs;
    readonly leafValidityDays: number;
    readonly leafEarlyRenewalDays: number;
    readonly appName: string;
    readonly docker: {
        readonly cache: { readonly maxMemory: string; readonly proactorThreads: number; readonly mutualTls: boolean; readonly hostPort: number };
        readonly database: { readonly mutualTls: boolean; readonly minTlsVersion: TlsVersion; readonly hostPort: number };
        readonly proxy: { readonly mutualTls: boolean; readonly minTlsVersion: TlsVersion; readonly upstreamUrl: string; readonly hostPort: number; readonly httpHostPort: number };
    };
}

/** What the program needs of `pulumi.Config`: the typed getters, which throw on a malformed value. */
export type ConfigReader = Pick<pulumi.Config, "get" | "getNumber" | "getBoolean" | "getObject" | "name">;

/**
 * Reads every config key once and reports every bad value in one error, naming each key, before
 * anything is created. Component arguments are checked again by the components themselves.
 */
export function readSettings(config: ConfigReader, stack: string, awsRegion?: string): Settings {
    const problems: Problem[] = [];
    const key = (name: string) => `${config.name}:${name}`;
    const oneOf = <T extends string>(name: string, allowed: readonly T[], fallback: T): T => {
        const value = config.get(name) ?? fallback;
        if (!(allowed as readonly string[]).includes(value)) {
            problems.push({
                path: key(name),
                message: `\`${key(name)}\`: ${show(value)} is not allowed; use one of ${allowed.map((a) => `\`${a}\``).join(", ")}, e.g. \`pulumi config set ${name} ${fallback}\`.`,
            });
        }
        return value as T;
    };
    const port = (name: string, fallback: number): number => {
        const value = config.getNumber(name) ?? fallback;
        if (!Number.isInteger(value) || value < 1 || value > 65535) {
            problems.push({ path: key(name), message: `\`${key(name)}\`: ${show(value)} is out of range; use a port from 1 to 65535, e.g. \`pulumi config set ${name} ${fallback}\`.` });
        }
        return value;
    };

    const keyType = oneOf("keyType", Object.keys(KEY_TYPES), PROGRAM_DEFAULTS.keyType);
    const platform = oneOf("platform", PLATFORMS, PROGRAM_DEFAULTS.platform);
    const appName = config.get("appName") ?? PROGRAM_DEFAULTS.appName;
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(appName)) {
        problems.push({
            path: key("appName"),
            message: `\`${key("appName")}\`: ${show(appName)} is not usable as a client certificate name and database user; use lower-case letters, digits and underscores, starting with a letter (e.g. \`app\`).`,
        });
    }
    const cacheMaxMemory = config.get("cacheMaxMemory") ?? PROGRAM_DEFAULTS.cacheMaxMemory;
    const cacheProactorThreads = config.getNumber("cacheProactorThreads") ?? PROGRAM_DEFAULTS.cacheProactorThreads;
    // The cache's own memory and thread checks (256mb per thread), worded with the config keys.
    const cacheKeys: Record<string, string> = { maxMemory: key("cacheMaxMemory"), proactorThreads: key("cacheProactorThreads") };
    for (const problem of validateDragonflyInput({ maxMemory: cacheMaxMemory, proactorThreads: cacheProactorThreads })) {
        const message = problem.message.replace(/`(maxMemory|proactorThreads)`/g, (_match, arg: string) => `\`${cacheKeys[arg]}\``);
        problems.push({ path: cacheKeys[problem.path] ?? problem.path, message });
    }
    const proxyUpstreamUrl = config.get("proxyUpstreamUrl") ?? PROGRAM_DEFAULTS.proxyUpstreamUrl;
    if (!URL.canParse(proxyUpstreamUrl) || new URL(proxyUpstreamUrl).protocol !== "http:") {
        problems.push({
            path: key("proxyUpstreamUrl"),
            message: `\`${key("proxyUpstreamUrl")}\`: ${show(proxyUpstreamUrl)} is not an http://host:port URL; use e.g. \`${PROGRAM_DEFAULTS.proxyUpstreamUrl}\`.`,
        });
    }
    const hostPorts = {
        cacheHostPort: port("cacheHostPort", PROGRAM_DEFAULTS.cacheHostPort),
        databaseHostPort: port("databaseHostPort", PROGRAM_DEFAULTS.databaseHostPort),
        proxyHostPort: port("proxyHostPort", PROGRAM_DEFAULTS.proxyHostPort),
        proxyHttpHostPort: port("proxyHttpHostPort", PROGRAM_DEFAULTS.proxyHttpHostPort),
    };
    const owners = new Map<number, string>();
    for (const [name, value] of Object.entries(hostPorts)) {
        const other = owners.get(value);
        if (other !== undefined) {
            problems.push({ path: key(name), message: `\`${key(name)}\`: ${value} is also \`${key(other)}\`; every service needs a host port of its own, e.g. \`pulumi config set ${name} ${value + 1}\`.` });
        }
        owners.set(value, name);
    }
    const databaseMinTlsVersion = oneOf("databaseMinTlsVersion", TLS_VERSIONS, PROGRAM_DEFAULTS.databaseMinTlsVersion);
    const proxyMinTlsVersion = oneOf("proxyMinTlsVersion", TLS_VERSIONS, PROGRAM_DEFAULTS.proxyMinTlsVersion);
    const secretsSink = oneOf("secretsSink", SECRETS_SINKS, PROGRAM_DEFAULTS.secretsSink);
    const secretsManagerEndpoint = config.get("secretsManagerEndpoint") || undefined;
    const recoveryWindowDays = config.getNumber("secretsRecoveryWindowDays") ?? PROGRAM_DEFAULTS.secretsRecoveryWindowDays;
    if (secretsSink === "aws-secrets-manager") {
        // Checked here too, so that nothing (the services before the sink) is created first.
        for (const problem of validateSecretsManagerSinkArgs({ pathPrefix: "x", recoveryWindowInDays: recoveryWindowDays })) {
            problems.push({ path: key("secretsRecoveryWindowDays"), message: problem.message.replace("`recoveryWindowInDays`", `\`${key("secretsRecoveryWindowDays")}\``) });
        }
    }
    const appRoleName = config.get("appRoleName") || undefined;
    if (secretsSink === "aws-secrets-manager" && secretsManagerEndpoint && appRoleName) {
        // The sink refuses it too; here, so that nothing (the services before the sink) is created first.
        problems.push({
            path: key("appRoleName"),
            message: `\`${key("appRoleName")}\`: ${show(appRoleName)} is set together with \`${key("secretsManagerEndpoint")}\` ${show(secretsManagerEndpoint)}; only Secrets Manager and KMS go to that endpoint, so the role policy would be written to real IAM, granting secrets that exist only in the emulator; run \`pulumi config rm appRoleName\` on this stack, or remove secretsManagerEndpoint to use AWS.`,
        });
    }
    const cacheEngine = oneOf("cacheEngine", CACHE_ENGINES, PROGRAM_DEFAULTS.cacheEngine);
    const list = (name: string) => config.getObject<string[]>(name) ?? [];
    const aws = {
        region: awsRegion ?? "",
        vpcId: config.get("vpcId") ?? PROGRAM_DEFAULTS.vpcId,
        subnetIds: list("subnetIds"),
        allowedSecurityGroupIds: list("allowedSecurityGroupIds"),
        allowedCidrs: list("allowedCidrs"),
        allowPublicCidrs: config.getBoolean("allowPublicCidrs") ?? PROGRAM_DEFAULTS.allowPublicCidrs,
        cache: {
            engine: cacheEngine,
            nodeType: config.get("cacheNodeType") ?? PROGRAM_DEFAULTS.cacheNodeType,
            nodes: config.getNumber("cacheNodes") ?? PROGRAM_DEFAULTS.cacheNodes,
            clusterMode: config.getBoolean("cacheClusterMode") ?? PROGRAM_DEFAULTS.cacheClusterMode,
            shards: config.getNumber("cacheShards") ?? PROGRAM_DEFAULTS.cacheShards,
            replicasPerShard: config.getNumber("cacheReplicasPerShard") ?? PROGRAM_DEFAULTS.cacheReplicasPerShard,
            rbac: config.getBoolean("cacheRbac") ?? PROGRAM_DEFAULTS.cacheRbac,
        },
        rds: {
            enabled: config.getBoolean("rdsEnabled") ?? PROGRAM_DEFAULTS.rdsEnabled,
            instanceClass: config.get("rdsInstanceClass") ?? PROGRAM_DEFAULTS.rdsInstanceClass,
            caBundleFile: config.get("rdsCaBundleFile") ?? PROGRAM_DEFAULTS.rdsCaBundleFile,
            multiAz: config.getBoolean("rdsMultiAz") ?? PROGRAM_DEFAULTS.rdsMultiAz,
            readReplicas: config.getNumber("rdsReadReplicas") ?? PROGRAM_DEFAULTS.rdsReadReplicas,
        },
    };
    if (platform === "aws") {
        problems.push(...scaleOutProblems(aws, appName, key));
    }
    // The keys a prod stack cannot guess: listed together, each with an example, while any is missing.
    const required: Array<[string, boolean, string]> = [];
    if (platform === "aws") {
        required.push(
            ["aws:region", aws.region === "", "pulumi config set aws:region eu-west-1"],
            [key("vpcId"), aws.vpcId === "", "pulumi config set vpcId vpc-0123456789abcdef0"],
            [key("subnetIds"), aws.subnetIds.length === 0, "pulumi config set --path 'subnetIds[0]' subnet-0123456789abcdef0 (one per availability zone)"],
            [
                key("allowedSecurityGroupIds"),
                aws.allowedSecurityGroupIds.length === 0 && aws.allowedCidrs.length === 0,
                "pulumi config set --path 'allowedSecurityGroupIds[0]' sg-0123456789abcdef0 (your application's security group; or allowedCidrs)",
            ],
        );
        if (aws.rds.enabled) {
            required.push([key("rdsCaBundleFile"), aws.rds.caBundleFile === "", "pulumi config set rdsCaBundleFile ./global-bundle.pem (https://truststore.pki.rds.amazonaws.com/global/global-bundle.pem)"]);
        }
    }
    if (secretsSink === "aws-secrets-manager" && platform === "docker" && !secretsManagerEndpoint && aws.region === "") {
        required.push(["aws:region", true, "pulumi config set aws:region eu-west-1 (or secretsManagerEndpoint for a local emulator)"]);
    }
    for (const [name, missing, example] of required) {
        if (missing) {
            problems.push({ path: name, message: `\`${name}\` is not set; set it with \`${example}\`.` });
        }
    }
    problems.push(...caGenerationProblems(config, key));
    if (problems.length > 0) {
        throw new pulumi.RunError(formatProblems(`stack "${stack}" config`, problems));
    }

    const keyArgs = KEY_TYPES[keyType]!;
    return {
        platform,
        secrets: {
            sink: secretsSink,
            recoveryWindowDays,
            endpoint: secretsManagerEndpoint,
            appRoleName,
            region: aws.region || undefined,
        },
        aws,
        ca: {
            commonName: config.get("caCommonName") || `tls-platform ${stack} CA`,
            organization: "tls-platform",
            validityDays: config.getNumber("caValidityDays") ?? DEFAULT_CA_VALIDITY_DAYS,
            earlyRenewalDays: config.getNumber("caEarlyRenewalDays") ?? DEFAULT_CA_EARLY_RENEWAL_DAYS,
            // README "CA key rollover"; the component checks both (validateGenerations) before creating anything.
            generations: config.getObject<number[]>("caGenerations") ?? [...DEFAULT_CA_GENERATIONS],
            issuingGeneration: config.getNumber("caIssuingGeneration") ?? FIRST_CA_GENERATION,
            ...keyArgs,
        },
        key: keyArgs,
        leafValidityDays: config.getNumber("leafValidityDays") ?? DEFAULT_LEAF_VALIDITY_DAYS,
        leafEarlyRenewalDays: config.getNumber("leafEarlyRenewalDays") ?? DEFAULT_LEAF_EARLY_RENEWAL_DAYS,
        appName,
        docker: {
            cache: { maxMemory: cacheMaxMemory, proactorThreads: cacheProactorThreads, mutualTls: config.getBoolean("cacheMutualTls") ?? PROGRAM_DEFAULTS.cacheMutualTls, hostPort: hostPorts.cacheHostPort },
            database: {
                mutualTls: config.getBoolean("databaseMutualTls") ?? PROGRAM_DEFAULTS.databaseMutualTls,
                minTlsVersion: databaseMinTlsVersion,
                hostPort: hostPorts.databaseHostPort,
            },
            proxy: {
                mutualTls: config.getBoolean("proxyMutualTls") ?? PROGRAM_DEFAULTS.proxyMutualTls,
                minTlsVersion: proxyMinTlsVersion,
                upstreamUrl: proxyUpstreamUrl,
                hostPort: hostPorts.proxyHostPort,
                httpHostPort: hostPorts.proxyHttpHostPort,
            },
        },
    };
}
