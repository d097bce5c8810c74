import * as fs from "node:fs";
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
    "database", "host", "password", "port", "schemaVersion", "service", "url", "username",
    "tls.ca", "tls.clientCertificate", "tls.minVersion", "tls.serverName",
].sort();

export function documentKeys(document: Record<string, unknown>): string[] {
    return Object.entries(document)
        .flatMap(([k, v]) => (k === "tls" ? Object.keys(v as object).map((t) => `tls.${t}`) : [k]))
        .sort();
}
