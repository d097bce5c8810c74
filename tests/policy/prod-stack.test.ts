import { beforeAll, describe, expect, it } from "vitest";
import type { ProviderEmulator } from "../emulator";
import { runPack, urnOf } from "./harness";
import { asAnalyzed, runProgram } from "./program";

// The project must pass its own policy: the prod program (RDS on), as `pulumi preview --stack prod
// --policy-pack ./policy` would analyze it, with every resource the emulator saw registered.
let emulator: ProviderEmulator;

beforeAll(async () => {
    emulator = await runProgram("prod");
});

describe("the prod stack under the policy pack", () => {
    it("registers the resources the rules are about", () => {
        const count = (type: string) => emulator.ofType(type).length;
        expect(emulator.failures).toEqual([]);
        expect(count("aws:elasticache/replicationGroup:ReplicationGroup")).toBe(1);
        expect(count("aws:rds/instance:Instance")).toBe(1);
        expect(count("aws:rds/parameterGroup:ParameterGroup")).toBe(1);
        expect(count("aws:secretsmanager/secret:Secret")).toBe(2);
        expect(count("tls:index/privateKey:PrivateKey")).toBe(2);
    });

    it("has no violation at all, advisory included", async () => {
        const { inputs, outputs } = asAnalyzed(emulator.resources);
        expect(await runPack(inputs, outputs, "prod")).toEqual([]);
    });

    it("would stop the same stack with transit encryption only preferred", async () => {
        const { inputs, outputs } = asAnalyzed(emulator.resources);
        const group = inputs.find((r) => r.type === "aws:elasticache/replicationGroup:ReplicationGroup")!;
        const preferred = inputs.map((r) => (r === group ? { ...r, props: { ...r.props, transitEncryptionMode: "preferred" } } : r));
        expect((await runPack(preferred, outputs, "prod")).map((d) => [d.policyName, d.enforcementLevel, d.urn])).toEqual([["elasticache-transit-encryption-required", "mandatory", urnOf(group, "prod")]]);
    });

    it("would stop the same stack with rds.force_ssl turned off in its parameter group", async () => {
        const { inputs, outputs } = asAnalyzed(emulator.resources);
        const group = outputs.find((r) => r.type === "aws:rds/parameterGroup:ParameterGroup")!;
        const instance = outputs.find((r) => r.type === "aws:rds/instance:Instance")!;
        const off = outputs.map((r) => (r === group ? { ...r, props: { ...r.props, parameters: [{ applyMethod: "immediate", name: "rds.force_ssl", value: "0" }] } } : r));
        expect((await runPack(inputs, off, "prod")).map((d) => [d.policyName, d.enforcementLevel, d.urn])).toEqual([["rds-force-ssl", "mandatory", urnOf(instance, "prod")]]);
    });

    it("would warn, not stop, for a connection secret under the AWS-managed key", async () => {
        const { inputs, outputs } = asAnalyzed(emulator.resources);
        const secret = inputs.find((r) => r.type === "aws:secretsmanager/secret:Secret")!;
        const { kmsKeyId: _dropped, ...props } = secret.props;
        const awsManaged = inputs.map((r) => (r === secret ? { ...r, props } : r));
        expect((await runPack(awsManaged, outputs, "prod")).map((d) => [d.policyName, d.enforcementLevel, d.urn])).toEqual([["secretsmanager-customer-managed-key", "advisory", urnOf(secret, "prod")]]);
    });
});
