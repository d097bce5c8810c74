import { afterAll, beforeAll, expect, it } from "vitest";
import { type ConnectionDocument, redisConnection } from "../../components/connection/document";
import type { Check, CheckId, Report } from "../../tools/verify/types";
import { CLUSTER_PASSWORD, HOST_NAMES, NODE_PORT, nodeLeaf, type RunningCluster, STANDALONE_HOST, startTlsCluster } from "../cluster/cluster";
import { describeWithServers } from "../harness/requirements";

// The verifier (its own `main`, run inside the cluster's namespaces where the node names resolve) on a
// cluster document: it reads CLUSTER SHARDS from the seed and reports every node, each certificate checked
// against the host name the node is announced as.

let cluster: RunningCluster;
let document: ConnectionDocument;

async function verify(doc: ConnectionDocument = document): Promise<{ code: number; report: Report }> {
    const result = await cluster.run<{ code: number; report: Report | null; stderr: string }>("verify.ts", doc, 60_000);
    if (!result.report) throw new Error(`the verifier exited ${result.code} without a report:\n${result.stderr}`);
    return { code: result.code, report: result.report };
}
const check = (report: Report, name: string, id: CheckId): Check | undefined => report.endpoints.find((e) => e.target.name === name)?.checks.find((c) => c.id === id);
const nodeName = (i: number) => `redis@${HOST_NAMES[0]}:${NODE_PORT} node ${HOST_NAMES[i]}:${NODE_PORT}`;
const SEED = `redis@${HOST_NAMES[0]}:${NODE_PORT}`;

describeWithServers("the verifier walks a real TLS Redis Cluster", ["root", "redis", "unshare", "openssl"], () => {
    beforeAll(async () => {
        cluster = await startTlsCluster("cluster-verify");
        document = redisConnection({ host: HOST_NAMES[0]!, port: NODE_PORT, password: CLUSTER_PASSWORD, ca: { type: "pem", pem: cluster.ca.certPem }, topology: { mode: "cluster" } });
    }, 60_000);

    afterAll(async () => {
        await cluster?.stop();
    });

    it("reports the seed and every node from CLUSTER SHARDS, each verified against its announced name and answering AUTH + PING", async () => {
        const { report } = await verify();
        expect(report.endpoints.map((e) => e.target.name)).toEqual([SEED, ...HOST_NAMES.map((_, i) => nodeName(i))]);
        // The figures for the note, in the test log: each endpoint reported and its name check.
        console.log(`CLUSTER_NODES_VERIFIED ${JSON.stringify(report.endpoints.map((e) => [e.target.name, e.checks.find((c) => c.id === "certificate_hostname")?.status]))}`);
        expect(check(report, SEED, "cluster_nodes")).toMatchObject({
            status: "ok",
            detail: expect.stringMatching(/^3 nodes from CLUSTER SHARDS via node-1\.cluster\.test:6379, 16384 of 16384 slots served: node-1\.cluster\.test:6379 \(master 0-5460\), node-2\.cluster\.test:6379 \(master 5461-10922\), node-3\.cluster\.test:6379 \(master 10923-16383\)/),
        });
        for (let i = 0; i < HOST_NAMES.length; i++) {
            const endpoint = report.endpoints.find((e) => e.target.name === nodeName(i))!;
            expect(endpoint.target).toMatchObject({ host: HOST_NAMES[i], port: NODE_PORT, serverName: HOST_NAMES[i] });
            for (const id of ["handshake", "legacy_tls_refused", "modern_tls_accepted", "certificate_chain", "certificate_hostname", "service_request", "plaintext_refused", "cluster_nodes"] as const) {
                expect({ node: HOST_NAMES[i], id, status: check(report, nodeName(i), id)?.status }).toEqual({ node: HOST_NAMES[i], id, status: "ok" });
            }
            expect(check(report, nodeName(i), "service_request")?.detail).toBe("AUTH accepted, PING answered +PONG");
        }
    }, 90_000);

    it("fails the node whose certificate lacks its announced name, and only that node", async () => {
        await cluster.swapCertificate(2, nodeLeaf(cluster.ca, ["elsewhere.cluster.test"]));
        const { code, report } = await verify();
        expect(code).toBe(2);
        expect(check(report, nodeName(2), "certificate_hostname")).toMatchObject({ status: "fail", detail: expect.stringContaining("node-3.cluster.test") });
        expect(report.endpoints.find((e) => e.target.name === nodeName(2))!.status).toBe("fail");
        for (const i of [0, 1]) expect(check(report, nodeName(i), "certificate_hostname")?.status).toBe("ok");
    }, 90_000);

    it("fails cluster_nodes when the seed is no cluster: CLUSTER SHARDS and CLUSTER SLOTS both refused, and says so", async () => {
        const notACluster = redisConnection({ host: STANDALONE_HOST, port: NODE_PORT, password: CLUSTER_PASSWORD, ca: document.tls.ca, topology: { mode: "cluster" } });
        const { code, report } = await verify(notACluster);
        expect(code).toBe(2);
        expect(report.endpoints.map((e) => e.target.name)).toEqual([`redis@${STANDALONE_HOST}:${NODE_PORT}`]);
        expect(check(report, `redis@${STANDALONE_HOST}:${NODE_PORT}`, "cluster_nodes")).toEqual({
            id: "cluster_nodes",
            status: "fail",
            detail: "could not list the cluster's nodes: no seed answered: cache.standalone.test:6379: CLUSTER SHARDS answered -ERR This instance has cluster support disabled; CLUSTER SLOTS answered -ERR This instance has cluster support disabled",
        });
    }, 90_000);
});
