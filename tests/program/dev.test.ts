import * as crypto from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, valueOf, type ProviderEmulator } from "../emulator";
import { CONNECTION_DOCUMENT_KEYS, documentKeys, stackConfig } from "./stack";

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

    it("puts the three services on one internal network, published on 127.0.0.1 at the configured ports", async () => {
        await valueOf(program.connections!);
        const backend = emulator.get("docker:index/network:Network", "backend");
        expect(backend.inputs).toEqual({ name: "tls-platform-dev-backend", internal: true, driver: "bridge" });
        const containers = emulator.ofType("docker:index/container:Container");
        expect(containers.map((c) => c.inputs.name).sort()).toEqual(["tls-platform-dev-cache", "tls-platform-dev-db", "tls-platform-dev-proxy"]);
        for (const c of containers) {
            expect(c.inputs.networksAdvanced[0].name).toBe("tls-platform-dev-backend");
        }
        const ports = containers.flatMap((c) => c.inputs.ports.map((p: { ip: string; external: number }) => `${p.ip}:${p.external}`)).sort();
        expect(ports).toEqual(["127.0.0.1:5433", "127.0.0.1:6380", "127.0.0.1:8080", "127.0.0.1:8443"]);
    });

    it("demands the application's client certificate at the database by default, and hands it over in the document", async () => {
        const connections = await valueOf(program.connections!);
        expect(await pulumi.isSecret(program.connections!)).toBe(true);
        expect(connections.database.tls.clientCertificate).toEqual({ certPem: await valueOf(program.appClientCertPem), privateKeyPem: await valueOf(program.appClientPrivateKeyPem) });
        expect(connections.database.username).toBe("app");
        expect(connections.cache.tls.clientCertificate).toBeNull();
        expect(connections.proxy.url).toBe("https://127.0.0.1:8443/");
        const db = emulator.ofType("docker:index/container:Container").find((c) => c.inputs.name === "tls-platform-dev-db")!;
        expect(db.inputs.command).toContain("ssl_ca_file=/etc/postgresql/tls/ca.crt");
    });

    it("writes every document with the schema's keys, the same as prod's", async () => {
        const connections = await valueOf(program.connections!);
        for (const document of Object.values(connections)) {
            expect(documentKeys(document as unknown as Record<string, unknown>)).toEqual(CONNECTION_DOCUMENT_KEYS);
        }
    });

    it("pins Dragonfly to one thread, which the 1gb default covers on the emulated 8-CPU laptop", async () => {
        await valueOf(program.connections!);
        const cache = emulator.ofType("docker:index/container:Container").find((c) => c.inputs.name === "tls-platform-dev-cache")!;
        expect(cache.inputs.command).toEqual(expect.arrayContaining([`--maxmemory=${1024 ** 3}`, "--proactor_threads=1"]));
    });

    // The emulator refuses a Dragonfly container that would exit at start on its 8-CPU host (tests/dragonfly-model).
    it("creates nothing the provider would refuse", () => {
        expect(emulator.failures).toEqual([]);
    });
});
