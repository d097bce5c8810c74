import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import type { StackValidationArgs } from "../../policy/node_modules/@pulumi/policy";
import { installEmulator, type ProviderEmulator, readyForRenewal } from "../emulator";
import { stackConfig } from "../program/stack";
import { runPack, stackPolicy, stackResources, type TestResource, UNKNOWN_STRING, urnOf, validateStack } from "./harness";
import { asAnalyzed } from "./program";

// certificate-expiry on the dev program's own certificates, as `pulumi preview --policy-pack` hands them
// to a stack policy (each resource's outputs): the program runs under the provider emulator with its
// clock 80 days back, so the four leaves (90 days, renewed in their last 30) have 10 days left today
// and the CA (1095 days) 1015. The rule reads the real clock, as the pack does.

const LEAF = "tls:index/locallySignedCert:LocallySignedCert";
const CA = "tls:index/selfSignedCert:SelfSignedCert";
const DAY = 86_400_000;
const ISSUED = new Date(Date.now() - 80 * DAY);
const policy = stackPolicy("certificate-expiry");

let emulator: ProviderEmulator;
let outputs: TestResource[];

beforeAll(async () => {
    emulator = await installEmulator({ stack: "dev", now: () => ISSUED });
    pulumi.runtime.setAllConfig(stackConfig("dev", {}));
    await import("../../index");
    await pulumi.runtime.disconnect();
    outputs = asAnalyzed(emulator.resources).outputs;
});

const certificates = (type: string) => outputs.filter((r) => r.type === type);
/** The stack with each certificate's outputs changed by `change` (the rest as recorded). */
const withCertificates = (change: (r: TestResource) => Record<string, unknown>) =>
    outputs.map((r) => (r.type === LEAF || r.type === CA ? { ...r, props: { ...r.props, ...change(r) } } : r));
/** The same certificates as if issued now: every time moved forward by 80 days. */
const fresh = () => withCertificates((r) => ({ validityEndTime: new Date(Date.parse(String(r.props.validityEndTime)) + 80 * DAY).toISOString().replace(/\.000Z$/, "Z") }));
const run = (resources: TestResource[], config: Record<string, unknown> = {}) => {
    // The harness's validateStack gives an empty config; a pack config reaches the rule through getConfig.
    const violations: Array<{ message: string; urn?: string }> = [];
    const args: StackValidationArgs = { resources: stackResources(resources, "dev"), stackTags: new Map(), getConfig: <T extends object>() => config as T, notApplicable: () => { throw new Error("not applicable"); } };
    return Promise.resolve(policy.validateStack(args, (message, urn) => violations.push({ message, ...(urn ? { urn } : {}) }))).then(() => violations);
};

