import { createHash } from "node:crypto";
import * as path from "node:path";
import type { ContainerFile } from "../container";

/**
 * The certificate files of a service are not Docker uploads: every `uploads` field is ForceNew in the
 * Docker provider ("the container is mutated once, and never updated later", kreuzwerker
 * terraform-provider-docker resource_docker_container.go), so a renewed certificate would replace the
 * container and drop every connection. They live in a named volume instead, mounted read-only over the
 * service's TLS directory, written by the volume writer (writer.ts) and picked up by a reload.
 */

/** A file of a service's TLS directory, as the writer puts it there. */
export interface TlsFile {
    /** File name inside the TLS directory (no directories). */
    readonly name: string;
    readonly content: string;
    /** Octal mode, e.g. `0600`. */
    readonly permissions: string;
    /** Numeric uid and gid: the writer runs in the image, where names may mean other ids. */
    readonly owner: string;
    readonly group: string;
}

/** What the volume writer reads on stdin: a generation line, then one line per file. */
export interface TlsPayload {
    /** First 16 hex digits of the SHA-256 of the files: the same files always make the same generation. */
    readonly generation: string;
    /** The writer's stdin. Holds private keys: keep it a secret. */
    readonly stdin: string;
}

const FILE_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;

/**
 * Splits a renderer's uploads into the files of `tlsDir` (delivered through the volume) and the rest (still
 * uploads: configuration that does not change when a certificate does).
 */
export function partitionUploads(uploads: readonly ContainerFile[], tlsDir: string): { tls: TlsFile[]; uploads: ContainerFile[] } {
    const tls: TlsFile[] = [];
    const rest: ContainerFile[] = [];
    for (const upload of uploads) {
        if (path.posix.dirname(upload.file) === tlsDir) {
            tls.push({ name: path.posix.basename(upload.file), content: upload.content, permissions: upload.permissions, owner: upload.owner, group: upload.group });
        } else if (upload.file.startsWith(`${tlsDir}/`)) {
            throw new Error(`${upload.file}: the TLS directory ${tlsDir} holds files only, no subdirectories`);
        } else {
            rest.push(upload);
        }
    }
    return { tls, uploads: rest };
}

/**
 * The writer's input. Each line is `name mode uid:gid base64`; base64 keeps PEM newlines out of the line
 * format, and the content never reaches an argument vector (the writer decodes with a shell builtin
 * `printf` piped into `base64 -d`).
 */
export function tlsPayload(files: readonly TlsFile[]): TlsPayload {
    const sorted = [...files].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    const lines = sorted.map((f) => {
        if (!FILE_NAME.test(f.name)) throw new Error(`TLS file name ${JSON.stringify(f.name)}: use letters, digits, '.', '_' and '-' only`);
        if (!/^0?[0-7]{3}$/.test(f.permissions)) throw new Error(`TLS file ${f.name}: permissions ${JSON.stringify(f.permissions)} is not an octal mode`);
        if (!/^\d+$/.test(f.owner) || !/^\d+$/.test(f.group)) throw new Error(`TLS file ${f.name}: owner and group must be numeric ids`);
        return `${f.name} ${f.permissions} ${f.owner}:${f.group} ${Buffer.from(f.content, "utf8").toString("base64")}`;
    });
    if (new Set(sorted.map((f) => f.name)).size !== sorted.length) throw new Error("TLS files: a file name is repeated");
    const generation = createHash("sha256").update(lines.join("\n")).digest("hex").slice(0, 16);
    return { generation, stdin: [generation, ...lines].join("\n") + "\n" };
}
