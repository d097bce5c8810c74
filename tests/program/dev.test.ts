import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, valueOf, type ProviderEmulator } from "../emulator";
import { stackConfig } from "./stack";

// The root program as `pulumi up --stack dev` would run it, under the provider emulator.
let emulator: ProviderEmulator;
let program: typeof import("../../index");

beforeAll(async () => {
    emulator = await installEmulator({ stack: "dev" });
    pulumi.runtime.setAllConfig(stackConfig("dev"));
    program = await import("../../index");
});

describe("dev stack", () => {
    it("creates the stack's CA from Pulumi.dev.yaml with Pulumi.yaml's defaults", async () => {
        const ca = new crypto.X509Certificate(await valueOf(program.caCertPem));
        expect(ca.subject).toBe("O=tls-platform\nCN=tls-platform dev CA");
        expect(ca.ca).toBe(true);
        expect(emulator.get("tls:index/privateKey:PrivateKey", "platform-ca-key").inputs).toEqual({ algorithm: "ECDSA", ecdsaCurve: "P256" });
        expect(emulator.get("tls:index/selfSignedCert:SelfSignedCert", "platform-ca-cert").inputs.validityPeriodHours).toBe(1095 * 24);
    });

    it("issues the application's client certificate under it, and exports its key only as a secret", async () => {
        const cert = new crypto.X509Certificate(await valueOf(program.appClientCertPem));
        expect(cert.subject).toBe("CN=app");
        expect(cert.keyUsage).toEqual(["1.3.6.1.5.5.7.3.2"]);
        expect(cert.checkIssued(new crypto.X509Certificate(await valueOf(program.caCertPem)))).toBe(true);
        expect(await pulumi.isSecret(program.appClientPrivateKeyPem)).toBe(true);
        expect(cert.checkPrivateKey(crypto.createPrivateKey(await valueOf(program.appClientPrivateKeyPem)))).toBe(true);
        expect(Date.parse(await valueOf(program.appClientValidityEndTime))).toBe(Date.parse(cert.validTo));
    });

    it("creates nothing the provider would refuse", () => {
        expect(emulator.failures).toEqual([]);
    });
});
