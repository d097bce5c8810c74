/**
 * The README's CA key rollover on REAL servers and clients. The phase CAs and leaves are the
 * components' own: the root program's PKI run once per phase under the emulator, each run continuing
 * the last as a stack does (tests/pki/fixture.ts runRolloverPhases). Each server is configured by its
 * component's renderer with mutual TLS and that phase's `trustBundlePem` as its client CA, and
 * presents the old or the new server leaf; each client presents the client leaf of the same generation
 * and trusts the old CA, the new CA or the phase's bundle. A row works exactly when both sides trust
 * the other's issuer: the server's bundle holds the client leaf's generation, and the client's trust
 * holds the server leaf's.
 * Servers: PostgreSQL 15 (psql, node-postgres), nginx 1.22 (curl), redis-server 7.0 in Dragonfly's
 * place (ioredis), each started from the renderer's command, env and files (ca-rollover-servers.ts).
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { afterAll, beforeAll, expect, it } from "vitest";
import { describeWithServers } from "../harness/requirements";
import { runRolloverPhases, type RolloverPhase } from "../pki/fixture";
import { CLIENTS_OF, type ClientName, removePostgresVolume, requestOnce, type ServerName, startServer } from "./ca-rollover-servers";

type Generation = 1 | 2;
type Leaf = "old" | "new";
type Trust = "old" | "new" | "bundle";

interface Row {
    readonly phase: string;
    readonly leaf: Leaf;
    readonly trust: Trust;
    readonly client: ClientName;
    readonly server: ServerName;
    readonly expected: "works" | "fails";
    readonly observed: "works" | "fails";
    /** The client's answer, or why it failed, in a line. */
    readonly detail: string;
}

const LEAF_GENERATION: Record<Leaf, Generation> = { old: 1, new: 2 };
/** The phases of the runbook (tests/pki/fixture.ts ROLLOVER_PHASES), without the starting point. */
const MATRIX_PHASES = [1, 2, 3] as const;

describeWithServers("CA key rollover: every phase × old/new leaf × old/new/bundle trust on PostgreSQL, nginx and redis-server with psql, pg, curl and ioredis", ["root", "postgres", "nginx", "redis", "curl", "openssl", "socat", "unshare"], () => {
    let phases: RolloverPhase[];
    let tmp: string;
    const rows: Row[] = [];
    const started = Date.now();

    const caOf = (generation: Generation) => (generation === 1 ? phases[1]!.caCertPem : phases[2]!.caCertPem);
    const leafOf = (leaf: Leaf) => (leaf === "old" ? phases[1]! : phases[2]!);
    const trustPem = (phase: number, trust: Trust) => (trust === "bundle" ? phases[phase]!.trustBundlePem : caOf(trust === "old" ? 1 : 2));
    const generationsIn = (bundle: string) => (bundle.match(/-----BEGIN CERTIFICATE-----[^-]+-----END CERTIFICATE-----/g) ?? []).map((pem) => (new crypto.X509Certificate(pem).subject.endsWith(" G2") ? 2 : 1));
    const expectation = (phase: number, leaf: Leaf, trust: Trust): Row["expected"] => {
        const generation = LEAF_GENERATION[leaf];
        return generationsIn(phases[phase]!.trustBundlePem).includes(generation) && generationsIn(trustPem(phase, trust)).includes(generation) ? "works" : "fails";
    };

    beforeAll(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "ca-rollover-"));
        phases = await runRolloverPhases();
        // The leaves the rows call old and new: generation 1's (phase 1) and generation 2's (phase 2).
        expect(new crypto.X509Certificate(leafOf("old").server.certPem).issuer).toBe("CN=tls-platform rollover CA");
        expect(new crypto.X509Certificate(leafOf("new").server.certPem).issuer).toBe("CN=tls-platform rollover CA G2");
        expect(phases.map((p) => generationsIn(p.trustBundlePem))).toEqual([[1], [1, 2], [1, 2], [2]]);
    });

    afterAll(() => {
        removePostgresVolume();
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    });

    /** Every row of one server: a start per phase and leaf, every trust and client against it. */
    async function serverRows(server: ServerName): Promise<Row[]> {
        const found: Row[] = [];
        for (const phase of MATRIX_PHASES) {
            for (const leaf of ["old", "new"] as const) {
                const running = await startServer(server, { server: leafOf(leaf).server, clientCaPem: phases[phase]!.trustBundlePem }, `rollover-${server}-${phase}-${leaf}`);
                try {
                    for (const trust of ["old", "new", "bundle"] as const) {
                        for (const client of CLIENTS_OF[server]) {
                            const doc = { trustPem: trustPem(phase, trust), client: leafOf(leaf).client };
                            const id = `${server}-${phase}-${leaf}-${trust}-${client}`;
                            const [ok, detail] = await requestOnce(client, running.port, doc, tmp, id).then((d) => [true, d] as const, (e: Error) => [false, e.message.replace(/\s+/g, " ").slice(0, 140)] as const);
                            found.push({ phase: phases[phase]!.phase, leaf, trust, client, server, expected: expectation(phase, leaf, trust), observed: ok ? "works" : "fails", detail });
                        }
                    }
                } finally {
                    await running.stop();
                }
            }
        }
        return found;
    }

    it("works exactly where both sides trust the other's issuer, and fails everywhere else, for every phase, leaf, trust and client", async () => {
        // PostgreSQL alone (its data directory is shared by its starts); nginx and redis-server beside it.
        const results = await Promise.allSettled([serverRows("postgres"), serverRows("nginx"), serverRows("redis-server")]);
        for (const r of results) {
            if (r.status === "rejected") throw r.reason;
            rows.push(...r.value);
        }
        const table = rows.map((r) => [r.phase, r.leaf, r.trust, r.client, r.server, r.expected, r.observed, r.detail].join(" | "));
        console.log(
            [
                `CA rollover matrix: ${rows.length} rows, ${rows.filter((r) => r.observed === "works").length} work, ${rows.filter((r) => r.observed === "fails").length} fail, ${rows.filter((r) => r.observed !== r.expected).length} unexpected, in ${Date.now() - started} ms`,
                "phase | leaf | trust | client | server | expected | observed | detail",
                ...table,
            ].join("\n"),
        );
        expect(rows).toHaveLength(MATRIX_PHASES.length * 2 * 3 * 4);
        expect(rows.filter((r) => r.observed !== r.expected).map((r) => `${r.phase} ${r.leaf} leaf, ${r.trust} trust, ${r.client}: expected ${r.expected}, ${r.observed}: ${r.detail}`)).toEqual([]);
        // The rows that carry the rollover: the overlap (phase 2) serves both leaves to bundle clients.
        for (const leaf of ["old", "new"] as const) {
            expect(rows.filter((r) => r.phase.startsWith("2") && r.leaf === leaf && r.trust === "bundle").every((r) => r.observed === "works")).toBe(true);
        }
        // And after the drop (phase 3) nothing of generation 1 gets through, whatever the client trusts.
        expect(rows.filter((r) => r.phase.startsWith("3") && r.leaf === "old").every((r) => r.observed === "fails")).toBe(true);
    }, 300_000);
});
