import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { installEmulator } from "../emulator";
import { filledProdConfig, stackConfig } from "./stack";

describe("prod stack with a recovery window outside 7-30 days", () => {
    it("stops before creating anything, naming the key, the value, the range and the fix", async () => {
        const emulator = await installEmulator({ stack: "prod", preview: true });
        pulumi.runtime.setAllConfig(stackConfig("prod", { ...filledProdConfig().overrides, secretsRecoveryWindowDays: "3" }));
        await expect(import("../../index")).rejects.toThrow(
            [
                'stack "prod" config: 1 problem:',
                "  - `tls-platform:secretsRecoveryWindowDays`: 3 is outside 7-30 days; a deleted connection secret must stay recoverable for a week at least, so use 7 to 30 (default 30), or 0 with `allowImmediateDeletion: true` on a throwaway stack.",
            ].join("\n"),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(emulator.resources).toEqual([]);
    });
});
