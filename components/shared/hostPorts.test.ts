import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { claimHostPorts, hostPortConflicts } from "./hostPorts";

// The program-wide registry of published host ports: keyed by the engine's monitor, so a program
// sees its own services' ports and nothing of another program run in the same process.

const noResources: pulumi.runtime.Mocks = {
    newResource: () => {
        throw new Error("no resources in this test");
    },
    call: () => {
        throw new Error("no calls in this test");
    },
};
const port = (argument: string, number: number, address: string) => ({ argument, port: number, address });

describe("host port claims", () => {
    it("refuses a port another service of the program publishes on the same address or on every interface", async () => {
        await pulumi.runtime.setMocks(noResources, "p", "s");
        claimHostPorts('DragonflyCache "cache"', [port("hostPort", 6380, "127.0.0.1")]);
        expect(hostPortConflicts([port("hostPort", 6380, "127.0.0.1")]).map((p) => p.path)).toEqual(["hostPort"]);
        expect(hostPortConflicts([port("httpHostPort", 6380, "0.0.0.0")]).map((p) => p.path)).toEqual(["httpHostPort"]);
        expect(hostPortConflicts([port("hostPort", 6380, "::1"), port("hostPort", 6381, "127.0.0.1")])).toEqual([]);
        claimHostPorts('NginxProxy "web"', [port("hostPort", 8443, "::")]);
        expect(hostPortConflicts([port("hostPort", 8443, "0:0:0:0:0:0:0:1")]).map((p) => p.message)).toEqual([
            '`hostPort`: 8443 is already published on :: by NginxProxy "web" (`hostPort`) in this program, and Docker would refuse the second container at `pulumi up` ("port is already allocated") after creating the first; give each service its own host port, or leave `hostPort` out to let Docker pick a free one.',
        ]);
    });

    it("starts empty for each program: a new monitor does not see the last one's ports", async () => {
        await pulumi.runtime.setMocks(noResources, "p", "s");
        claimHostPorts('DragonflyCache "cache"', [port("hostPort", 6390, "127.0.0.1")]);
        expect(hostPortConflicts([port("hostPort", 6390, "127.0.0.1")])).toHaveLength(1);
        await pulumi.runtime.setMocks(noResources, "p", "s");
        expect(hostPortConflicts([port("hostPort", 6390, "127.0.0.1")])).toEqual([]);
    });
});
