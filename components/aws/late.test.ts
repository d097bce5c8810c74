import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { checkedWhenKnown } from "./late";
import { validateAuthToken } from "./validate-cache";
import { settle } from "../../tests/support/outputs";

describe("checkedWhenKnown", () => {
    it("fails an output whose value turns out bad with a ResourceError listing every problem", async () => {
        const { error } = await settle(checkedWhenKnown(pulumi.secret("hunter2%"), validateAuthToken, 'ElastiCacheCache "c"', undefined));
        expect(pulumi.ResourceError.isInstance(error)).toBe(true);
        expect(error!.message).toMatch(/^ElastiCacheCache "c": 2 problems:\n {2}- `authToken`: has 8 characters[\s\S]*\n {2}- `authToken`: contains `%`/);
        expect(error!.message).not.toContain("hunter2");
    });

    it("passes a good output through, still secret", async () => {
        const checked = checkedWhenKnown(pulumi.secret("Good-token-0123456789"), validateAuthToken, "c", undefined);
        expect(await settle(checked)).toEqual({ value: "Good-token-0123456789" });
        expect(await pulumi.isSecret(checked)).toBe(true);
    });

    it("does not check again a value that was known, and so checked, at construction", async () => {
        expect(await settle(checkedWhenKnown("short", validateAuthToken, "c", undefined))).toEqual({ value: "short" });
    });
});
