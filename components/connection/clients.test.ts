import { describe, expect, it } from "vitest";
import { ioredisOptions, pgClientConfig, tlsOptions } from "./clients";
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
