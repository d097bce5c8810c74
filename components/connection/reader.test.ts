import { describe, expect, it } from "vitest";
import { redisConnection } from "./document";
import { readConnectionDocument } from "./reader";

const ca = { type: "pem" as const, pem: "-----BEGIN CERTIFICATE-----\n...\n" };
/** A v1 document exactly as the first release stored it. */
const v1 = {
    schemaVersion: 1, service: "redis", url: "rediss://:p@cache:6380/0", host: "cache", port: 6380, username: null, password: "p", database: null,
    tls: { minVersion: "TLSv1.2", serverName: "cache", ca, clientCertificate: null },
};

describe("readConnectionDocument", () => {
    it("reads a v1 document as a standalone v2 document with no reader, and says it got v1", () => {
        const read = readConnectionDocument(JSON.stringify(v1));
        expect(read.schemaVersion).toBe(1);
        expect(read.document).toEqual({
            ...v1,
            schemaVersion: 2,
            topology: { mode: "standalone", seeds: [{ host: "cache", port: 6380 }], nodeNameVerification: "server-name" },
            reader: null,
        });
    });

    it("reads a v2 document unchanged, from JSON or an object, and a missing reader as null", () => {
        const doc = redisConnection({ host: "cfg", port: 6379, password: "p", ca, topology: { mode: "cluster" } });
        expect(readConnectionDocument(JSON.stringify(doc))).toEqual({ schemaVersion: 2, document: doc });
        const { reader: _, ...withoutReader } = doc;
        expect(readConnectionDocument(withoutReader).document.reader).toBeNull();
    });

    it.each<[string, unknown, string]>([
        ["a newer version", { ...v1, schemaVersion: 3 }, "readConnectionDocument: `schemaVersion` is 3; this library reads schema 1 and 2. A newer document needs a newer tls-platform"],
        ["no version", { host: "h" }, "readConnectionDocument: `schemaVersion` is undefined; this library reads schema 1 and 2."],
        ["not an object", "[1]", "readConnectionDocument: got [1]; expected a connection document (an object with `schemaVersion` 1 or 2)."],
        ["not JSON", "{", "readConnectionDocument: not JSON ("],
        ["a v2 document without topology", { ...v1, schemaVersion: 2, reader: null },
            "readConnectionDocument: a schema v2 document with a bad key:\n  `topology` is undefined; expected an object with mode, seeds (at least one {host, port}) and nodeNameVerification."],
        ["bad keys, never quoting the URL", { ...v1, url: 5, port: "6380" },
            "readConnectionDocument: a schema v1 document with 2 bad keys:\n  `url` is (value hidden); expected a URL string;\n  `port` is \"6380\"; expected a port number."],
    ])("refuses %s, naming what it got", (_, input, message) => {
        expect(() => readConnectionDocument(input as object)).toThrow(message);
    });
});
