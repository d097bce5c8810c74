import { afterAll, beforeAll, expect, it } from "vitest";
import { readyForRenewal } from "../emulator/tls";
import { describeWithServers } from "../harness/requirements";
import { engineProject, type EngineProject, type StateResource } from "./stack";

// README "Certificates and how they renew", through the real Pulumi CLI and the emulated plugins: with
// the providers' clock (PROVIDER_EMULATOR_NOW, read by each plugin the engine starts with the CLI's
// environment) inside the leaves' early-renewal window, `preview` plans a replacement of every leaf
// certificate and of the containers whose uploads carry one, and nothing else; `up` applies it and a
// second preview at that time is clean. Inside the CA's window, the CA certificate is replaced, every
// leaf re-issued, the containers replaced, and the CA's key kept.

const LEAF = "tls:index/locallySignedCert:LocallySignedCert";
const CA_CERT = "tls:index/selfSignedCert:SelfSignedCert";
const CONTAINER = "docker:index/container:Container";
const DAY_MS = 86_400_000;

interface Step { op: string; urn: string; replaceReasons?: string[] }

describeWithServers("certificate renewal of the dev stack through the real engine: what a pending renewal replaces", ["pulumi"], () => {
    let engine: EngineProject;
    const start = Date.now();
    /** The providers' clock `days` after the stack was first deployed. */
    const at = (days: number) => ({ PROVIDER_EMULATOR_NOW: new Date(start + days * DAY_MS).toISOString() });

    /** The steps of `preview --json` at `days` (no clock override if not given) that are not `same`, by URN. */
    const plan = (days?: number): Map<string, Step> => {
        const run = engine.pulumi(["preview", "--json"], { extraEnv: days === undefined ? {} : at(days) });
        expect(run.status, run.out).toBe(0);
        const steps = ((JSON.parse(run.stdout) as { steps?: Step[] }).steps ?? []).filter((s) => s.op !== "same");
        return new Map(steps.map((s) => [s.urn, s]));
    };
    /** Every planned step is a replacement: `op urn` lines, so that a failure shows which. */
    const expectOnlyReplacements = (planned: Map<string, Step>) => {
        for (const step of planned.values()) expect(`${step.op} ${step.urn}`).toMatch(/^replace /);
    };

    /**
     * What the README promises a replacement of `certificates` replaces: those certificates, and every
     * resource whose inputs carry one of their PEMs (derived from the state, not from a preview), and
     * every resource that depends on a replaced one in turn (components excluded: they have no inputs).
     */
    const expectedReplacements = (state: StateResource[], certificates: StateResource[]): Set<string> => {
        const replaced = new Set(certificates.map((c) => c.urn));
        const pems = certificates.map((c) => c.outputs!.certPem as string);
        for (const r of state) if (r.custom && pems.some((pem) => JSON.stringify(r.inputs ?? {}).includes(JSON.stringify(pem).slice(1, -1)))) replaced.add(r.urn);
        let grew = true;
        while (grew) {
            grew = false;
            for (const r of state) {
                if (r.custom && !replaced.has(r.urn) && (r.dependencies ?? []).some((d) => replaced.has(d))) {
                    replaced.add(r.urn);
                    grew = true;
                }
            }
        }
        return replaced;
    };

    const byType = (state: StateResource[], type: string) => state.filter((r) => r.type === type);
    const names = (urns: Iterable<string>) => [...urns].map((u) => u.split("::").slice(2).join("::")).sort();

    beforeAll(() => {
        engine = engineProject("engine-renewal", ["dev"]);
        engine.initStack("dev");
        const up = engine.pulumi(["up", "--yes", "--skip-preview"], { extraEnv: at(0) });
        expect(up.status, up.out).toBe(0);
    }, 120_000);

    afterAll(() => engine?.remove());

    let leafState: StateResource[];
    it("inside the leaves' early-renewal window (day 61 of 90, 30 days early), `preview` replaces every leaf certificate and the containers that carry them, and nothing else", () => {
        const state = engine.resources("dev", true);
        const now = new Date(start + 61 * DAY_MS);
        const due = byType(state, LEAF).filter((c) => readyForRenewal(new Date(c.outputs!.validityEndTime), c.outputs!.earlyRenewalHours, now));
        expect(due.length).toBe(byType(state, LEAF).length);
        expect(due.length).toBeGreaterThanOrEqual(4);
        expect(byType(state, CA_CERT).filter((c) => readyForRenewal(new Date(c.outputs!.validityEndTime), c.outputs!.earlyRenewalHours, now))).toEqual([]);
        const expected = expectedReplacements(state, due);
        // The README's promise: leaf certificates and the containers that carry them.
        expect(new Set(state.filter((r) => expected.has(r.urn)).map((r) => r.type))).toEqual(new Set([LEAF, CONTAINER]));

        // The control: without the override nothing is due, so what day 61 plans is the plugins reading it.
        expect(plan().size).toBe(0);
        const planned = plan(61);
        expect(names(planned.keys())).toEqual(names(expected));
        expectOnlyReplacements(planned);
        // Each leaf for the provider's own reason (terraform-provider-tls common_cert.go ModifyPlan).
        for (const leaf of due) expect(planned.get(leaf.urn)!.replaceReasons).toEqual(["readyForRenewal"]);
        leafState = state;
    }, 90_000);

    it("`up` at that time renews them, and `preview --expect-no-changes` at the same time is then clean", () => {
        const up = engine.pulumi(["up", "--yes", "--skip-preview"], { extraEnv: at(61) });
        expect(up.status, up.out).toBe(0);
        const state = engine.resources("dev", true);
        for (const old of byType(leafState, LEAF)) {
            const renewed = state.find((r) => r.urn === old.urn)!;
            expect(renewed.outputs!.certPem).not.toBe(old.outputs!.certPem);
            expect(new Date(renewed.outputs!.validityStartTime).getTime()).toBeGreaterThan(start + 60 * DAY_MS);
        }
        const preview = engine.pulumi(["preview", "--expect-no-changes", "--diff"], { extraEnv: at(61) });
        expect(preview.status, preview.out).toBe(0);
    }, 90_000);

    it("`up` on day 886 renews the leaves again and leaves the CA alone (its window opens on day 915), so that on day 916 only the CA is due", () => {
        const before = engine.resources("dev", true);
        const up = engine.pulumi(["up", "--yes", "--skip-preview"], { extraEnv: at(886) });
        expect(up.status, up.out).toBe(0);
        const after = engine.resources("dev", true);
        const certPem = (state: StateResource[], urn: string) => state.find((r) => r.urn === urn)!.outputs!.certPem as string;
        for (const ca of byType(before, CA_CERT)) expect(certPem(after, ca.urn)).toBe(ca.outputs!.certPem);
        for (const leaf of byType(before, LEAF)) expect(certPem(after, leaf.urn)).not.toBe(leaf.outputs!.certPem);
    }, 90_000);

    it("inside the CA's early-renewal window (day 916 of 1095, 180 days early), the CA certificate is replaced, every leaf re-issued for the new CA's PEM, the containers replaced, and the CA's key kept", () => {
        const state = engine.resources("dev", true);
        const ca = byType(state, CA_CERT);
        expect(ca).toHaveLength(1);
        expect(readyForRenewal(new Date(ca[0]!.outputs!.validityEndTime), ca[0]!.outputs!.earlyRenewalHours, new Date(start + 916 * DAY_MS))).toBe(true);
        const day916 = new Date(start + 916 * DAY_MS);
        expect(byType(state, LEAF).filter((c) => readyForRenewal(new Date(c.outputs!.validityEndTime), c.outputs!.earlyRenewalHours, day916))).toEqual([]);
        const expected = expectedReplacements(state, [...ca, ...byType(state, LEAF)]);
        expect(new Set(state.filter((r) => expected.has(r.urn)).map((r) => r.type))).toEqual(new Set([CA_CERT, LEAF, CONTAINER]));

        const planned = plan(916);
        expect(names(planned.keys())).toEqual(names(expected));
        expectOnlyReplacements(planned);
        expect(planned.get(ca[0]!.urn)!.replaceReasons).toEqual(["readyForRenewal"]);
        // Not due themselves: each leaf is re-issued because it takes the CA's PEM as an input.
        for (const leaf of byType(state, LEAF)) expect(planned.get(leaf.urn)!.replaceReasons).toEqual(["caCertPem"]);
        const caKey = state.find((r) => r.type === "tls:index/privateKey:PrivateKey" && r.urn.endsWith("::platform-ca-key"));
        expect(caKey, "the CA's key in the state").toBeDefined();
        expect(planned.has(caKey!.urn)).toBe(false);

        const up = engine.pulumi(["up", "--yes", "--skip-preview"], { extraEnv: at(916) });
        expect(up.status, up.out).toBe(0);
        const after = engine.resources("dev", true);
        expect(after.find((r) => r.urn === caKey!.urn)!.outputs!.privateKeyPem).toBe(caKey!.outputs!.privateKeyPem);
        expect(after.find((r) => r.urn === ca[0]!.urn)!.outputs!.certPem).not.toBe(ca[0]!.outputs!.certPem);
        const preview = engine.pulumi(["preview", "--expect-no-changes"], { extraEnv: at(916) });
        expect(preview.status, preview.out).toBe(0);
    }, 110_000);
});
