import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse } from "yaml";

export const ROOT = path.resolve(__dirname, "../..");

interface ProjectFile {
    name: string;
    config: Record<string, { type: string; description: string; default: unknown }>;
}

export function readProject(): ProjectFile {
    return parse(fs.readFileSync(path.join(ROOT, "Pulumi.yaml"), "utf8"));
}

/**
 * The config the Pulumi CLI would hand the program for `stack`: Pulumi.yaml's defaults under the
 * stack file's values, as `project:key` → string, the form `pulumi.runtime.setAllConfig` takes.
 */
export function stackConfig(stack: string, overrides: Record<string, string> = {}): Record<string, string> {
    const project = readProject();
    const config: Record<string, string> = {};
    for (const [key, schema] of Object.entries(project.config)) {
        // A key without a default is unset, as the engine leaves it (caGenerations), not the text "undefined".
        if (schema.default === undefined) continue;
        config[`${project.name}:${key}`] = typeof schema.default === "object" ? JSON.stringify(schema.default) : String(schema.default);
    }
    const stackFile = parse(fs.readFileSync(path.join(ROOT, `Pulumi.${stack}.yaml`), "utf8")) as { config?: Record<string, unknown> };
    for (const [key, value] of Object.entries(stackFile.config ?? {})) {
        config[key] = typeof value === "object" ? JSON.stringify(value) : String(value);
    }
    for (const [key, value] of Object.entries(overrides)) {
        config[key.includes(":") ? key : `${project.name}:${key}`] = value;
    }
    return config;
}

/** Every key of a connection document, `tls.*` spelled out: the same in every environment. */
export const CONNECTION_DOCUMENT_KEYS = [
    "database", "host", "password", "port", "reader", "schemaVersion", "service", "topology", "url", "username",
    "tls.ca", "tls.clientCertificate", "tls.minVersion", "tls.serverName",
].sort();

export function documentKeys(document: Record<string, unknown>): string[] {
    return Object.entries(document)
        .flatMap(([k, v]) => (k === "tls" ? Object.keys(v as object).map((t) => `tls.${t}`) : [k]))
        .sort();
}

/**
 * The prod keys that have no default, filled in (RDS included), as a team would before its first
 * `pulumi up`. The RDS CA bundle is a stand-in: the program only ships it in the document.
 */
export function filledProdConfig(): { overrides: Record<string, string>; rdsCaBundlePem: string } {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "rds-bundle-"));
    const bundle = path.join(dir, "global-bundle.pem");
    execFileSync("openssl", ["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-subj", "/CN=stand-in RDS CA", "-days", "1", "-keyout", path.join(dir, "k"), "-out", bundle], { stdio: "ignore" });
    return {
        overrides: {
            "aws:region": "eu-west-1",
            vpcId: "vpc-0a1b2c3d4e5f60718",
            subnetIds: JSON.stringify(["subnet-0a1b2c3d4e5f60718", "subnet-0f1e2d3c4b5a69788"]),
            allowedSecurityGroupIds: JSON.stringify(["sg-0a1b2c3d4e5f60718"]),
            rdsEnabled: "true",
            rdsCaBundleFile: bundle,
            appRoleName: "app-role",
        },
        rdsCaBundlePem: fs.readFileSync(bundle, "utf8"),
    };
}

/** The filled prod keys plus every scale-out key: a sharded cache with an RBAC user, a Multi-AZ database with two replicas. */
export function scaledProdConfig(): { overrides: Record<string, string>; rdsCaBundlePem: string } {
    const filled = filledProdConfig();
    return {
        ...filled,
        overrides: { ...filled.overrides, cacheClusterMode: "true", cacheShards: "3", cacheReplicasPerShard: "1", cacheRbac: "true", rdsMultiAz: "true", rdsReadReplicas: "2" },
    };
}
