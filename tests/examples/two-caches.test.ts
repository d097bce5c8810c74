import * as crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, valueOf, type ProviderEmulator } from "../emulator";

// examples/two-caches, another team's program, under the provider emulator with no config at all:
// the components must not rely on tls-platform's own config.
let emulator: ProviderEmulator;
let example: typeof import("../../examples/two-caches/index");

beforeAll(async () => {
    emulator = await installEmulator({ project: "two-caches", stack: "dev" });
    example = await import("../../examples/two-caches/index");
});

describe("examples/two-caches", () => {
    it("runs two caches side by side: own containers, volumes, certificates and host ports", async () => {
        const [sessions, rateLimits] = [await valueOf(example.sessionsConnection), await valueOf(example.rateLimitsConnection)];
        const containers = emulator.ofType("docker:index/container:Container");
        expect(containers.map((c) => c.inputs.name).sort()).toEqual(["two-caches-dev-rate-limits", "two-caches-dev-sessions"]);
        expect(new Set(containers.map((c) => c.inputs.volumes[0].volumeName)).size).toBe(2);
        expect(sessions.port).not.toBe(rateLimits.port);
        expect(sessions.tls.clientCertificate).toBeNull();
        expect(rateLimits.tls.clientCertificate?.certPem).toMatch(/^-----BEGIN CERTIFICATE-----/);
    });

    it("issues both server certificates from the one shared CA", async () => {
        const [sessions, rateLimits] = [await valueOf(example.sessionsConnection), await valueOf(example.rateLimitsConnection)];
        expect(sessions.tls.ca.pem).toBe(rateLimits.tls.ca.pem);
        const ca = new crypto.X509Certificate(sessions.tls.ca.pem!);
        for (const name of ["sessions-tls-cert", "rate-limits-tls-cert"]) {
            const cert = new crypto.X509Certificate(emulator.get("tls:index/locallySignedCert:LocallySignedCert", name).state.certPem);
            expect(cert.checkIssued(ca)).toBe(true);
        }
        expect(emulator.failures).toEqual([]);
    });
});
