import { describe, expect, it } from "vitest";
import { fileSpecsFromUploads, type RegisteredUpload } from "./uploads";

describe("fileSpecsFromUploads", () => {
    it("keeps path and text, and reads permissions as octal and owner/group as numeric ids", () => {
        const uploads = [
            { file: "/etc/x/server.key", content: "KEY\n", permissions: "0600", owner: "999", group: "998" },
            { file: "/etc/x/x.conf", content: "", permissions: "644", owner: "0", group: "0" },
        ];
        expect(fileSpecsFromUploads(uploads)).toEqual([
            { path: "/etc/x/server.key", content: "KEY\n", mode: 0o600, uid: 999, gid: 998 },
            { path: "/etc/x/x.conf", content: "", mode: 0o644, uid: 0, gid: 0 },
        ]);
    });

    it.each<[string, RegisteredUpload, string]>([
        ["an upload from a host file", { file: "/a", source: "/host/a", permissions: "0644", owner: "0", group: "0" } as RegisteredUpload, "the harness does not emulate `source`"],
        ["an owner name", { file: "/a", content: "x", permissions: "0644", owner: "nginx", group: "0" }, '`owner` is "nginx", expected a numeric uid'],
        ["permissions that are not octal", { file: "/a", content: "x", permissions: "0o644", owner: "0", group: "0" }, "`permissions` is \"0o644\", expected an octal mode"],
        ["missing permissions", { file: "/a", content: "x", owner: "0", group: "0" }, "`permissions` is undefined"],
        ["a relative path", { file: "a", content: "x", permissions: "0644", owner: "0", group: "0" }, "`file` is \"a\", expected an absolute path"],
    ])("refuses %s instead of guessing", (_, upload, message) => {
        expect(() => fileSpecsFromUploads([upload])).toThrow(message);
    });
});
