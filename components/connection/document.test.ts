import { describe, expect, it } from "vitest";
import { ConnectionDocument, httpsConnection, postgresConnection, redisConnection } from "./document";

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
    });
});
