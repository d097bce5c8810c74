/**
 * The official nginx image (nginx/docker-nginx stable/debian) emulated on Debian's nginx: same config path,
 * same command (`nginx -g 'daemon off;'` as root), same worker user `nginx` with uid/gid 101.
 *
 * Two gaps to the pinned 1.30 image, each handled here and nowhere else:
 * - Debian has no `nginx` user, so the container gets an /etc/passwd and /etc/group with the image's
 *   `nginx:x:101:101` (host entries using id 101 are dropped, the image has none). The rendered config
 *   keeps `user nginx;` as the image's own nginx.conf does.
 * - Debian's nginx is 1.22.1, which does not know `http2 on;` (added in 1.25.1). `adaptConfForLocalNginx`
 *   removes exactly that one line and nothing else; `nginx.test.ts` asserts it is the only difference.
 */
import * as fs from "node:fs";
import { CLIENT_CA_PATH, NGINX_CONF_PATH, SERVER_CERT_PATH, SERVER_KEY_PATH } from "../../../components/nginx/defaults";
import { type Container, type FileSpec, startInNamespace } from "../namespace";

export const NGINX_IMAGE_COMMAND = ["nginx", "-g", "daemon off;"];
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
    /** nginx.conf exactly as deployed (already adapted for the local nginx). */
    readonly conf: string;
    readonly serverCertPem: string;
    readonly serverKeyPem: string;
    /** Uploaded to CLIENT_CA_PATH when given. */
    readonly clientCaCertPem?: string;
    /** More uploads, e.g. ACME challenge files. */
    readonly files?: readonly FileSpec[];
    /** @default - [443, 80] */
    readonly publish?: readonly number[];
}

/** The uploads a `docker.Container` running the nginx component gets. */
export function nginxUploads(input: NginxContainerInput): FileSpec[] {
    return [
        { path: NGINX_CONF_PATH, content: input.conf, mode: 0o644 },
        { path: SERVER_CERT_PATH, content: input.serverCertPem, mode: 0o644 },
        // Root-owned 0600: only the root master reads it, at config load (facts §3).
        { path: SERVER_KEY_PATH, content: input.serverKeyPem, mode: 0o600, uid: 0, gid: 0 },
        ...(input.clientCaCertPem ? [{ path: CLIENT_CA_PATH, content: input.clientCaCertPem, mode: 0o644 }] : []),
    ];
}

export function startNginxContainer(input: NginxContainerInput): Promise<Container> {
    return startInNamespace({
        name: "nginx",
        files: [
            ...nginxUploads(input),
            withImageAccount("/etc/passwd", `nginx:x:${NGINX_UID}:${NGINX_GID}:nginx user:/nonexistent:/usr/sbin/nologin`),
            withImageAccount("/etc/group", `nginx:x:${NGINX_GID}:`),
            ...(input.files ?? []),
        ],
        argv: NGINX_IMAGE_COMMAND,
        publish: input.publish ?? [443, 80],
    });
}
