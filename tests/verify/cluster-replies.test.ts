import { describe, expect, it } from "vitest";
import { nodesFromShards, nodesFromSlots } from "../../tools/verify/cluster";

// The two replies a cluster gives, in redis 7.0's RESP2 shape (cluster.c addShardReplyForClusterShards,
// clusterReplyMultiBulkSlots): the real cluster test reads CLUSTER SHARDS; CLUSTER SLOTS, the fallback
// for servers without it, is checked here.

const node = (fields: Record<string, string | number>) => Object.entries(fields).flat();

describe("cluster replies", () => {
    it("CLUSTER SHARDS: each node's endpoint and TLS port, masters with their slot ranges, replicas without", () => {
        const reply = [
            ["slots", [0, 5460, 6000, 6000], "nodes", [
                node({ id: "a", "tls-port": 6379, ip: "10.0.0.1", endpoint: "n1.example", hostname: "n1.example", role: "master", "replication-offset": 1, health: "online" }),
                node({ id: "b", "tls-port": 6379, ip: "10.0.0.2", endpoint: "n2.example", hostname: "n2.example", role: "replica", "replication-offset": 1, health: "loading" }),
            ]],
            ["slots", [5461, 5999], "nodes", [node({ id: "c", port: 7000, ip: "10.0.0.3", endpoint: "?", role: "master", health: "online" })]],
        ];
        expect(nodesFromShards(reply)).toEqual([
            { host: "n1.example", port: 6379, role: "master", slots: "0-5460,6000", health: "online" },
            { host: "n2.example", port: 6379, role: "replica", slots: "", health: "loading" },
            { host: "10.0.0.3", port: 7000, role: "master", slots: "5461-5999", health: "online" },
        ]);
    });

    it("CLUSTER SLOTS: masters and replicas from the slot entries, one node per address", () => {
        const reply = [
            [0, 5460, ["n1.example", 6379, "a", ["ip", "10.0.0.1"]], ["n2.example", 6379, "b", []]],
            [5461, 16383, ["n3.example", 6379, "c", []]],
            [16000, 16000, ["n1.example", 6379, "a", []]],
        ];
        expect(nodesFromSlots(reply)).toEqual([
            { host: "n1.example", port: 6379, role: "master", slots: "0-5460,16000", health: null },
            { host: "n2.example", port: 6379, role: "replica", slots: "", health: null },
            { host: "n3.example", port: 6379, role: "master", slots: "5461-16383", health: null },
        ]);
    });

    it("refuses a reply that names no endpoint", () => {
        expect(() => nodesFromShards([["slots", [0, 1], "nodes", [node({ id: "x", role: "master" })]]])).toThrow("CLUSTER SHARDS: a node without endpoint or port");
        expect(() => nodesFromSlots("OK")).toThrow("CLUSTER SLOTS did not answer an array");
    });
});
