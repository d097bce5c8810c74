import { describe, expect, it } from "vitest";
import { ioredisOptions, pgClientConfig, tlsOptions } from "./clients";
import { ioredisConnection, nodeRedisConnection } from "./clusterClients";
import { postgresConnection, redisConnection } from "./document";

const ca = { type: "pem" as const, pem: "-----BEGIN CERTIFICATE-----\nCA\n" };

describe("client helpers", () => {
    it("give pg the URL without sslmode and verify-full as node TLS options, keeping encoded credentials", () => {
        const doc = postgresConnection({ host: "db", port: 5433, username: "app", password: "a#b&c", database: "app", ca, clientCertificate: { certPem: "C", privateKeyPem: "K" } });
        expect(pgClientConfig(doc)).toEqual({
            connectionString: "postgres://app:a%23b%26c@db:5433/app",
            ssl: { ca: ca.pem, servername: "db", minVersion: "TLSv1.2", cert: "C", key: "K", rejectUnauthorized: true },
        });
    });

    it("leave the CA out for public roots, so node's own store applies", () => {
        const doc = redisConnection({ host: "master.cache.amazonaws.com", port: 6379, password: "t", ca: { type: "public-roots" } });
        expect(tlsOptions(doc)).toEqual({ servername: "master.cache.amazonaws.com", minVersion: "TLSv1.2", rejectUnauthorized: true });
        expect(ioredisOptions(doc).url).toBe("rediss://:t@master.cache.amazonaws.com:6379/0");
    });

    it("refuse a document for another service", () => {
        expect(() => pgClientConfig(redisConnection({ host: "h", port: 1, ca }))).toThrow("pgClientConfig: the document is for redis, not postgres");
        expect(() => ioredisOptions(postgresConnection({ host: "h", port: 1, database: "d", ca }))).toThrow("ioredisOptions: the document is for postgres, not redis");
    });
});

describe("cluster client helpers", () => {
    const client = { certPem: "C", privateKeyPem: "K" };
    const cluster = redisConnection({ host: "cfg.cache", port: 6379, username: "app", password: "p#w", ca, clientCertificate: client, topology: { mode: "cluster" } });
    const perNodeTls = { ca: ca.pem, minVersion: "TLSv1.2", cert: "C", key: "K", rejectUnauthorized: true };

    it("give ioredis Cluster the seeds, the identity dnsLookup and per-node TLS without a fixed server name", async () => {
        const c = ioredisConnection(cluster);
        if (c.mode !== "cluster") throw new Error("expected cluster");
        expect(c.startupNodes).toEqual([{ host: "cfg.cache", port: 6379 }]);
        expect(c.options.redisOptions).toEqual({ username: "app", password: "p#w", tls: perNodeTls });
        expect(c.options.redisOptions.tls).not.toHaveProperty("servername");
        const looked = await new Promise((resolve) => c.options.dnsLookup("node-2.cache", (err, address) => resolve([err, address])));
        expect(looked).toEqual([null, "node-2.cache"]);
    });

    it("give node-redis createCluster the seeds as rootNodes and credentials and TLS in defaults", () => {
        expect(nodeRedisConnection(cluster)).toEqual({
            mode: "cluster",
            options: { rootNodes: [{ socket: { host: "cfg.cache", port: 6379 } }], defaults: { username: "app", password: "p#w", socket: { tls: true, ...perNodeTls } } },
        });
    });

    it("keep the document's fixed server name for a cluster verified by server-name", () => {
        const fixed = redisConnection({ host: "cfg", port: 1, password: "p", ca, serverName: "shared.cache", topology: { mode: "cluster", nodeNameVerification: "server-name" } });
        const c = ioredisConnection(fixed);
        expect(c.mode === "cluster" && c.options.redisOptions.tls.servername).toBe("shared.cache");
    });

    it("take a standalone document through the same entry points: Redis(url) and createClient({url})", () => {
        const doc = redisConnection({ host: "cache", port: 6380, password: "p", ca });
        expect(ioredisConnection(doc)).toEqual({ mode: "standalone", ...ioredisOptions(doc) });
        expect(nodeRedisConnection(doc)).toEqual({ mode: "standalone", options: { url: "rediss://:p@cache:6380/0", socket: { tls: true, ...tlsOptions(doc) } } });
    });

    it("send a cluster document away from the standalone helper, and a postgres document away from both", () => {
        expect(() => ioredisOptions(cluster)).toThrow("ioredisOptions: the document is a Redis Cluster (`topology.mode` cluster); use ioredisConnection");
        const pg = postgresConnection({ host: "h", port: 1, database: "d", ca });
        expect(() => ioredisConnection(pg)).toThrow("ioredisConnection: the document is for postgres, not redis");
        expect(() => nodeRedisConnection(pg)).toThrow("nodeRedisConnection: the document is for postgres, not redis");
    });
});
