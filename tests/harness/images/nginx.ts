/**
 * The official nginx image (nginx/docker-nginx stable/debian) emulated on Debian's nginx: a container is
 * started with the command and uploads its component registered with the Docker provider, as root, with
 * the image's worker user `nginx` (uid/gid 101). The uploads are the component's own list
 * (components/nginx/config.ts `nginxUploads`); nothing here adds or renames a file of the component's.
 *
 * Gaps to the pinned 1.30 image, each handled here and nowhere else:
 * - Debian has no `nginx` user, so the container gets an /etc/passwd and /etc/group with the image's
 *   `nginx:x:101:101` (host entries using id 101 are dropped, the image has none). The rendered config
 *   keeps `user nginx;` as the image's own nginx.conf does.
 * - Debian's nginx is 1.22.1, which does not know `http2 on;` (added in 1.25.1). `adaptConfForLocalNginx`
 *   removes exactly that one line of the uploaded nginx.conf and nothing else; `nginx.test.ts` asserts it
 *   is the only difference between what was registered and what runs.
 * - The image's ENTRYPOINT (docker-entrypoint.sh) is not run: for a command starting with `nginx` it runs
 *   the /docker-entrypoint.d scripts, which only touch conf.d/default.conf and templates (neither is
 *   included by the rendered config) or act on NGINX_ENTRYPOINT_* variables the component does not set,
 *   and then `exec`s the command.
 */
import * as fs from "node:fs";
import { NGINX_CONF_PATH } from "../../../components/nginx/defaults";
import { type Container, type FileSpec, type StartOptions, startInNamespace } from "../namespace";
import { fileSpecsFromUploads, type RegisteredUpload } from "../uploads";

export const NGINX_UID = 101;
export const NGINX_GID = 101;
/** The one line that nginx < 1.25.1 rejects (`unknown directive "http2"`). */
export const HTTP2_DIRECTIVE_LINE = /^[ \t]*http2 on;\n/m;

/** The rendered config minus its `http2 on;` line, for the local nginx 1.22. Throws unless there is exactly one. */
export function adaptConfForLocalNginx(conf: string): string {
    const matches = conf.match(new RegExp(HTTP2_DIRECTIVE_LINE.source, "gm")) ?? [];
    if (matches.length !== 1) throw new Error(`expected exactly one \`http2 on;\` line in the rendered config, found ${matches.length}`);
    return conf.replace(HTTP2_DIRECTIVE_LINE, "");
}

function withImageAccount(file: "/etc/passwd" | "/etc/group", entry: string): FileSpec {
    const idColumn = 2; // uid in passwd, gid in group
    const kept = fs
        .readFileSync(file, "utf8")
        .split("\n")
        .filter((line) => line && line.split(":")[idColumn] !== String(NGINX_UID) && !line.startsWith("nginx:"));
    return { path: file, content: [...kept, entry].join("\n") + "\n", mode: 0o644 };
}

export interface NginxContainerInput {
    /** The container's command, as registered. */
    readonly command: readonly string[];
    /** The container's uploads, as registered; nginx.conf is adapted for nginx 1.22 here. */
    readonly uploads: readonly RegisteredUpload[];
    /** Files that are not uploads: what Docker itself writes (/etc/hosts) or a test puts in place (ACME challenges). */
    readonly files?: readonly FileSpec[];
    /** @default - [443, 80] */
    readonly publish?: readonly number[];
    /** Named volumes (the TLS volume) and fixed host ports. */
    readonly binds?: StartOptions["binds"];
    readonly hostPorts?: StartOptions["hostPorts"];
}

/** The files the emulated container sees at its paths: the uploads (nginx.conf adapted) and the image's account. */
function containerFiles(input: Pick<NginxContainerInput, "uploads" | "files">): FileSpec[] {
    const uploads = fileSpecsFromUploads(input.uploads);
    if (!uploads.some((f) => f.path === NGINX_CONF_PATH)) throw new Error(`no upload at ${NGINX_CONF_PATH}; the image's own config is not emulated`);
    return [
        ...uploads.map((f) => (f.path === NGINX_CONF_PATH ? { ...f, content: adaptConfForLocalNginx(String(f.content)) } : f)),
        withImageAccount("/etc/passwd", `nginx:x:${NGINX_UID}:${NGINX_GID}:nginx user:/nonexistent:/bin/false`),
        withImageAccount("/etc/group", `nginx:x:${NGINX_GID}:`),
        ...(input.files ?? []),
    ];
}

export function startNginxContainer(input: NginxContainerInput): Promise<Container> {
    return startInNamespace({
        name: "nginx",
        files: containerFiles(input),
        argv: input.command,
        publish: input.publish ?? [443, 80],
        binds: input.binds,
        hostPorts: input.hostPorts,
    });
}
