#!/usr/bin/env node
"use strict";
/**
 * `docker` for the rotation test: runs exactly the two docker CLI calls the components' commands make
 * (components/shared/rotation/writer.ts and probe.ts), on the harness's containers and volumes, and refuses
 * every other call (exit 125), so a component that starts calling docker differently fails here.
 *
 * Rules carried from the docker CLI / engine (docs.docker.com/reference/cli/docker/container/run, /exec):
 *  - `docker run --rm -i --network none --user 0:0 --entrypoint /bin/sh --volume VOL:PATH IMAGE ARGS...`
 *    runs `/bin/sh ARGS...` as root, in a fresh mount and network namespace (no network), with the volume's
 *    directory at PATH and stdin attached (-i); the image's files are this machine's (Debian, as the
 *    images). The image's uid/gid map to local accounts as the harness maps uploads (ids in the state).
 *    Stricter than docker: a volume that does not exist is refused (docker would create an empty one).
 *  - `docker exec CONTAINER ARGV...` runs ARGV in the container's namespaces as root (the image's USER:
 *    none of the three images sets one), with the container's environment, stdin not attached (no -i),
 *    and exits with ARGV's status; an unknown container is docker's "No such container" and exit 1.
 * The state (volumes, containers) is the JSON file named by TLS_PLATFORM_DOCKER_STANDIN.
 */
const { spawnSync } = require("node:child_process");
const fs = require("node:fs");

const CONTAINER_PATH = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
const RUN_PREFIX = ["run", "--rm", "-i", "--network", "none", "--user", "0:0", "--entrypoint", "/bin/sh", "--volume"];

function refuse(message) {
    process.stderr.write(`docker stand-in: ${message}\n`);
    process.exit(125);
}

const state = JSON.parse(fs.readFileSync(process.env.TLS_PLATFORM_DOCKER_STANDIN ?? refuse("TLS_PLATFORM_DOCKER_STANDIN is not set"), "utf8"));
const args = process.argv.slice(2);

if (args[0] === "run") {
    if (RUN_PREFIX.some((word, i) => args[i] !== word) || args.length < RUN_PREFIX.length + 3) refuse(`not emulated: docker ${args.slice(0, 12).join(" ")}`);
    const [volumeName, mountPath, ...extra] = args[RUN_PREFIX.length].split(":");
    if (!mountPath || extra.length > 0 || !mountPath.startsWith("/")) refuse(`--volume ${args[RUN_PREFIX.length]} is not NAME:/path`);
    const volume = state.volumes[volumeName];
    if (!volume) refuse(`no such volume ${volumeName} (the component creates it before the writer runs)`);
    const shArgs = args.slice(RUN_PREFIX.length + 2);
    // The image's numeric owners, as the harness maps uploads: the payload's `name mode uid:gid data` lines.
    const input = fs.readFileSync(0, "utf8").split("\n").map((line, i) => {
        const fields = line.split(" ");
        if (i === 0 || fields.length !== 4) return line;
        fields[2] = volume.ids[fields[2]] ?? refuse(`owner ${fields[2]} of ${fields[0]} has no local equivalent in this harness`);
        return fields.join(" ");
    }).join("\n");
    fs.mkdirSync(mountPath, { recursive: true });
    const r = spawnSync("unshare", ["--mount", "--net", "--fork", "--propagation=private", "--", "/bin/sh", "-c", 'mount --bind "$1" "$2" && shift 2 && exec /bin/sh "$@"', "mount", volume.hostPath, mountPath, ...shArgs], {
        input, stdio: ["pipe", "inherit", "inherit"], env: { PATH: CONTAINER_PATH },
    });
    process.exit(r.status ?? 125);
} else if (args[0] === "exec") {
    const [, name, ...argv] = args;
    if (!name || name.startsWith("-") || argv.length === 0) refuse(`not emulated: docker ${args.join(" ")}`);
    const container = state.containers[name];
    if (!container) {
        process.stderr.write(`Error response from daemon: No such container: ${name}\n`);
        process.exit(1);
    }
    // A stand-in server takes its own spelling of the same command (e.g. redis-server for Dragonfly).
    const rewritten = argv.map((arg) => container.rewrites.reduce((a, [from, to]) => a.split(from).join(to), arg));
    const env = Object.entries({ PATH: CONTAINER_PATH, ...container.env }).map(([k, v]) => `${k}=${v}`);
    const r = spawnSync("nsenter", [`--target=${container.pid}`, "--mount", "--net", "--pid", "--ipc", "--uts", "--", "env", "-i", ...env, ...rewritten], {
        stdio: ["ignore", "inherit", "inherit"],
    });
    process.exit(r.status ?? 125);
} else {
    refuse(`not emulated: docker ${args.join(" ")}`);
}
