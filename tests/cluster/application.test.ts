import { afterAll, beforeAll, expect, it } from "vitest";
import { applicationAccessString } from "../../components/aws/rbac";
import { redisConnection } from "../../components/connection/document";
import { describeWithServers } from "../harness/requirements";
import { CLUSTER_PASSWORD, HOST_NAMES, NODE_PORT, type RunningCluster, STANDALONE_HOST, startTlsCluster } from "./cluster";

// An application's view of a cluster-mode cache, like tests/servers/application.test.ts for the dev
// stack: the document as prod stores it with RBAC (built with the connection builder, JSON in a secret
// string: the seed as configuration endpoint, topology cluster, the application's user and password,
// the CA), read by the application with readConnectionDocument and used through the helpers only
// (application.ts). The user has the access string ElastiCacheCache gives an application
// (components/aws/rbac.ts applicationAccessString), set on every node as ElastiCache sets it, so the
// clients' own discovery (CLUSTER SLOTS, CLUSTER INFO, CLIENT SETNAME/SETINFO) must pass it too. The same
// application code, given a schema v1 document of a standalone cache (as the first release stored it),
// takes the standalone path of the same helpers.

let cluster: RunningCluster;
let secretString: string;
const USER = "orders";
const USER_PASSWORD = "orders-pw-0123456789&#^";


describeWithServers("the application's view of a cluster-mode cache", ["root", "redis", "unshare", "openssl"], () => {
    beforeAll(async () => {
        cluster = await startTlsCluster("cluster-app");
        for (let i = 0; i < HOST_NAMES.length; i++) {
            await cluster.cli(i, ["ACL", "SETUSER", USER, "reset", ...applicationAccessString(USER, false).split(" ")], `>${USER_PASSWORD}`);
        }
        secretString = JSON.stringify(
            redisConnection({ host: HOST_NAMES[0]!, port: NODE_PORT, username: USER, password: USER_PASSWORD, ca: { type: "pem", pem: cluster.ca.certPem }, topology: { mode: "cluster" } }),
        );
    }, 60_000);

    afterAll(async () => {
        await cluster?.stop();
    });

    it.each(["ioredis", "node-redis"])("with %s: sessions, counters and a one-slot transaction work across every shard as the RBAC user, from the secret string alone", async (library) => {
        const prefix = `${USER}:${library}`;
        const seen = await cluster.run<Record<string, unknown>>("application.ts", { library, secretString, prefix });
        expect(seen).toEqual({ schemaVersion: 2, topology: "cluster", sessionsRead: 12, visits: ["2"], cart: ["book,pen", "12.50"] });
        const perNode = await cluster.keysPerNode(prefix);
        expect(Object.values(perNode).every((n) => n > 0)).toBe(true);
        expect(Object.values(perNode).reduce((a, b) => a + b, 0)).toBe(12 + 12 + 2);
    }, 30_000);

    it("control: the RBAC user cannot write outside its prefix, so the access string is what the nodes enforce", async () => {
        await expect(cluster.run("application.ts", { library: "ioredis", secretString, prefix: "billing" })).rejects.toThrow(/NOPERM/);
    }, 30_000);

    it.each(["ioredis", "node-redis"])("with %s: the same application on a standalone cache's schema v1 secret, read as v1 and used the same way", async (library) => {
        const v2 = redisConnection({ host: STANDALONE_HOST, port: NODE_PORT, password: CLUSTER_PASSWORD, ca: { type: "pem", pem: cluster.ca.certPem } });
        const { topology: _t, reader: _r, ...v1 } = { ...v2, schemaVersion: 1 };
        const seen = await cluster.run<Record<string, unknown>>("application.ts", { library, secretString: JSON.stringify(v1), prefix: `app:${library}` });
        expect(seen).toEqual({ schemaVersion: 1, topology: "standalone", sessionsRead: 12, visits: ["2"], cart: ["book,pen", "12.50"] });
        expect(await cluster.cli(STANDALONE_HOST, ["EVAL", `return #redis.call("KEYS", ARGV[1])`, "0", `app:${library}:*`])).toBe("26");
    }, 30_000);
});
