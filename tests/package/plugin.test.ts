import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, valueOf, type ProviderEmulator } from "../emulator";

// The components as a Pulumi component package (plugin/), from this repository's source: the schema
// Python, Go and C# SDKs are generated from, derived by the Pulumi SDK from the components' own
// TypeScript types, and a component constructed through the provider the way the engine does for
// another language. build.test.ts starts the same folder from an installed tarball, over gRPC.

const PLUGIN_DIR = path.resolve(__dirname, "../../plugin");
let emulator: ProviderEmulator;
let schema: {
    name: string;
    resources: Record<string, { isComponent: boolean; inputProperties: Record<string, { type?: string; $ref?: string; secret?: boolean }>; requiredInputs?: string[]; properties: Record<string, unknown> }>;
    types: Record<string, unknown>;
};
let provider: import("@pulumi/pulumi/provider/experimental").ComponentProvider;

beforeAll(async () => {
    emulator = await installEmulator({ stack: "dev" });
    const { ComponentProvider, getPulumiComponents } = await import("@pulumi/pulumi/provider/experimental");
    // What @pulumi/pulumi/cmd/run-plugin does with plugin/: host the component classes its entry
    // module exports, with the folder as `dirname` (the schema analyzer reads it from there).
    const entry = await import("../../plugin");
    provider = new ComponentProvider({ components: getPulumiComponents(entry), name: "tls-platform", dirname: PLUGIN_DIR });
    schema = JSON.parse(await provider.getSchema());
}, 60_000);

describe("component package schema", () => {
    it("offers every component, as a component resource", () => {
        expect(Object.keys(schema.resources).sort()).toEqual(
            ["CertificateAuthority", "Certificate", "DragonflyCache", "ElastiCacheCache", "NginxProxy", "PostgresDatabase", "RdsPostgres", "SecretsManagerSink"].map((n) => `tls-platform:index:${n}`).sort(),
        );
        for (const resource of Object.values(schema.resources)) {
            expect(resource.isComponent).toBe(true);
        }
    });

    it("describes the arguments with plain types that other languages can express", () => {
        const ca = schema.resources["tls-platform:index:CertificateAuthority"]!;
        expect(ca.requiredInputs).toEqual(["commonName"]);
        expect(ca.inputProperties.commonName).toMatchObject({ type: "string" });
        expect(ca.inputProperties.validityDays).toMatchObject({ type: "number" });
        expect(ca.inputProperties.keyAlgorithm).toMatchObject({ type: "string" });
        const cert = schema.resources["tls-platform:index:Certificate"]!;
        expect(cert.requiredInputs).toEqual(expect.arrayContaining(["ca", "commonName"]));
        expect(cert.inputProperties.dnsNames).toMatchObject({ type: "array" });
        expect(Object.keys(schema.resources["tls-platform:index:DragonflyCache"]!.properties)).toEqual(expect.arrayContaining(["connection", "password"]));
    });
});

describe("constructing through the provider", () => {
    it("builds a CertificateAuthority from plain inputs, as a Python program's request would", async () => {
        const result = await provider.construct("py-ca", "tls-platform:index:CertificateAuthority", { commonName: "from python" }, {});
        expect(await valueOf(result.urn as unknown as import("@pulumi/pulumi").Output<string>)).toMatch(/tls-platform:index:CertificateAuthority::py-ca$/);
        const certPem = await valueOf(result.state.certPem as import("@pulumi/pulumi").Output<string>);
        expect(certPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
        expect(emulator.get("tls:index/privateKey:PrivateKey", "py-ca-key").inputs).toEqual({ algorithm: "ECDSA", ecdsaCurve: "P256" });
    });
});
