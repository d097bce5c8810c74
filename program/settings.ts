import * as pulumi from "@pulumi/pulumi";
import {
    CertificateAuthorityArgs,
    DEFAULT_CA_EARLY_RENEWAL_DAYS,
    DEFAULT_CA_VALIDITY_DAYS,
    DEFAULT_LEAF_EARLY_RENEWAL_DAYS,
    DEFAULT_LEAF_VALIDITY_DAYS,
    KeyArgs,
    parseMemoryLimit,
} from "../components";
import { Problem, formatProblems, show } from "../components/shared/problems";

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
export type TlsVersion = (typeof TLS_VERSIONS)[number];

/** Defaults of the keys whose defaults are the program's own (the rest are the components'). */
export const PROGRAM_DEFAULTS = {
    keyType: "ECDSA-P256",
    appName: "app",
    platform: "docker" as Platform,
    cacheMaxMemory: "1gb",
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
};

/** The stack's settings, read from its config (`Pulumi.<stack>.yaml`) with the defaults of Pulumi.yaml. */
export interface Settings {
    readonly platform: Platform;
    readonly ca: CertificateAuthorityArgs;
    readonly key: KeyArgs;
    readonly leafValidityDays: number;
    readonly leafEarlyRenewalDays: number;
    readonly appName: string;
    readonly docker: {
        readonly cache: { readonly maxMemory: string; readonly mutualTls: boolean; readonly hostPort: number };
        readonly database: { readonly mutualTls: boolean; readonly minTlsVersion: TlsVersion; readonly hostPort: number };
        readonly proxy: { readonly mutualTls: boolean; readonly minTlsVersion: TlsVersion; readonly upstreamUrl: string; readonly hostPort: number; readonly httpHostPort: number };
    };
}

/** What the program needs of `pulumi.Config`: the typed getters, which throw on a malformed value. */
type ConfigReader = Pick<pulumi.Config, "get" | "getNumber" | "getBoolean" | "name">;

/**
 * Reads every config key once and reports every bad value in one error, naming each key, before
 * anything is created. Component arguments are checked again by the components themselves.
 */
export function readSettings(config: ConfigReader, stack: string): Settings {
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
    try {
        parseMemoryLimit(cacheMaxMemory);
    } catch (e) {
        problems.push({ path: key("cacheMaxMemory"), message: `\`${key("cacheMaxMemory")}\`: ${(e as Error).message.replace(/^`maxMemory`: /, "")}` });
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
    if (problems.length > 0) {
        throw new pulumi.RunError(formatProblems(`stack "${stack}" config`, problems));
    }

    const keyArgs = KEY_TYPES[keyType]!;
    return {
        platform,
        ca: {
            commonName: config.get("caCommonName") || `tls-platform ${stack} CA`,
            organization: "tls-platform",
            validityDays: config.getNumber("caValidityDays") ?? DEFAULT_CA_VALIDITY_DAYS,
            earlyRenewalDays: config.getNumber("caEarlyRenewalDays") ?? DEFAULT_CA_EARLY_RENEWAL_DAYS,
            ...keyArgs,
        },
        key: keyArgs,
        leafValidityDays: config.getNumber("leafValidityDays") ?? DEFAULT_LEAF_VALIDITY_DAYS,
        leafEarlyRenewalDays: config.getNumber("leafEarlyRenewalDays") ?? DEFAULT_LEAF_EARLY_RENEWAL_DAYS,
        appName,
        docker: {
            cache: { maxMemory: cacheMaxMemory, mutualTls: config.getBoolean("cacheMutualTls") ?? PROGRAM_DEFAULTS.cacheMutualTls, hostPort: hostPorts.cacheHostPort },
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
