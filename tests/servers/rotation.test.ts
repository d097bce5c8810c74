/**
 * Rotation by reload on REAL servers, with live traffic (issue 11 §1). Three emulated `pulumi up`s of the
 * same dev components with one CA: A (first deploy), B (a renewal: new leaf, same everything else) and D
 * (another renewal, used for the refused-reload case). From A: the TLS volume is filled by running A's
 * registered writer command, the server starts from A's container inputs with the volume mounted read-only
 * at its TLS directory, and A's reload command runs. Then, under load, B's reload command (which writes B's
 * generation, reloads and checks the port) runs against the SAME running server — exactly the command strings and stdin the components registered, run by
 * /bin/sh as the command provider runs them, with a `docker` stand-in (tests/harness/docker-standin.js)
 * that carries out only the calls they make. Counted: every request; zero may fail.
 * Servers: PostgreSQL 15 (mutual TLS, the dev default), nginx 1.22, redis-server 7.0 for Dragonfly (its
 * reload `CONFIG SET tls true` rewritten to redis's `CONFIG SET tls-cert-file …`, tests/harness/images/redis.ts).
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { tlsPayload } from "../../components/shared/rotation/files";
import { installEmulator } from "../emulator";
import { describeWithServers } from "../harness/requirements";
import { decodeTlsPayload } from "../harness/volumes";
import { createCa } from "../support/test-pki";
import { type Deployment, deployServices, expectRun, fingerprintOf, freePorts, generationOf, KINDS, type RunningService, startService, until, withReloadTimeout } from "./rotation-fixture";
import { type LoadCounts, oneShot, startLoad } from "./rotation-load";

const results: Record<string, unknown> = {};

describeWithServers("rotation by reload on real servers, under live traffic", ["root", "postgres", "redis", "nginx", "socat", "unshare"], () => {
    let a: Deployment;
    let b: Deployment;
    let d: Deployment;

    beforeAll(async () => {
        const ports = await freePorts();
        // One CA for the three deployments (a renewal keeps its CA), made outside them.
        const authority = createCa("rotation test CA");
        const ca = { certPem: authority.certPem, privateKeyPem: authority.keyPem };
        a = await deployServices(ca, ports, await installEmulator({ stack: "dev" }));
        b = await deployServices(ca, ports, await installEmulator({ stack: "dev" }));
        d = await deployServices(ca, ports, await installEmulator({ stack: "dev" }));
    }, 60_000);

    afterAll(() => {
        // The figures for the note: requests sent and failed per server, across the rotation.
        console.log(`ROTATION_COUNTS ${JSON.stringify(results)}`);
    });

    it("three deployments differ only in the certificate: same container inputs, same commands but the fingerprint and generation", () => {
        for (const kind of KINDS) {
            expect(b[kind].configUploads.filter((u) => !/password/.test(u.file))).toEqual(a[kind].configUploads.filter((u) => !/password/.test(u.file)));
            expect(b[kind].command).toEqual(a[kind].command);
            expect(b[kind].tls.deliver.command).toBe(a[kind].tls.deliver.command);
            expect(fingerprintOf(b[kind])).not.toBe(fingerprintOf(a[kind]));
            expect(b[kind].tls.reload.command.replace(/[0-9a-f]{64}|[0-9a-f]{16}/g, "")).toBe(a[kind].tls.reload.command.replace(/[0-9a-f]{64}|[0-9a-f]{16}/g, ""));
        }
    });

    describe.each(KINDS)("%s", (kind) => {
        let service: RunningService | undefined;

        beforeAll(async () => {
            service = await startService(kind, a[kind], "rotation");
        }, 90_000);

        afterAll(async () => {
            await service?.stop();
        });

        it("renews with zero failed requests: old connections keep working, new handshakes get the new certificate; a key that does not match is refused and the old certificate keeps serving", async () => {
            const docker = service!.docker;
            const load = startLoad(kind, a[kind].connection);
            // A failed assertion must not leave the clients looping on a server the hooks then stop.
            onTestFinished(async () => void (await load.stop()));
            await until(() => load.counts.handshakes.length >= 5 && load.counts.persistentOk >= 5, "traffic before the renewal");
            const renewalStarted = Date.now();

            // A renewal's `pulumi up`: the writer command's update writes nothing ("true"); the reload step writes
            // the new generation, reloads and checks the port.
            expect(b[kind].tls.deliver.update).toBe("true");
            expect(await expectRun(docker, b[kind].tls.reload, "the renewal's reload")).toContain(`serves generation ${generationOf(b[kind])}`);
            const renewed = Date.now();
            await until(() => load.counts.handshakes.filter((h) => h.at > renewed).length >= 5, "new handshakes after the renewal");

            // Refused: D's new certificate with a key that is not its own (the component itself refuses such a pair
            // before delivering; here the pair is forced into the reload step to see what the servers and the step do).
            const files = decodeTlsPayload(d[kind].tls.deliver.stdin).map((f) => (f.name === "server.key" ? { ...f, content: decodeTlsPayload(a[kind].tls.deliver.stdin).find((g) => g.name === "server.key")!.content } : f));
            // The step as the component would have registered it for that payload: its generation in place of D's.
            const mismatched = tlsPayload(files);
            const refused = await docker.run(withReloadTimeout(d[kind].tls.reload.command, 3).split(generationOf(d[kind])).join(mismatched.generation), mismatched.stdin);
            expect(refused.code).not.toBe(0);
            // Each refuses in its own way: Dragonfly answers the CONFIG SET with an error; `nginx -s reload` loads the
            // configuration itself first and exits with its [emerg]; PostgreSQL takes the SIGHUP, logs and keeps its old
            // context, which only the served-certificate check sees. Then the volume goes back to what is served.
            const why = {
                redis: /Dragonfly refused the reload/,
                https: /\[emerg\].*server\.key.*key values mismatch/,
                postgres: new RegExp(`does not serve the delivered certificate .*it serves sha256 ${fingerprintOf(b[kind]).replace(/:/g, "").toLowerCase()}`),
            }[kind];
            expect(refused.stderr).toMatch(why);
            expect(refused.stderr).toContain(`generation ${mismatched.generation} was not taken; the TLS volume goes back to the generation being served`);
            expect(fs.readlinkSync(path.join(service!.volume, "current"))).toBe(`.gen-${generationOf(b[kind])}`);
            const refusedAt = Date.now();
            await until(() => load.counts.handshakes.filter((h) => h.at > refusedAt).length >= 5, "new handshakes after the refused reload");

            const counts: LoadCounts = await load.stop();
            results[kind] = {
                sent: counts.sent, failed: counts.failed, persistentSent: counts.persistentSent, persistentOk: counts.persistentOk,
                persistentReopened: counts.persistentReopened, retriedOnClosedKeepAlive: counts.retriedOnClosedKeepAlive, newHandshakes: counts.handshakes.length,
            };
            expect(counts.errors).toEqual([]);
            expect(counts.failed).toBe(0);
            expect(counts.persistentOk).toBe(counts.persistentSent);
            const before = counts.handshakes.filter((h) => h.at < renewalStarted);
            const after = counts.handshakes.filter((h) => h.at > renewed);
            expect(new Set(before.map((h) => h.fingerprint))).toEqual(new Set([fingerprintOf(a[kind])]));
            expect(new Set(after.map((h) => h.fingerprint))).toEqual(new Set([fingerprintOf(b[kind])]));

            // A container started afterwards (an image bump, a crash) starts from the volume as it now is: the renewed
            // certificate, not the refused one, and not the first.
            await service!.restart();
            expect(await oneShot(kind, a[kind].connection)).toBe(fingerprintOf(b[kind]));
        }, 120_000);
    });
});
