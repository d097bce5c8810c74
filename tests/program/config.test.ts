import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import * as components from "../../components";
import { DEFAULT_APP_NAME, DEFAULT_KEY_TYPE, KEY_TYPES, readSettings } from "../../program/settings";
import { ROOT, readProject, stackConfig } from "./stack";

const settingsFor = (overrides: Record<string, string>) => {
    pulumi.runtime.setAllConfig(stackConfig("dev", overrides));
    return readSettings(new pulumi.Config("tls-platform"), "dev");
};

describe("Pulumi.yaml config schema", () => {
    it("declares exactly the keys the program reads", () => {
        const source = fs.readFileSync(path.join(ROOT, "program/settings.ts"), "utf8");
        const read = new Set([...source.matchAll(/config\.get(?:Number|Boolean|Object|Secret)?\("(\w+)"\)/g)].map((m) => m[1]));
        expect(new Set(Object.keys(readProject().config))).toEqual(read);
    });

    it("gives every key a type, a description and the default the program uses", () => {
        const config = readProject().config;
        for (const [key, schema] of Object.entries(config)) {
            expect(schema.type, key).toMatch(/^(string|integer|boolean)$/);
            expect(schema.description.length, key).toBeGreaterThan(20);
        }
        expect(config.caValidityDays!.default).toBe(components.DEFAULT_CA_VALIDITY_DAYS);
        expect(config.caEarlyRenewalDays!.default).toBe(components.DEFAULT_CA_EARLY_RENEWAL_DAYS);
        expect(config.leafValidityDays!.default).toBe(components.DEFAULT_LEAF_VALIDITY_DAYS);
        expect(config.leafEarlyRenewalDays!.default).toBe(components.DEFAULT_LEAF_EARLY_RENEWAL_DAYS);
        expect(config.keyType!.default).toBe(DEFAULT_KEY_TYPE);
        expect(KEY_TYPES[DEFAULT_KEY_TYPE]).toEqual({ keyAlgorithm: components.DEFAULT_KEY_ALGORITHM, ecdsaCurve: components.DEFAULT_ECDSA_CURVE });
        expect(config.appName!.default).toBe(DEFAULT_APP_NAME);
    });
});

describe("readSettings", () => {
    it("maps keyType onto the components' key arguments", () => {
        expect(settingsFor({ keyType: "RSA-3072" }).key).toEqual({ keyAlgorithm: "RSA", rsaBits: 3072 });
        expect(settingsFor({}).ca).toMatchObject({ commonName: "tls-platform dev CA", keyAlgorithm: "ECDSA", ecdsaCurve: "P256", validityDays: 1095 });
    });

    it("reports every bad key at once, naming the key, the value, what is allowed and the fix", () => {
        expect(() => settingsFor({ keyType: "RSA-1024", appName: "App-1" })).toThrow(
            [
                'stack "dev" config: 2 problems:',
                "  - `tls-platform:keyType`: `RSA-1024` is not a key type; use one of `ECDSA-P256`, `ECDSA-P384`, `RSA-2048`, `RSA-3072`, `RSA-4096`, e.g. `pulumi config set keyType ECDSA-P256`.",
                "  - `tls-platform:appName`: `App-1` is not usable as a client certificate name and database user; use lower-case letters, digits and underscores, starting with a letter (e.g. `app`).",
            ].join("\n"),
        );
    });

    it("lets the Pulumi SDK refuse a number that is not one, naming the key", () => {
        expect(() => settingsFor({ leafValidityDays: "ninety" })).toThrow(/tls-platform:leafValidityDays.*ninety/s);
    });
});
