import { afterAll, beforeAll, expect, it } from "vitest";
import { type ConnectionDocument, redisConnection } from "../../components/connection/document";
import { describeWithServers } from "../harness/requirements";
import type { ClientResult } from "./clients";
import { CLUSTER_PASSWORD, HOST_NAMES, NODE_PORT, type RunningCluster, startTlsCluster } from "./cluster";

// The cluster client helpers against a real three-node TLS Redis Cluster that announces host names,
// each node's certificate carrying only its own DNS name (cluster.ts). The clients run inside the
// cluster's namespaces, where the names resolve; they get nothing but the connection document.

const KEYS = 24;
let cluster: RunningCluster;
let document: ConnectionDocument;

const run = (scenario: string, doc: ConnectionDocument, prefix: string) => cluster.run<ClientResult>("clients.ts", { scenario, document: doc, prefix, count: KEYS });


describeWithServers("cluster client helpers against a real TLS Redis Cluster", ["root", "redis", "unshare", "openssl"], () => {
    beforeAll(async () => {
        cluster = await startTlsCluster("cluster-clients");
        // As prod would store it: the seed (ElastiCache's configuration endpoint) as host, cluster topology.
        document = redisConnection({ host: HOST_NAMES[0]!, port: NODE_PORT, password: CLUSTER_PASSWORD, ca: { type: "pem", pem: cluster.ca.certPem }, topology: { mode: "cluster" } });
    }, 60_000);

    afterAll(async () => {
        await cluster?.stop();
    });

    it.each(["ioredis", "node-redis"])("%s through the helpers writes and reads keys on every shard, each node verified against its own name", async (client) => {
        const result = await run(client, document, client);
        expect(result.errors).toEqual([]);
        expect(result.readBack).toBe(KEYS);
        // The client reached the masters by their announced names, and every shard holds some of the keys.
        expect(Object.keys(result.keysPerNode).sort()).toEqual(HOST_NAMES.map((h) => `${h}:${NODE_PORT}`));
        expect(Object.values(result.keysPerNode).every((n) => n > 0)).toBe(true);
        expect(Object.values(result.keysPerNode).reduce((a, b) => a + b, 0)).toBe(KEYS);
        expect(await cluster.keysPerNode(client)).toEqual(result.keysPerNode);
        // The figures for the note, in the test log.
        console.log(`CLUSTER_KEYS_PER_SHARD ${client} ${JSON.stringify(result.keysPerNode)}`);
    }, 30_000);

    it("control: ioredis without the identity dnsLookup dials the seed by its IP and fails the certificate-name check", async () => {
        const result = await run("ioredis-without-dns-lookup", document, "no-lookup");
        expect(result.readBack).toBe(0);
        expect(result.errors).toContain(`ERR_TLS_CERT_ALTNAME_INVALID: Hostname/IP does not match certificate's altnames: IP: 127.0.0.11 is not in the cert's list: `);
        expect(await cluster.keysPerNode("no-lookup")).toEqual(Object.fromEntries(HOST_NAMES.map((h) => [`${h}:${NODE_PORT}`, 0])));
    }, 30_000);

    it("control: a fixed server name (the seed's) passes the seed and fails the other nodes' certificates", async () => {
        const fixed = redisConnection({ ...document, password: CLUSTER_PASSWORD, ca: document.tls.ca, serverName: HOST_NAMES[0], topology: { mode: "cluster", nodeNameVerification: "server-name" } });
        const result = await run("ioredis", fixed, "fixed");
        expect(result.readBack).toBeLessThan(KEYS);
        const nameErrors = result.errors.filter((e) => e.startsWith("ERR_TLS_CERT_ALTNAME_INVALID"));
        expect(nameErrors.length).toBeGreaterThan(0);
        for (const e of nameErrors) {
            expect(e).toMatch(/^ERR_TLS_CERT_ALTNAME_INVALID: Hostname\/IP does not match certificate's altnames: Host: node-1\.cluster\.test\. is not in the cert's altnames: DNS:node-[23]\.cluster\.test$/);
        }
    }, 30_000);
});
