import { describe, expect, it } from "vitest";
import { snapshotCronError } from "./cron";

// croncpp v2023.03.30 behind Dragonfly's --snapshot_cron (src/server/server_family.cc prepends "0 ").
describe("snapshotCronError", () => {
    it.each(["*/15 * * * *", "0 * * * *", "0-59/5 0-23 1-31 1-12 0-6", "0 3 ? * MON", "0 3 1 jan,jul ?", "  5   4 * * *", ""])(
        "accepts %j", (expression) => {
            expect(snapshotCronError(expression)).toBeUndefined();
        });

    it.each([
        ["60 * * * *", "Specified range exceeds maximum"],
        ["* 24 * * *", "Specified range exceeds maximum"],
        ["* * 0 * *", "Specified range is less than minimum"],
        ["* * * 13 *", "Specified range exceeds maximum"],
        ["* * * * 7", "Specified range exceeds maximum"],
        ["30-10 * * * *", "Specified range start exceeds range end"],
        ["1,2, * * * *", "Value cannot end with comma"],
        ["*/0 * * * *", "Incrementer must be a positive value"],
        ["*/ * * * *", "Incrementer must have two fields"],
        ["1-2-3 * * * *", "Specified range requires two fields"],
        ["x * * * *", "stoul"],
        ["0 */5 * * * *", "cron expression must have six fields"],
        ["*/15 * * *", "cron expression must have six fields"],
        ['"*/15 * * * *"', "Could it be that you put quotes in the flagfile?"],
    ])("refuses %j: %s", (expression, error) => {
        expect(snapshotCronError(expression)).toBe(error);
    });

    it("reads a number as std::stoul does, then narrows it to croncpp's 8-bit cron_int", () => {
        expect(snapshotCronError("5x * * * *")).toBeUndefined();
        expect(snapshotCronError("300 * * * *")).toBeUndefined(); // 300 mod 256 = minute 44
        expect(snapshotCronError("316 * * * *")).toBe("Specified range exceeds maximum"); // 60
    });
});
