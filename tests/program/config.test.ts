import * as fs from "node:fs";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import * as components from "../../components";
import { KEY_TYPES, PROGRAM_DEFAULTS, readSettings } from "../../program/settings";
import { ROOT, readProject, stackConfig } from "./stack";

const settingsFor = (overrides: Record<string, string>) => {
    pulumi.runtime.setAllConfig(stackConfig("dev", overrides));
    return readSettings(new pulumi.Config("tls-platform"), "dev");
};

describe("Pulumi.yaml config schema", () => {
    it("declares exactly the keys the program reads", () => {
        const source = fs.readFileSync(path.join(ROOT, "program/settings.ts"), "utf8");
        const read = new Set([...source.matchAll(/(?:config\.get(?:Number|Boolean|Object|Secret)?|oneOf|port|list)(?:<[^>]*>)?\("(\w+)"/g)].map((m) => m[1]));
        expect(new Set(Object.keys(readProject().config))).toEqual(read);
    });

    it("gives every key a type, a description and the default the program uses", () => {
        const programDefaults: Record<string, unknown> = {
            ...PROGRAM_DEFAULTS,
            caCommonName: "",
            caValidityDays: components.DEFAULT_CA_VALIDITY_DAYS,
            caEarlyRenewalDays: components.DEFAULT_CA_EARLY_RENEWAL_DAYS,
            caGenerations: [...components.DEFAULT_CA_GENERATIONS],
            caIssuingGeneration: components.FIRST_CA_GENERATION,
            leafValidityDays: components.DEFAULT_LEAF_VALIDITY_DAYS,
            leafEarlyRenewalDays: components.DEFAULT_LEAF_EARLY_RENEWAL_DAYS,
        };
        const config = readProject().config;
        for (const [key, schema] of Object.entries(config)) {
            expect(schema.type, key).toMatch(/^(string|integer|boolean|array)$/);
            expect(schema.description.length, key).toBeGreaterThan(20);
            expect(schema.default, key).toEqual(programDefaults[key]);
        }
        expect(KEY_TYPES[PROGRAM_DEFAULTS.keyType]).toEqual({ keyAlgorithm: components.DEFAULT_KEY_ALGORITHM, ecdsaCurve: components.DEFAULT_ECDSA_CURVE });
        expect(PROGRAM_DEFAULTS.cacheMaxMemory).toBe(components.DEFAULT_DRAGONFLY_MAX_MEMORY);
        expect(PROGRAM_DEFAULTS.cacheProactorThreads).toBe(components.DEFAULT_DRAGONFLY_PROACTOR_THREADS);
    });
});

describe("readSettings", () => {
    it("maps keyType onto the components' key arguments", () => {
        expect(settingsFor({ keyType: "RSA-3072" }).key).toEqual({ keyAlgorithm: "RSA", rsaBits: 3072 });
        expect(settingsFor({}).ca).toMatchObject({ commonName: "tls-platform dev CA", keyAlgorithm: "ECDSA", ecdsaCurve: "P256", validityDays: 1095 });
    });

    it("reports every bad key at once, naming the key, the value, what is allowed and the fix", () => {
        expect(() =>
            settingsFor({ keyType: "RSA-1024", appName: "App-1", cacheMaxMemory: "lots", proxyUpstreamUrl: "app:3000", databaseHostPort: "70000", proxyHttpHostPort: "6380", proxyMinTlsVersion: "TLSv1.1", secretsSink: "vault" }),
        ).toThrow(
            [
                'stack "dev" config: 8 problems:',
                "  - `tls-platform:keyType`: `RSA-1024` is not allowed; use one of `ECDSA-P256`, `ECDSA-P384`, `RSA-2048`, `RSA-3072`, `RSA-4096`, e.g. `pulumi config set keyType ECDSA-P256`.",
                "  - `tls-platform:appName`: `App-1` is not usable as a client certificate name and database user; use lower-case letters, digits and underscores, starting with a letter (e.g. `app`).",
                "  - `tls-platform:cacheMaxMemory`: `lots` is not a memory size; use a number with one of the units b, kb, mb, gb, tb (1024-based; kib, mib, gib, tib also accepted), for example `512mb` or `2gb`",
                "  - `tls-platform:proxyUpstreamUrl`: `app:3000` is not an http://host:port URL; use e.g. `http://host.docker.internal:3000`.",
                "  - `tls-platform:databaseHostPort`: 70000 is out of range; use a port from 1 to 65535, e.g. `pulumi config set databaseHostPort 5433`.",
                "  - `tls-platform:proxyHttpHostPort`: 6380 is also `tls-platform:cacheHostPort`; every service needs a host port of its own, e.g. `pulumi config set proxyHttpHostPort 6381`.",
                "  - `tls-platform:proxyMinTlsVersion`: `TLSv1.1` is not allowed; use one of `TLSv1.2`, `TLSv1.3`, e.g. `pulumi config set proxyMinTlsVersion TLSv1.2`.",
                "  - `tls-platform:secretsSink`: `vault` is not allowed; use one of `stack-outputs`, `aws-secrets-manager`, e.g. `pulumi config set secretsSink stack-outputs`.",
            ].join("\n"),
        );
    });

    it("reads the CA rollover keys, and reports the CA's own generation problems with the config keys' names", () => {
        expect(settingsFor({ caGenerations: "[1,2]", caIssuingGeneration: "2" }).ca).toMatchObject({ generations: [1, 2], issuingGeneration: 2 });
        expect(settingsFor({}).ca).toMatchObject({ generations: [1], issuingGeneration: 1 });
        // Phase 3's config without phase 2's: the default issuing generation 1 is no longer trusted.
        expect(() => settingsFor({ caGenerations: "[2]" })).toThrow(
            [
                'stack "dev" config: 1 problem:',
                "  - `tls-platform:caIssuingGeneration`: 1 is not in `tls-platform:caGenerations` [2], so every client trusting this CA's bundle would refuse the certificates it issues; trust it first (add 1 to `tls-platform:caGenerations` and run `pulumi up`: rollover phase 1), or issue from one of [2].",
            ].join("\n"),
        );
        expect(() => settingsFor({ caGenerations: "[1,1]", caIssuingGeneration: "two" })).toThrow(/`tls-platform:caGenerations\[1\]`: 1 is listed twice in \[1, 1\].*\n.*`tls-platform:caIssuingGeneration`: `two` is not a generation number/);
        expect(() => settingsFor({ caGenerations: "[1," })).toThrow(/`tls-platform:caGenerations` is not JSON/);
    });

    it("passes the cache's thread count through, and checks it against the memory with the component's own rule", () => {
        expect(settingsFor({ cacheMaxMemory: "2gb", cacheProactorThreads: "8" }).docker.cache).toMatchObject({ maxMemory: "2gb", proactorThreads: 8 });
        expect(settingsFor({}).docker.cache).toMatchObject({ maxMemory: "1gb", proactorThreads: 1 });
        expect(() => settingsFor({ cacheProactorThreads: "8" })).toThrow(
            [
                'stack "dev" config: 1 problem:',
                "  - `tls-platform:cacheMaxMemory`: `1gb` is less than the `2gb` Dragonfly needs for 8 threads (`tls-platform:cacheProactorThreads`, 256mb each) " +
                "and it would exit at start (dragonflydb/dragonfly src/server/dfly_main.cc, RunEngine); use at least `2gb`, or at most 4 `tls-platform:cacheProactorThreads`",
            ].join("\n"),
        );
        expect(() => settingsFor({ cacheProactorThreads: "0" })).toThrow(
            "`tls-platform:cacheProactorThreads`: `0` is not a thread count Dragonfly runs with; use a whole number from 1 to 1023 (it aborts at 1024), e.g. `1`",
        );
    });

    it("refuses appRoleName with a Secrets Manager endpoint override before anything is created: the role policy would reach real IAM", () => {
        const local = { secretsSink: "aws-secrets-manager", secretsManagerEndpoint: "http://127.0.0.1:4566" };
        expect(settingsFor(local).secrets.appRoleName).toBeUndefined();
        expect(() => settingsFor({ ...local, appRoleName: "app-role" })).toThrow(
            [
                'stack "dev" config: 1 problem:',
                "  - `tls-platform:appRoleName`: `app-role` is set together with `tls-platform:secretsManagerEndpoint` `http://127.0.0.1:4566`; only Secrets Manager and KMS go to that endpoint, so the role policy would be written to real IAM, granting secrets that exist only in the emulator; run `pulumi config rm appRoleName` on this stack, or remove secretsManagerEndpoint to use AWS.",
            ].join("\n"),
        );
    });

    it("passes allowPublicCidrs through, off unless set", () => {
        expect(settingsFor({}).aws.allowPublicCidrs).toBe(false);
        expect(settingsFor({ allowPublicCidrs: "true" }).aws.allowPublicCidrs).toBe(true);
    });

    it("lets the Pulumi SDK refuse a number that is not one, naming the key", () => {
        expect(() => settingsFor({ leafValidityDays: "ninety" })).toThrow(/tls-platform:leafValidityDays.*ninety/s);
    });
});
