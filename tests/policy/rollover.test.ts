import { beforeAll, describe, expect, it } from "vitest";
import { runRolloverPhases, type RolloverPhase } from "../pki/fixture";
import { asAnalyzed } from "./program";
import { runPack, stackPolicy, stackResources, type TestResource, UNKNOWN_STRING, urnOf, validateStack } from "./harness";

// ca-rollover on the stacks of the README's rollover phases, as the components leave them (each phase
// one run of the program continuing the last: tests/pki/fixture.ts), and on the states a skipped or
// late phase would leave.

const policy = stackPolicy("ca-rollover");
const LEAF = "tls:index/locallySignedCert:LocallySignedCert";
const CA = "tls:index/selfSignedCert:SelfSignedCert";
let phases: RolloverPhase[];

beforeAll(async () => {
    phases = await runRolloverPhases();
});

/** The stack after `phase`'s `pulumi up`: each resource's outputs, as a stack policy sees them. */
const stackOf = (phase: number): TestResource[] => asAnalyzed(phases[phase]!.resources).outputs;
const replaced = (stack: TestResource[], name: string, props: (r: TestResource) => Record<string, unknown>) => stack.map((r) => (r.name === name ? { ...r, props: { ...r.props, ...props(r) } } : r));
const run = (stack: TestResource[]) => validateStack(policy, stackResources(stack));

describe("ca-rollover (mandatory)", () => {
    it.each([0, 1, 2, 3])("passes the stack of phase %i, through the whole pack too", async (phase) => {
        expect(await run(stackOf(phase))).toMatchObject({ violations: [], unknownReads: [] });
        expect(await runPack([], stackOf(phase))).toEqual([]);
    });

    it("stops a stack that dropped generation 1 while a leaf still chains to it (phase 3 before phase 2 re-issued it), naming the leaf", async () => {
        const oldLeaf = stackOf(1).find((r) => r.name === "server-cert")!;
        const stack = stackOf(3).map((r) => (r.name === "server-cert" ? oldLeaf : r));
        const outcome = await run(stack);
        expect(outcome.violations).toEqual([
            "Leaf certificate `server-cert` chains to the CA certificate `CN=tls-platform rollover CA`, which this stack no longer holds (a dropped CA generation, or a CA from elsewhere), so clients given this stack's trust bundles refuse it. Issue it from the CA's issuing generation (its `ca` argument), or keep that generation in `generations` until every leaf is re-issued (rollover phase 2 before phase 3).",
        ]);
        expect(outcome.urns).toEqual([urnOf(oldLeaf)]);
        // The same leaf in phase 2's stack, where generation 1 is still held, passes.
        expect((await run(stackOf(2).map((r) => (r.name === "server-cert" ? oldLeaf : r)))).violations).toEqual([]);
    });

    it("stops a stack whose bundle keeps an expired CA generation, naming its certificate and end", async () => {
        const expired = "2026-01-01T00:00:00Z";
        const stack = replaced(stackOf(2), "platform-ca-cert", () => ({ validityEndTime: expired }));
        const outcome = await run(stack);
        expect(outcome.violations).toEqual([
            `CA certificate \`platform-ca-cert\` expired at ${expired} and is still in its CA's trust bundle, so every client and server given that bundle trusts a CA that signs nothing valid. Drop its generation from the CA's \`generations\` (rollover phase 3) once nothing is issued from it, or run \`pulumi up\`, which renews an expired CA certificate with the same key.`,
        ]);
        expect(outcome.urns).toEqual([urnOf(stack.find((r) => r.name === "platform-ca-cert")!)]);
    });

    it("judges no leaf while a CA certificate is being issued (preview: its PEM unknown), and no leaf whose issuer is unknown", async () => {
        const oldLeaf = stackOf(1).find((r) => r.name === "server-cert")!;
        const withOldLeaf = stackOf(3).map((r) => (r.name === "server-cert" ? oldLeaf : r));
        const caPending = replaced(withOldLeaf, "platform-ca-gen2-cert", () => ({ certPem: UNKNOWN_STRING, validityEndTime: UNKNOWN_STRING }));
        expect(await run(caPending)).toMatchObject({ violations: [], unknownReads: [] });
        const leafPending = replaced(withOldLeaf, "server-cert", () => ({ caCertPem: UNKNOWN_STRING }));
        expect(await run(leafPending)).toMatchObject({ violations: [], unknownReads: [] });
    });

    it("has something to judge: each phase's stack holds its generations' CA certificates and two leaves", () => {
        expect(stackOf(2).filter((r) => r.type === CA).map((r) => r.name).sort()).toEqual(["platform-ca-cert", "platform-ca-gen2-cert"]);
        expect(stackOf(3).filter((r) => r.type === CA).map((r) => r.name)).toEqual(["platform-ca-gen2-cert"]);
        expect(stackOf(3).filter((r) => r.type === LEAF).map((r) => r.name).sort()).toEqual(["client-cert", "server-cert"]);
    });
});
