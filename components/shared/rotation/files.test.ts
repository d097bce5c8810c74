import { createHash } from "node:crypto";
import { describe, expect, it } from "vitest";
import { decodeTlsPayload } from "../../../tests/harness/volumes";
import { partitionUploads, tlsPayload, type TlsFile } from "./files";

const file = (name: string, content = `${name} content\n`, permissions = "0600", owner = "999", group = "999"): TlsFile => ({ name, content, permissions, owner, group });
const b64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

describe("tlsPayload", () => {
    const files = [file("server.key", "-----BEGIN PRIVATE KEY-----\nAAA\n-----END PRIVATE KEY-----\n"), file("server.crt", "CERT\n", "0644", "0", "0"), file("client-ca.crt", "CA\n", "644", "0", "0")];

    it("is one line per file sorted by name, after the generation: the first 16 hex digits of the SHA-256 of those lines", () => {
        const lines = ["client-ca.crt 644 0:0 " + b64("CA\n"), "server.crt 0644 0:0 " + b64("CERT\n"), "server.key 0600 999:999 " + b64(files[0]!.content)];
        const generation = createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 16);
        expect(tlsPayload(files)).toEqual({ generation, stdin: [generation, ...lines].join("\n") + "\n" });
    });

    it("is deterministic: the same files in any order give the same generation and stdin", () => {
        const a = tlsPayload(files);
        expect(tlsPayload([...files].reverse())).toEqual(a);
        expect(tlsPayload([files[1]!, files[0]!, files[2]!])).toEqual(a);
    });

    it.each([
        ["content", { content: "CERT 2\n" }],
        ["mode", { permissions: "0640" }],
        ["owner", { owner: "101" }],
        ["group", { group: "101" }],
        ["name", { name: "server.pem" }],
    ])("a changed %s is a new generation", (_, change) => {
        const changed = files.map((f) => (f.name === "server.crt" ? { ...f, ...change } : f));
        expect(tlsPayload(changed).generation).not.toBe(tlsPayload(files).generation);
    });

    it.each([
        ["", 'TLS file name "": use letters, digits, \'.\', \'_\' and \'-\' only'],
        [".current", 'TLS file name ".current": use letters, digits, \'.\', \'_\' and \'-\' only'],
        ["../server.key", 'TLS file name "../server.key": use letters, digits, \'.\', \'_\' and \'-\' only'],
        ["certs/server.crt", 'TLS file name "certs/server.crt": use letters, digits, \'.\', \'_\' and \'-\' only'],
        ["server key", 'TLS file name "server key": use letters, digits, \'.\', \'_\' and \'-\' only'],
        ["-rf", 'TLS file name "-rf": use letters, digits, \'.\', \'_\' and \'-\' only'],
    ])("refuses the file name %j", (name, message) => {
        expect(() => tlsPayload([file("server.crt"), file(name)])).toThrow(new Error(message));
    });

    it.each(["u+s", "0800", "10600", "60", "", "0600 "])("refuses the mode %j", (permissions) => {
        expect(() => tlsPayload([file("server.key", "K", permissions)])).toThrow(new Error(`TLS file server.key: permissions ${JSON.stringify(permissions)} is not an octal mode`));
    });

    it.each([
        ["postgres", "999"],
        ["999", "postgres"],
        ["", "0"],
        ["-1", "0"],
        ["0:0", "0"],
    ])("refuses the owner %j and group %j", (owner, group) => {
        expect(() => tlsPayload([file("server.key", "K", "0600", owner, group)])).toThrow(new Error("TLS file server.key: owner and group must be numeric ids"));
    });

    it("refuses a repeated file name", () => {
        expect(() => tlsPayload([file("server.crt", "A"), file("server.crt", "B")])).toThrow(new Error("TLS files: a file name is repeated"));
    });

    it("round-trips through decodeTlsPayload (tests/harness/volumes.ts): names, contents (newlines, non-ASCII, empty), modes, owners", () => {
        const odd = [...files, file("note.txt", "Zoë — ✓\r\nline two\n\n"), file("empty", "", "0400", "0", "0")];
        const decoded = decodeTlsPayload(tlsPayload(odd).stdin);
        expect(decoded).toEqual([...odd].sort((a, b) => (a.name < b.name ? -1 : 1)));
    });

    it("never puts file content on a line as written: a PEM's lines and spaces are base64", () => {
        const { stdin } = tlsPayload(files);
        expect(stdin).not.toContain("BEGIN PRIVATE KEY");
        for (const line of stdin.trimEnd().split("\n").slice(1)) expect(line.split(" ")).toHaveLength(4);
    });
});

describe("partitionUploads", () => {
    const upload = (file: string) => ({ file, content: `${file}\n`, permissions: "0600", owner: "999", group: "999" });

    it("takes the files directly in the TLS directory as TLS files and leaves every other upload", () => {
        const config = upload("/etc/postgresql/postgresql.conf");
        const sibling = upload("/etc/postgresql/tls-other/x");
        expect(partitionUploads([config, upload("/etc/postgresql/tls/server.crt"), sibling, upload("/etc/postgresql/tls/server.key")], "/etc/postgresql/tls")).toEqual({
            tls: [file("server.crt", "/etc/postgresql/tls/server.crt\n"), file("server.key", "/etc/postgresql/tls/server.key\n")],
            uploads: [config, sibling],
        });
    });

    it("refuses a file in a subdirectory of the TLS directory", () => {
        expect(() => partitionUploads([upload("/etc/postgresql/tls/ca/root.crt")], "/etc/postgresql/tls")).toThrow(
            new Error("/etc/postgresql/tls/ca/root.crt: the TLS directory /etc/postgresql/tls holds files only, no subdirectories"),
        );
    });
});