describe("certificate-expiry (mandatory) on the dev program's certificates", () => {
    it("the program registers four leaves and one CA, with the emulator's end dates", () => {
        expect(certificates(LEAF).map((r) => r.name).sort()).toEqual(["app-client-cert", "cache-tls-cert", "db-tls-cert", "proxy-tls-cert"].sort());
        expect(certificates(CA).map((r) => r.name)).toEqual(["platform-ca-cert"]);
        for (const leaf of certificates(LEAF)) expect(Date.parse(String(leaf.props.validityEndTime))).toBe(ISSUED.getTime() - (ISSUED.getTime() % 1000) + 90 * DAY);
    });

    it("passes the stack as freshly deployed (leaves 90 days left, CA 1095), through the whole pack", async () => {
        expect(await run(fresh())).toEqual([]);
        expect(await runPack([], fresh(), "dev")).toEqual([]);
    });

    it("stops the stack nobody has updated for 80 days: each leaf named by URN, with its end date, 10 days left, the 14-day threshold and `pulumi up` as the fix; the CA passes", async () => {
        const violations = await run(outputs);
        expect(violations.map((v) => v.urn).sort()).toEqual(certificates(LEAF).map((r) => urnOf(r, "dev")).sort());
        for (const leaf of certificates(LEAF)) {
            const v = violations.find((x) => x.urn === urnOf(leaf, "dev"))!;
            expect(v.message).toMatch(
                new RegExp(`^\`${leaf.name}\` \\(tls:index/locallySignedCert:LocallySignedCert\\) expires at ${String(leaf.props.validityEndTime)}, (9 days 23 hours|10 days) after \\S+Z: fewer than the 14 days \`certificate-expiry\` requires of a leaf certificate \\(\`leafMinDaysLeft\`\\)\\. It is inside its early-renewal window: run \`pulumi up\` on this stack`),
            );
        }
        // Through the harness as the engine runs the whole pack: only this rule, mandatory, one per leaf.
        const diagnostics = await runPack([], outputs, "dev");
        expect(diagnostics.map((d) => `${d.policyName} ${d.enforcementLevel} ${d.urn}`).sort()).toEqual(certificates(LEAF).map((r) => `certificate-expiry mandatory ${urnOf(r, "dev")}`).sort());
    });

    it("passes the same stack in the preview that renews them: the leaves are inside their window, so the plan replaces them and their new end time is unknown", async () => {
        for (const leaf of certificates(LEAF)) expect(readyForRenewal(new Date(String(leaf.props.validityEndTime)), Number(leaf.props.earlyRenewalHours), new Date())).toBe(true);
        const renewing = withCertificates((r) => (r.type === LEAF ? { validityEndTime: UNKNOWN_STRING, readyForRenewal: UNKNOWN_STRING, certPem: UNKNOWN_STRING } : {}));
        expect(await run(renewing)).toEqual([]);
        // A provider that does not preview: the engine plans a created certificate's inputs as its outputs.
        const inputsOnly = asAnalyzed(emulator.resources).inputs;
        const planned = outputs.map((r) => (r.type === LEAF ? inputsOnly.find((i) => i.type === LEAF && i.name === r.name)! : r));
        expect(planned.filter((r) => r.type === LEAF).every((r) => r.props.validityEndTime === undefined && r.props.certPem === undefined)).toBe(true);
        expect(await run(planned)).toEqual([]);
        // An unknown read of the framework's proxy is not what passed it: the harness would report one.
        expect(await validateStack(policy, stackResources(renewing, "dev"))).toEqual({ violations: [], urns: [], notApplicable: false, unknownReads: [] });
    });

    it("takes leafMinDaysLeft and caMinDaysLeft from the pack's config: above the validity, every fresh certificate of that kind fails", async () => {
        const leaves = await run(fresh(), { leafMinDaysLeft: 100 });
        expect(leaves.map((v) => v.urn).sort()).toEqual(certificates(LEAF).map((r) => urnOf(r, "dev")).sort());
        expect(leaves[0]!.message).toContain("fewer than the 100 days `certificate-expiry` requires of a leaf certificate (`leafMinDaysLeft`). `pulumi up` renews it only from ");
        const cas = await run(fresh(), { caMinDaysLeft: 1100 });
        expect(cas.map((v) => v.urn)).toEqual([urnOf(certificates(CA)[0]!, "dev")]);
        expect(cas[0]!.message).toContain("fewer than the 1100 days `certificate-expiry` requires of a CA certificate (`caMinDaysLeft`)");
        expect(await run(outputs, { leafMinDaysLeft: 9 })).toEqual([]);
    });

    it("names a bad config value (the engine checks the schema too; this is the rule's own guard)", async () => {
        expect(await run(fresh(), { leafMinDaysLeft: "14" })).toEqual([{ message: '`certificate-expiry.leafMinDaysLeft` is "14": it must be a whole number of days, 0 or more (default 14).' }]);
    });

    it("reports an issued certificate (it has its certPem) without an end date, rather than taking it for one the run renews", async () => {
        const violations = await run(fresh().map((r) => (r.name === "db-tls-cert" ? { ...r, props: { ...r.props, validityEndTime: undefined } } : r)));
        expect(violations.map((v) => v.message)).toEqual(["`db-tls-cert` (tls:index/locallySignedCert:LocallySignedCert): `validityEndTime` is not set, not an RFC 3339 time, so its expiry cannot be checked. Check the state (`pulumi stack export`) or run `pulumi refresh`."]);
    });

    it("reports an unreadable end date instead of throwing", async () => {
        const violations = await run(fresh().map((r) => (r.name === "db-tls-cert" ? { ...r, props: { ...r.props, validityEndTime: "soon" } } : r)));
        expect(violations).toEqual([
            { urn: urnOf({ type: LEAF, name: "db-tls-cert" }, "dev"), message: "`db-tls-cert` (tls:index/locallySignedCert:LocallySignedCert): `validityEndTime` is `soon`, not an RFC 3339 time, so its expiry cannot be checked. Check the state (`pulumi stack export`) or run `pulumi refresh`." },
        ]);
    });
});
