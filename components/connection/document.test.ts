import { describe, expect, it } from "vitest";
import { CONNECTION_SCHEMA_VERSION, ConnectionDocument, httpsConnection, postgresConnection, redisConnection } from "./document";

const ca = { type: "pem" as const, pem: "-----BEGIN CERTIFICATE-----\n...\n" };
const keysOf = (doc: ConnectionDocument): string[] =>
    Object.entries(doc).flatMap(([k, v]) => (v && typeof v === "object" && !Array.isArray(v) && k === "tls" ? Object.keys(v).map((t) => `tls.${t}`) : [k])).sort();

describe("connection URLs", () => {
    it.each(["p#ss&word", "a^b<c>d-e!f$g", "with space", "colon:at@slash/percent%", "ünï"])("percent-encodes the password %j so that it round-trips", (password) => {
        const doc = redisConnection({ host: "cache.internal", port: 6380, password, ca });
        const url = new URL(doc.url);
        expect(url.protocol).toBe("rediss:");
        expect(url.hostname).toBe("cache.internal");
        expect(url.port).toBe("6380");
        expect(url.hash).toBe("");
        expect(url.search).toBe("");
        expect(decodeURIComponent(url.password)).toBe(password);
        expect(url.password).toBe(encodeURIComponent(password));
    });

    it("puts sslmode=verify-full on PostgreSQL URLs and encodes user and database", () => {
        const doc = postgresConnection({ host: "127.0.0.1", port: 5433, username: "app", password: "x&y#z", database: "app_db", ca });
        expect(doc.url).toBe("postgres://app:x%26y%23z@127.0.0.1:5433/app_db?sslmode=verify-full");
        expect(doc.database).toBe("app_db");
    });

    it("brackets IPv6 hosts", () => {
        expect(httpsConnection({ host: "::1", port: 8443, ca }).url).toBe("https://[::1]:8443/");
    });

    it("gives every service the same keys, null where a value does not apply", () => {
        const redis = redisConnection({ host: "h", port: 1, password: "p", ca: { type: "public-roots" } });
        const pg = postgresConnection({ host: "h", port: 1, username: "u", password: "p", database: "d", ca, clientCertificate: { certPem: "c", privateKeyPem: "k" } });
        const https = httpsConnection({ host: "h", port: 1, ca });
        expect(keysOf(redis)).toEqual(keysOf(pg));
        expect(keysOf(https)).toEqual(keysOf(pg));
        expect(redis.database).toBeNull();
        expect(redis.tls.clientCertificate).toBeNull();
        expect(https.username).toBeNull();
        expect(redis.tls.serverName).toBe("h");
        expect(keysOf(redis)).toEqual(["database", "host", "password", "port", "reader", "schemaVersion", "service", "tls.ca", "tls.clientCertificate", "tls.minVersion", "tls.serverName", "topology", "url", "username"]);
        expect(redis.reader).toBeNull();
    });
});

describe("schema v2: topology and reader", () => {
    it("makes a document standalone by default: its own host:port as the one seed, verified by server name", () => {
        const doc = postgresConnection({ host: "db", port: 5432, database: "d", ca });
        expect(doc.schemaVersion).toBe(CONNECTION_SCHEMA_VERSION);
        expect(CONNECTION_SCHEMA_VERSION).toBe(2);
        expect(doc.topology).toEqual({ mode: "standalone", seeds: [{ host: "db", port: 5432 }], nodeNameVerification: "server-name" });
    });

    it("gives a cluster its seeds and checks each node against the host it is reached by", () => {
        const doc = redisConnection({ host: "clustercfg.c.cache.amazonaws.com", port: 6379, password: "t", ca: { type: "public-roots" }, topology: { mode: "cluster" } });
        expect(doc.topology).toEqual({ mode: "cluster", seeds: [{ host: "clustercfg.c.cache.amazonaws.com", port: 6379 }], nodeNameVerification: "node-host" });
        const seeded = redisConnection({ host: "a", port: 1, ca, topology: { mode: "cluster", seeds: [{ host: "a", port: 1 }, { host: "b", port: 2 }] } });
        expect(seeded.topology.seeds).toEqual([{ host: "a", port: 1 }, { host: "b", port: 2 }]);
    });

    it("derives the reader's URL from the writer's: same user, password, database and sslmode, the reader's host and port", () => {
        const doc = postgresConnection({ host: "w.rds", port: 5432, username: "app", password: "x&y", database: "orders", ca, reader: { host: "r.rds", port: 5433 } });
        expect(doc.reader).toEqual({ host: "r.rds", port: 5433, url: "postgres://app:x%26y@r.rds:5433/orders?sslmode=verify-full" });
        expect(doc.url).toBe("postgres://app:x%26y@w.rds:5432/orders?sslmode=verify-full");
    });

    it("refuses every bad topology and reader argument in one error", () => {
        expect(() =>
            postgresConnection({ host: "h", port: 1, database: "d", ca, topology: { mode: "cluster", seeds: [{ host: "", port: 0 }], nodeNameVerification: "sni" as never }, reader: { host: "r", port: 70000 } }),
        ).toThrow(
            "postgresConnection: 5 bad arguments:\n" +
                '  `topology.mode` is "cluster"; expected `standalone` for a postgres document (only redis has a cluster mode);\n' +
                '  `topology.seeds[0].host` is ""; expected a host name or IP address;\n' +
                "  `topology.seeds[0].port` is 0; expected a whole number from 1 to 65535;\n" +
                '  `topology.nodeNameVerification` is "sni"; expected one of server-name, node-host, or leave it out for the mode\'s default;\n' +
                "  `reader.port` is 70000; expected a whole number from 1 to 65535.",
        );
        expect(() => redisConnection({ host: "h", port: 1, ca, topology: { mode: "sharded" as never, seeds: [] } })).toThrow(
            'redisConnection: 2 bad arguments:\n  `topology.mode` is "sharded"; expected one of standalone, cluster;\n  `topology.seeds` is []; expected at least one {host, port}, or leave it out for the document\'s own host:port.',
        );
    });
});
