/**
 * A container's registered Docker `uploads` as harness files: the text, mode and numeric owner exactly as
 * the component registered them. Only literal uploads are emulated (`file`, `content`, `permissions`,
 * `owner`, `group`); anything else the provider would do (`source`, `contentBase64`, `executable`, owner
 * names) is refused here rather than approximated.
 */
import type { FileSpec } from "./rootfs";

/** One registered upload, as the provider emulator recorded it (values are plain, but typed as Inputs). */
export interface RegisteredUpload {
    readonly file: unknown;
    readonly content?: unknown;
    readonly permissions?: unknown;
    readonly owner?: unknown;
    readonly group?: unknown;
}

const EMULATED_KEYS = new Set(["file", "content", "permissions", "owner", "group"]);

function text(upload: RegisteredUpload, key: keyof RegisteredUpload, pattern: RegExp, what: string): string {
    const value = upload[key];
    if (typeof value !== "string" || !pattern.test(value)) {
        throw new Error(`upload ${JSON.stringify(upload.file)}: \`${key}\` is ${JSON.stringify(value)}, expected ${what}`);
    }
    return value;
}

/** The uploads as FileSpecs: path = file, mode = octal permissions, uid/gid = numeric owner/group. */
export function fileSpecsFromUploads(uploads: readonly RegisteredUpload[]): FileSpec[] {
    return uploads.map((u) => {
        const unsupported = Object.keys(u).filter((k) => !EMULATED_KEYS.has(k));
        if (unsupported.length > 0) {
            throw new Error(`upload ${JSON.stringify(u.file)}: the harness does not emulate ${unsupported.map((k) => `\`${k}\``).join(", ")}`);
        }
        return {
            path: text(u, "file", /^\//, "an absolute path"),
            content: text(u, "content", /^/, "a string"),
            mode: parseInt(text(u, "permissions", /^0?[0-7]{3,4}$/, "an octal mode such as `0644`"), 8),
            // Names would be looked up in the image's /etc/passwd, which the harness does not have.
            uid: Number(text(u, "owner", /^\d+$/, "a numeric uid")),
            gid: Number(text(u, "group", /^\d+$/, "a numeric gid")),
        };
    });
}
