import { beforeAll, describe, expect, it } from "vitest";
import { dataService } from "../../policy/rules/docker";
import type { ProviderEmulator } from "../emulator";
import { runPack, stackResources, urnOf } from "./harness";
import { asAnalyzed, runProgram } from "./program";

// The project must pass its own policy: the dev program, as `pulumi preview --stack dev --policy-pack
// ./policy` would analyze it, with every resource the emulator saw registered.
let emulator: ProviderEmulator;

beforeAll(async () => {
    emulator = await runProgram("dev");
});

describe("the dev stack under the policy pack", () => {
    it("registers the resources the rules are about", () => {
        const count = (type: string) => emulator.ofType(type).length;
        expect(emulator.failures).toEqual([]);
        expect(count("tls:index/privateKey:PrivateKey")).toBe(5);
        expect(count("tls:index/locallySignedCert:LocallySignedCert")).toBe(4);
        expect(count("tls:index/selfSignedCert:SelfSignedCert")).toBe(1);
        expect(count("docker:index/container:Container")).toBe(3);
    });

    it("has no violation at all", async () => {
        const { inputs, outputs } = asAnalyzed(emulator.resources);
        expect(await runPack(inputs, outputs, "dev")).toEqual([]);
    });

    it("recognises the cache and database containers by their RemoteImage, and not the proxy", () => {
        const stack = stackResources(asAnalyzed(emulator.resources).outputs, "dev");
        const services = Object.fromEntries(stack.filter((r) => r.type === "docker:index/container:Container").map((c) => [c.name, dataService(c, stack)]));
        expect(services).toEqual({
            cache: { kind: "cache", image: "docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1" },
            db: { kind: "database", image: "postgres:17.9-bookworm" },
            proxy: undefined,
        });
    });

    it("would stop the same stack with its database published on every address", async () => {
        const { inputs, outputs } = asAnalyzed(emulator.resources);
        const db = outputs.find((r) => r.type === "docker:index/container:Container" && r.name === "db")!;
        const ports = (db.props.ports as Array<Record<string, unknown>>).map((p) => ({ ...p, ip: "0.0.0.0" }));
        const exposed = outputs.map((r) => (r === db ? { ...r, props: { ...r.props, ports } } : r));
        expect(await runPack(inputs, exposed, "dev")).toEqual([
            {
                policyName: "docker-data-services-loopback-only",
                enforcementLevel: "mandatory",
                urn: urnOf(db, "dev"),
                message:
                    '`ports[0]`: container port 5432 is published on `0.0.0.0`, not a loopback address; a database image (`postgres:17.9-bookworm`) may be published on loopback only (127.0.0.0/8 or ::1). Set `ip: "127.0.0.1"`.',
            },
        ]);
    });

    it("would stop the same stack with a P224 leaf key", async () => {
        const { inputs, outputs } = asAnalyzed(emulator.resources);
        const key = inputs.find((r) => r.name === "db-tls-key")!;
        const weak = inputs.map((r) => (r === key ? { ...r, props: { algorithm: "ECDSA" } } : r));
        expect((await runPack(weak, outputs, "dev")).map((d) => [d.policyName, d.enforcementLevel, d.urn])).toEqual([["tls-key-strength", "mandatory", urnOf(key, "dev")]]);
    });
});
