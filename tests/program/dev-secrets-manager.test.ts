import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, valueOf, type ProviderEmulator } from "../emulator";
import { CONNECTION_DOCUMENT_KEYS, documentKeys, stackConfig } from "./stack";

// The dev stack writing its documents to a local Secrets Manager emulator instead of stack outputs.
let emulator: ProviderEmulator;
let program: typeof import("../../index");

beforeAll(async () => {
    emulator = await installEmulator({ stack: "dev" });
    pulumi.runtime.setAllConfig(stackConfig("dev", { secretsSink: "aws-secrets-manager", secretsManagerEndpoint: "http://127.0.0.1:4566" }));
    program = await import("../../index");
});

describe("dev stack with the Secrets Manager sink and an endpoint override", () => {
    it("sends Secrets Manager and KMS to the local endpoint, one secret per service under tls-platform/dev", async () => {
        await valueOf(program.connectionSecretArns!.proxy!);
        const provider = emulator.get("pulumi:providers:aws", "connections-endpoint");
        expect(JSON.parse(provider.inputs.endpoints)).toEqual([{ secretsmanager: "http://127.0.0.1:4566", kms: "http://127.0.0.1:4566" }]);
        expect(provider.inputs.region).toBe("us-east-1");
        for (const service of ["cache", "database", "proxy"]) {
            const secret = emulator.get("aws:secretsmanager/secret:Secret", `connections-${service}`);
            expect(secret.inputs.name).toBe(`tls-platform/dev/${service}`);
            expect(secret.provider).toMatch(/connections-endpoint::/);
            const version = await emulator.waitFor("aws:secretsmanager/secretVersion:SecretVersion", `connections-${service}`);
            expect(documentKeys(JSON.parse(version.inputs.secretString))).toEqual(CONNECTION_DOCUMENT_KEYS);
        }
        expect(program.connections).toBeUndefined();
    });
});
