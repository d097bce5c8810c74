import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, valueOf, type ProviderEmulator } from "../emulator";
import { stackConfig } from "./stack";

let emulator: ProviderEmulator;
let program: typeof import("../../index");

beforeAll(async () => {
    emulator = await installEmulator({ stack: "prod" });
    pulumi.runtime.setAllConfig(stackConfig("prod"));
    program = await import("../../index");
});

describe("prod stack", () => {
    it("creates its own CA and no Docker resource", async () => {
        await valueOf(program.caCertPem);
        await valueOf(program.appClientCertPem);
        expect(emulator.resources.filter((r) => r.type.startsWith("docker:"))).toEqual([]);
        expect(program.connections).toBeUndefined();
    });
});
