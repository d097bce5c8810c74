import * as fs from "node:fs";
import * as path from "node:path";
import { beforeAll, describe, expect, it } from "vitest";
import { CHECKS, HANDLERS, planTimeProblems, ProviderError } from ".";
import { remoteImage } from "./docker";
import { baselineFor, DRAGONFLY_REFERENCE, NGINX_REFERENCE, ruleBaselines, ruleCases, type RuleFixtures } from "./rule-baselines";
import { renderRulesTable } from "./rules-table";
import { applyExample, EMULATOR_RULES } from "./rules";
import { certRequest, privateKey, selfSignedCert } from "./tls";

// Each rule of RULES.md: its bad values refused by the emulator as the real provider refuses them, at
// the same stage (plan: planTimeProblems, which the plugins' Check runs, and the handler; create: the
// handler only, the plan passing), and its accepted values let through both.

const NOW = new Date("2026-06-01T00:00:00Z");
let baselines: ReturnType<typeof ruleBaselines>;

beforeAll(async () => {
    const caKey = await privateKey("rules-ca-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
    const ca = await selfSignedCert("rules-ca", {
        privateKeyPem: caKey.privateKeyPem, isCaCertificate: true, allowedUses: ["cert_signing"], subject: { commonName: "Rules CA" }, validityPeriodHours: 8760,
    }, NOW);
    const leafKey = await privateKey("rules-leaf-key", { algorithm: "ECDSA", ecdsaCurve: "P256" });
    const csr = await certRequest("rules-csr", { privateKeyPem: leafKey.privateKeyPem, subject: { commonName: "db" } });
    const fixtures: RuleFixtures = {
        caKeyPem: caKey.privateKeyPem as string,
        caCertPem: ca.certPem as string,
        leafKeyPem: leafKey.privateKeyPem as string,
        csrPem: csr.certRequestPem as string,
        nginxImageId: remoteImage("rules-nginx", { name: NGINX_REFERENCE }).imageId as string,
        dragonflyImageId: remoteImage("rules-dragonfly", { name: DRAGONFLY_REFERENCE }).imageId as string,
    };
    baselines = ruleBaselines(fixtures);
});

const create = async (type: string, inputs: Record<string, unknown>) => HANDLERS[type]!("rules", inputs, NOW, { region: "eu-west-1" });
const messages = (type: string, inputs: Record<string, unknown>) => planTimeProblems(type, inputs).map((p) => p.message);

describe("the baselines the rules start from", () => {
    it.each(Object.keys(CHECKS))("%s: accepted at plan and created", async (type) => {
        for (const inputs of baselines[type] ?? []) {
            expect(messages(type, inputs)).toEqual([]);
            await expect(create(type, inputs)).resolves.toBeTypeOf("object");
        }
        expect(baselines[type]?.length).toBeGreaterThan(0);
    });
});

describe("each rule, as the real provider applies it", () => {
    it.each(ruleCases())("$title", async ({ rule, set, message }) => {
        const inputs = applyExample(baselineFor(rule, baselines), set);
        if (rule.verdict === "accepted") {
            expect(messages(rule.type, inputs)).toEqual([]);
            await expect(create(rule.type, inputs)).resolves.toBeTypeOf("object");
            return;
        }
        if (rule.stage === "plan") {
            expect(messages(rule.type, inputs).join("\n")).toContain(message!);
        } else {
            // The plan passes; the provider's Create (or the API behind it) refuses.
            expect(messages(rule.type, inputs)).toEqual([]);
        }
        const attempt = create(rule.type, inputs);
        await expect(attempt).rejects.toThrow(ProviderError);
        await expect(attempt).rejects.toThrow(message!);
    });
});

describe("the table", () => {
    it("gives every rule an upstream source, a stage, and at least one example; refusals a message", () => {
        for (const rule of EMULATOR_RULES) {
            expect(rule.source.length, rule.id).toBeGreaterThan(10);
            expect(rule.examples.length, rule.id).toBeGreaterThan(0);
            if (rule.verdict === "refused") for (const e of rule.examples) expect(e.message, rule.id).toBeTruthy();
            expect(CHECKS[rule.type], rule.id).toBeDefined();
        }
        expect(new Set(EMULATOR_RULES.map((r) => r.id)).size).toBe(EMULATOR_RULES.length);
    });

    it("is what RULES.md shows (regenerate with UPDATE_RULES_TABLE=1)", () => {
        const file = path.join(__dirname, "RULES.md");
        if (process.env.UPDATE_RULES_TABLE === "1") fs.writeFileSync(file, renderRulesTable());
        expect(fs.readFileSync(file, "utf8")).toBe(renderRulesTable());
    });
});

describe("values not known yet (a preview)", () => {
    it("are not validated and satisfy Required, as in Terraform", () => {
        const UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
        expect(messages("aws:rds/instance:Instance", { instanceClass: UNKNOWN, identifier: UNKNOWN, kmsKeyId: UNKNOWN })).toEqual([]);
        expect(messages("aws:elasticache/replicationGroup:ReplicationGroup", { description: "d", authToken: UNKNOWN, authTokenUpdateStrategy: "SET" })).toEqual([]);
        expect(messages("aws:elasticache/replicationGroup:ReplicationGroup", { description: "d", authToken: UNKNOWN, authTokenUpdateStrategy: "DELETE" }))
            .toEqual(['"auth_token" must not be specified when "auth_token_update_strategy" is "DELETE"']);
        expect(messages("docker:index/container:Container", { image: UNKNOWN, uploads: [{ file: "/f", permissions: UNKNOWN }] })).toEqual([]);
    });
});
