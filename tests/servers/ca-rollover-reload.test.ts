/**
 * The README's CA key rollover on REAL servers under live traffic, delivered by the components' own
 * registered commands (issue 11 §2: "zero failed requests across each phase with reload"). The four
 * phases' programs run one after another under an emulator that keeps unchanged resources as a stack does
 * (tests/pki/fixture.ts ContinuingEmulator), each with PostgreSQL (mutual TLS), Dragonfly (redis-server)
 * and nginx. The servers start from phase 0; each later phase's registered reload command (which writes the
 * phase's files into the TLS volume, reloads and checks the port) then runs against them (tests/servers/rotation-fixture.ts, the docker stand-in) while clients holding the
 * PREVIOUS phase's connection documents (what applications have until they re-read theirs) keep
 * connecting. Each phase keeps those clients working, which is what the three phases are for; a client
 * still holding phase 0's documents once phase 3 is deployed fails, as the runbook says it would.
 * (ca-rollover-live.test.ts drives the same phases with the renderers' files and its own reloads.)
 */
import * as pulumi from "@pulumi/pulumi";
import * as settings from "@pulumi/pulumi/runtime/settings";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { describeWithServers } from "../harness/requirements";
import { ContinuingEmulator, ROLLOVER_PHASES } from "../pki/fixture";
import { type Deployment, deployServices, expectRun, fingerprintOf, freePorts, generationOf, KINDS, type RunningService, startService, until } from "./rotation-fixture";
import { oneShot, startLoad } from "./rotation-load";

const results: Record<string, unknown[]> = {};

describeWithServers("CA key rollover delivered by the components' writer and reload commands, on real servers under live traffic", ["root", "postgres", "redis", "nginx", "socat", "unshare"], () => {
    const phases: Deployment[] = [];

    beforeAll(async () => {
        const ports = await freePorts();
        const prior = new Map();
        for (const config of ROLLOVER_PHASES) {
            const emulator = new ContinuingEmulator(prior);
            await pulumi.runtime.setMocks(emulator, "tls-platform", "dev", false);
            const { CertificateAuthority } = await import("../../components");
            const ca = new CertificateAuthority("platform-ca", { commonName: "tls-platform rollover CA", generations: config.generations, issuingGeneration: config.issuingGeneration });
            phases.push(await deployServices(ca, ports, emulator));
            await (settings as unknown as { waitForRPCs(): Promise<void> }).waitForRPCs();
        }
    }, 90_000);

    afterAll(() => {
        console.log(`ROLLOVER_COUNTS ${JSON.stringify(results)}`);
    });

    describe.each(KINDS)("%s", (kind) => {
        let service: RunningService | undefined;

        beforeAll(async () => {
            service = await startService(kind, phases[0]![kind], "rollover");
        }, 90_000);

        afterAll(async () => {
            await service?.stop();
        });

        it("each phase is delivered by reload with zero failed requests for clients still holding the previous phase's documents; phase 3 then refuses phase 0's clients", async () => {
            results[kind] = [];
            for (let p = 1; p < phases.length; p++) {
                const [previous, current] = [phases[p - 1]![kind], phases[p]![kind]];
                const load = startLoad(kind, previous.connection);
                // A failed assertion must not leave the clients looping on a server the hooks then stop.
                onTestFinished(async () => void (await load.stop()));
                await until(() => load.counts.handshakes.length >= 3 && load.counts.persistentOk >= 3, `traffic before phase ${ROLLOVER_PHASES[p]!.phase}`);
                expect(await expectRun(service!.docker, current.tls.reload, `phase ${p}'s reload`)).toContain(`serves generation ${generationOf(current)}`);
                const reloaded = Date.now();
                await until(() => load.counts.handshakes.filter((h) => h.at > reloaded).length >= 5, `new handshakes after phase ${p}`);
                const counts = await load.stop();
                results[kind]!.push({ phase: ROLLOVER_PHASES[p]!.phase, sent: counts.sent, failed: counts.failed, persistentOk: counts.persistentOk, retriedOnClosedKeepAlive: counts.retriedOnClosedKeepAlive });
                expect(counts.errors, `phase ${ROLLOVER_PHASES[p]!.phase}`).toEqual([]);
                expect(new Set(counts.handshakes.filter((h) => h.at > reloaded).map((h) => h.fingerprint))).toEqual(new Set([fingerprintOf(current)]));
                // And clients that have re-read their document get in too: the new client CA file was reloaded.
                expect(await oneShot(kind, current.connection)).toBe(fingerprintOf(current));
            }
            // Phase 3 serves a generation-2 leaf and trusts generation 2 alone: phase 0's documents (generation 1's
            // CA as trust, and for PostgreSQL a generation-1 client certificate) no longer get in.
            await expect(oneShot(kind, phases[0]![kind].connection)).rejects.toThrow(/unable to (get local issuer|verify)|certificate/i);
        }, 180_000);
    });
});
