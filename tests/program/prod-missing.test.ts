import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { installEmulator } from "../emulator";
import { stackConfig } from "./stack";

describe("prod stack before its keys are filled in", () => {
    it("stops `pulumi preview` with one message listing each key to set, with an example, and creates nothing", async () => {
        const emulator = await installEmulator({ stack: "prod", preview: true });
        pulumi.runtime.setAllConfig(stackConfig("prod"));
        await expect(import("../../index")).rejects.toThrow(
            [
                'stack "prod" config: 4 problems:',
                "  - `aws:region` is not set; set it with `pulumi config set aws:region eu-west-1`.",
                "  - `tls-platform:vpcId` is not set; set it with `pulumi config set vpcId vpc-0123456789abcdef0`.",
                "  - `tls-platform:subnetIds` is not set; set it with `pulumi config set --path 'subnetIds[0]' subnet-0123456789abcdef0 (one per availability zone)`.",
                "  - `tls-platform:allowedSecurityGroupIds` is not set; set it with `pulumi config set --path 'allowedSecurityGroupIds[0]' sg-0123456789abcdef0 (your application's security group; or allowedCidrs)`.",
            ].join("\n"),
        );
        await new Promise((resolve) => setTimeout(resolve, 200));
        expect(emulator.resources).toEqual([]);
    });
});
