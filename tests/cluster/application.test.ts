import { afterAll, beforeAll, expect, it } from "vitest";
import { redisConnection } from "../../components/connection/document";
import { describeWithServers } from "../harness/requirements";
import { CLUSTER_PASSWORD, HOST_NAMES, NODE_PORT, type RunningCluster, STANDALONE_HOST, startTlsCluster } from "./cluster";

// An application's view of a cluster-mode cache, like tests/servers/application.test.ts for the dev
// stack: the document as prod stores it (built with the connection builder, JSON in a secret string:
// the seed is the configuration endpoint, topology cluster, the password, the CA), read by the
// application with readConnectionDocument and used through the helpers only (application.ts). The same
// application code, given a schema v1 document of a standalone cache (as the first release stored it),
// takes the standalone path of the same helpers.

let cluster: RunningCluster;
let secretString: string;

describeWithServers("the application's view of a cluster-mode cache", ["root", "redis", "unshare", "openssl"], () => {
    beforeAll(async () => {
        cluster = await startTlsCluster("cluster-app");
        secretString = JSON.stringify(
            redisConnection({ host: HOST_NAMES[0]!, port: NODE_PORT, password: CLUSTER_PASSWORD, ca: { type: "pem", pem: cluster.ca.certPem }, topology: { mode: "cluster" } }),
        );
    }, 60_000);

    afterAll(async () => {
        await cluster?.stop();
    });

    it.each(["ioredis", "node-redis"])("with %s: sessions, counters and a one-slot transaction work across every shard from the secret string alone", async (library) => {
        const seen = await cluster.run<Record<string, unknown>>("application.ts", { library, secretString });
        const perMaster = seen.keysPerMaster as Record<string, number>;
        expect(seen).toMatchObject({ schemaVersion: 2, topology: "cluster", sessionsRead: 12, visits: ["2"], cart: ["book,pen", "12.50"] });
        expect(Object.keys(perMaster).sort()).toEqual(HOST_NAMES.map((h) => `${h}:${NODE_PORT}`));
        expect(Object.values(perMaster).every((n) => n > 0)).toBe(true);
        expect(Object.values(perMaster).reduce((a, b) => a + b, 0)).toBe(12 + 12 + 2);
    }, 30_000);

    it.each(["ioredis", "node-redis"])("with %s: the same application on a standalone cache's schema v1 secret, read as v1 and used the same way", async (library) => {
        const v2 = redisConnection({ host: STANDALONE_HOST, port: NODE_PORT, password: CLUSTER_PASSWORD, ca: { type: "pem", pem: cluster.ca.certPem } });
        const { topology: _t, reader: _r, ...v1 } = { ...v2, schemaVersion: 1 };
        const seen = await cluster.run<Record<string, unknown>>("application.ts", { library, secretString: JSON.stringify(v1) });
        expect(seen).toEqual({
            schemaVersion: 1, topology: "standalone", sessionsRead: 12, visits: ["2"], cart: ["book,pen", "12.50"], keysPerMaster: { [`${STANDALONE_HOST}:${NODE_PORT}`]: 26 },
        });
        expect(await cluster.cli(STANDALONE_HOST, ["DBSIZE"])).toBe(String(library === "ioredis" ? 26 : 52));
    }, 30_000);
});
