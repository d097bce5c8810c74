import { X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { readyForRenewal } from "../emulator/tls";
import { describeWithServers } from "../harness/requirements";
import { decodeTlsPayload } from "../harness/volumes";
import { ROOT, engineProject, type EngineProject, type StateResource } from "./stack";

// README "Certificates and how they renew", through the real Pulumi CLI and the emulated plugins: with
// the providers' clock (PROVIDER_EMULATOR_NOW, read by each plugin the engine starts with the CLI's
// environment) inside the leaves' early-renewal window, `preview` plans a replacement of every leaf
// certificate, an update of each service's delivery (`<name>-tls-files`) and reload (`<name>-tls-reload`)
// commands, and nothing else: every container is `same`; `up` applies it (the containers keep their ids)
// and a second preview at that time is clean. Inside the CA's window, the CA certificate is replaced,
// every leaf re-issued, the deliveries and reloads updated, the containers again left alone, and the CA's
// key kept. An image bump replaces that service's container (and image), re-runs its delivery and reload,
// and leaves every certificate alone.

const LEAF = "tls:index/locallySignedCert:LocallySignedCert";
const CA_CERT = "tls:index/selfSignedCert:SelfSignedCert";
const CONTAINER = "docker:index/container:Container";
const COMMAND = "command:local:Command";
const DAY_MS = 86_400_000;
/** The dev stack's services (program/dev.ts). */
const SERVICES = ["cache", "db", "proxy"];

interface Step { op: string; urn: string; replaceReasons?: string[] }

describeWithServers("certificate renewal of the dev stack through the real engine: a renewal delivers and reloads, and replaces no container", ["pulumi"], () => {
    let engine: EngineProject;
    const start = Date.now();
    /** The providers' clock `days` after the stack was first deployed. */
    const at = (days: number) => ({ PROVIDER_EMULATOR_NOW: new Date(start + days * DAY_MS).toISOString() });

    /** `type name` of a resource: what the op maps below are keyed by, so that a failure reads plainly. */
    const key = (type: string, urn: string) => `${type} ${urn.slice(urn.lastIndexOf("::") + 2)}`;
    const byType = (state: StateResource[], type: string) => state.filter((r) => r.type === type);

    /**
     * The op of every custom resource of `state` (and of any resource the steps add) in the step list of
     * `preview --json` (or `up --json`): `same` where the engine lists no step, the steps' ops joined by
     * `+` where it lists more than one; and the steps by URN, for their replaceReasons.
     */
    const opsOf = (steps: Step[], state: StateResource[]) => {
        const byUrn = new Map<string, Step[]>();
        for (const step of steps) byUrn.set(step.urn, [...(byUrn.get(step.urn) ?? []), step]);
        const ops: Record<string, string> = {};
        for (const r of state) if (r.custom) ops[key(r.type, r.urn)] = "same";
        for (const [urn, list] of byUrn) {
            const type = state.find((r) => r.urn === urn)?.type ?? urn.split("::")[2]!.split("$").pop()!;
            const real = list.map((s) => s.op).filter((op) => op !== "same");
            if (real.length > 0) ops[key(type, urn)] = real.join("+");
        }
        return { ops, byUrn };
    };
    /** `preview --json` at `days` (no clock override if not given), against the current state. */
    const plan = (days?: number) => {
        const state = engine.resources("dev");
        const run = engine.pulumi(["preview", "--json"], { extraEnv: days === undefined ? {} : at(days) });
        expect(run.status, run.out).toBe(0);
        return { state, ...opsOf((JSON.parse(run.stdout) as { steps?: Step[] }).steps ?? [], state) };
    };
    /** `up --json` at `days`: the engine's events, one JSON object a line; each resource's ops from its `resourcePreEvent`s. */
    const up = (days: number) => {
        const state = engine.resources("dev");
        const run = engine.pulumi(["up", "--yes", "--skip-preview", "--json"], { extraEnv: at(days) });
        expect(run.status, run.out).toBe(0);
        const events = run.stdout.split("\n").filter((l) => l.trim() !== "").map((l) => JSON.parse(l) as { resourcePreEvent?: { metadata: Step }; resOutputsEvent?: { metadata: Step } });
        const steps = events.flatMap((e) => (e.resourcePreEvent ? [e.resourcePreEvent.metadata] : []));
        expect(steps.length, "resource events in `up --json`").toBeGreaterThan(10);
        /** `started|finished <op> <urn>` in the order the engine reported them. */
        const order = events.flatMap((e) => (e.resourcePreEvent ? [`started ${e.resourcePreEvent.metadata.op} ${e.resourcePreEvent.metadata.urn}`] : e.resOutputsEvent ? [`finished ${e.resOutputsEvent.metadata.op} ${e.resOutputsEvent.metadata.urn}`] : []));
        return { ...opsOf(steps, state), order };
    };

    /**
     * What a renewal of `renewed` (certificate types) must plan: those replaced, each service's delivery
     * and reload commands updated (the writer's update runs `true`, the reload's runs its `create`: write,
     * reload, check; pulumi-command's `triggers` would replace them, pulumi-command#855), and everything
     * else, every container among it, `same`.
     */
    const renewalOps = (state: StateResource[], renewed: readonly string[], replace = "replace") => {
        const ops: Record<string, string> = {};
        for (const r of state) {
            if (!r.custom) continue;
            const name = r.urn.slice(r.urn.lastIndexOf("::") + 2);
            ops[key(r.type, r.urn)] = renewed.includes(r.type) ? replace : r.type === COMMAND && SERVICES.some((s) => name === `${s}-tls-files` || name === `${s}-tls-reload`) ? "update" : "same";
        }
        return ops;
    };
    const commandInputs = (state: StateResource[], name: string) => state.find((r) => r.type === COMMAND && r.urn.endsWith(`::${name}`))!.inputs!;
    const containerOps = (ops: Record<string, string>) => Object.entries(ops).filter(([k]) => k.startsWith(`${CONTAINER} `)).map(([k, op]) => `${op} ${k}`).sort();

    beforeAll(() => {
        engine = engineProject("engine-renewal", ["dev"]);
        // The program as it is now, copied instead of linked: every run of this file deploys the same code
        // even if the working tree changes meanwhile, and the image bump below edits its own copy.
        for (const name of ["index.ts", "program", "components"]) {
            fs.rmSync(path.join(engine.project, name));
            fs.cpSync(path.join(ROOT, name), path.join(engine.project, name), { recursive: true });
        }
        engine.initStack("dev");
        const up = engine.pulumi(["up", "--yes", "--skip-preview"], { extraEnv: at(0) });
        expect(up.status, up.out).toBe(0);
    }, 120_000);

    afterAll(() => engine?.remove());

    it("inside the leaves' early-renewal window (day 61 of 90, 30 days early), `preview` replaces every leaf certificate, updates each service's tls-files and tls-reload commands, and leaves every container (and everything else) `same`", () => {
        const now = new Date(start + 61 * DAY_MS);
        const state = engine.resources("dev");
        const leaves = byType(state, LEAF);
        expect(leaves.filter((c) => readyForRenewal(new Date(c.outputs!.validityEndTime), c.outputs!.earlyRenewalHours, now))).toEqual(leaves);
        expect(leaves.length).toBeGreaterThanOrEqual(4);
        expect(byType(state, CA_CERT).filter((c) => readyForRenewal(new Date(c.outputs!.validityEndTime), c.outputs!.earlyRenewalHours, now))).toEqual([]);

        // The control: without the override nothing is due, so what day 61 plans is the plugins reading it.
        expect(Object.values(plan().ops).filter((op) => op !== "same")).toEqual([]);
        const planned = plan(61);
        expect(planned.ops).toEqual(renewalOps(state, [LEAF]));
        expect(containerOps(planned.ops)).toEqual(SERVICES.map((s) => `same ${CONTAINER} ${s}`));
        // Each leaf for the provider's own reason (terraform-provider-tls common_cert.go ModifyPlan).
        for (const leaf of leaves) expect(planned.byUrn.get(leaf.urn)!.map((s) => s.replaceReasons)).toEqual([["readyForRenewal"]]);
    }, 90_000);

    it("`up` at that time renews them with the same ops, delivers each new certificate (the payload holds it, the reload expects its fingerprint), keeps every container's inputs, and `preview --expect-no-changes` is then clean", () => {
        const before = engine.resources("dev", true);
        // The engine applies a replacement as create-replacement, replace, delete-replaced.
        expect(up(61).ops).toEqual(renewalOps(before, [LEAF], "create-replacement+replace+delete-replaced"));
        const after = engine.resources("dev", true);
        for (const old of byType(before, LEAF)) {
            const renewed = after.find((r) => r.urn === old.urn)!;
            expect(renewed.outputs!.certPem).not.toBe(old.outputs!.certPem);
            expect(new Date(renewed.outputs!.validityStartTime).getTime()).toBeGreaterThan(start + 60 * DAY_MS);
        }
        for (const container of byType(before, CONTAINER)) expect(after.find((r) => r.urn === container.urn)!.inputs).toEqual(container.inputs);
        // Each service's delivery now carries a renewed leaf, and its reload waits for that leaf's fingerprint.
        const renewedPems = byType(after, LEAF).map((r) => r.outputs!.certPem as string);
        for (const service of SERVICES) {
            const files = decodeTlsPayload(commandInputs(after, `${service}-tls-files`).stdin as string);
            const delivered = files.filter((f) => renewedPems.includes(f.content));
            expect(delivered.map((f) => f.name), `${service}: the renewed leaf among the delivered files`).toEqual(["server.crt"]);
            const fingerprint = new X509Certificate(delivered[0]!.content).fingerprint256.replace(/:/g, "").toLowerCase();
            expect(commandInputs(after, `${service}-tls-reload`).create).toContain(` ${fingerprint} `);
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

    it("inside the CA's early-renewal window (day 916 of 1095, 180 days early), the CA certificate is replaced, every leaf re-issued for the new CA's PEM, the deliveries and reloads updated, every container `same`, and the CA's key kept", () => {
        const state = engine.resources("dev", true);
        const ca = byType(state, CA_CERT);
        expect(ca).toHaveLength(1);
        const day916 = new Date(start + 916 * DAY_MS);
        expect(readyForRenewal(new Date(ca[0]!.outputs!.validityEndTime), ca[0]!.outputs!.earlyRenewalHours, day916)).toBe(true);
        expect(byType(state, LEAF).filter((c) => readyForRenewal(new Date(c.outputs!.validityEndTime), c.outputs!.earlyRenewalHours, day916))).toEqual([]);

        const planned = plan(916);
        expect(planned.ops).toEqual(renewalOps(state, [CA_CERT, LEAF]));
        expect(containerOps(planned.ops)).toEqual(SERVICES.map((s) => `same ${CONTAINER} ${s}`));
        expect(planned.byUrn.get(ca[0]!.urn)!.map((s) => s.replaceReasons)).toEqual([["readyForRenewal"]]);
        // Not due themselves: each leaf is re-issued because it takes the CA's PEM as an input.
        for (const leaf of byType(state, LEAF)) expect(planned.byUrn.get(leaf.urn)!.map((s) => s.replaceReasons)).toEqual([["caCertPem"]]);
        const caKey = state.find((r) => r.type === "tls:index/privateKey:PrivateKey" && r.urn.endsWith("::platform-ca-key"));
        expect(caKey, "the CA's key in the state").toBeDefined();
        expect(planned.ops[key(caKey!.type, caKey!.urn)]).toBe("same");

        expect(up(916).ops).toEqual(renewalOps(state, [CA_CERT, LEAF], "create-replacement+replace+delete-replaced"));
        const after = engine.resources("dev", true);
        expect(after.find((r) => r.urn === caKey!.urn)!.outputs!.privateKeyPem).toBe(caKey!.outputs!.privateKeyPem);
        expect(after.find((r) => r.urn === ca[0]!.urn)!.outputs!.certPem).not.toBe(ca[0]!.outputs!.certPem);
        for (const container of byType(state, CONTAINER)) expect(after.find((r) => r.urn === container.urn)!.inputs).toEqual(container.inputs);
        const preview = engine.pulumi(["preview", "--expect-no-changes"], { extraEnv: at(916) });
        expect(preview.status, preview.out).toBe(0);
    }, 110_000);

    it("an image bump (db to a later PostgreSQL tag) replaces that container and its image, orders the writer's update before the new container, checks it with the reload step, and leaves every certificate alone", () => {
        // A change to the program, as a team bumping the image makes it. The emulated RemoteImage pulls nothing.
        const bumped = "postgres:17.10-bookworm";
        const devFile = path.join(engine.project, "program/dev.ts");
        const dev = fs.readFileSync(devFile, "utf8");
        const withImage = dev.replace('new PostgresDatabase("db", {', `new PostgresDatabase("db", {\n        image: "${bumped}",`);
        expect(withImage).not.toBe(dev);
        fs.writeFileSync(devFile, withImage);

        const planned = plan(916);
        const state = planned.state;
        const expected = Object.fromEntries(Object.keys(planned.ops).map((k) => [k, "same"]));
        Object.assign(expected, {
            [`docker:index/remoteImage:RemoteImage db-image`]: "replace",
            [`${CONTAINER} db`]: "replace",
            // Its command names the image id; an update of it writes nothing (`true`): the volume keeps its files.
            [`${COMMAND} db-tls-files`]: "update",
            // The reload step names the image id too (its writer and rollback run in it): it runs against the new
            // container, which started from the volume's current files, and checks that it serves them.
            [`${COMMAND} db-tls-reload`]: "update",
        });
        expect(planned.ops).toEqual(expected);

        const applied = up(916);
        expect(applied.ops).toEqual({
            ...expected,
            [`docker:index/remoteImage:RemoteImage db-image`]: "create-replacement+replace+delete-replaced",
            // deleteBeforeReplace: two servers must never open one data directory.
            [`${CONTAINER} db`]: "delete-replaced+replace+create-replacement",
        });
        // The writer has run in the new image before the new container is created.
        const urnOf = (type: string, name: string) => state.find((r) => r.type === type && r.urn.endsWith(`::${name}`))!.urn;
        const delivered = applied.order.indexOf(`finished update ${urnOf(COMMAND, "db-tls-files")}`);
        const created = applied.order.indexOf(`started create-replacement ${urnOf(CONTAINER, "db")}`);
        expect(delivered).toBeGreaterThanOrEqual(0);
        expect(created).toBeGreaterThan(delivered);
        const after = engine.resources("dev", true);
        expect(after.find((r) => r.type === CONTAINER && r.urn.endsWith("::db"))!.inputs!.image).not.toBe(state.find((r) => r.type === CONTAINER && r.urn.endsWith("::db"))!.inputs!.image);
        for (const leaf of byType(state, LEAF)) expect(after.find((r) => r.urn === leaf.urn)!.outputs!.certPem).toBe(leaf.outputs!.certPem);
        // The new container mounts the volume the delivery wrote, and starts only after it ran.
        const container = after.find((r) => r.type === CONTAINER && r.urn.endsWith("::db"))!;
        expect(container.dependencies).toContain(after.find((r) => r.type === COMMAND && r.urn.endsWith("::db-tls-files"))!.urn);
        const preview = engine.pulumi(["preview", "--expect-no-changes"], { extraEnv: at(916) });
        expect(preview.status, preview.out).toBe(0);
    }, 110_000);
});
