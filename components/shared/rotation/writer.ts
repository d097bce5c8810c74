/**
 * The volume writer: a shell script run by `docker run` in the service's own image, with the TLS volume
 * mounted, reading a payload (files.ts) on stdin. Each delivery is a new generation directory
 * `.gen-<hash>`; `current` is a symlink to one of them, switched by rename(2) (`mv -T`), which is atomic, so
 * each open of `<tlsDir>/server.crt` (a fixed symlink `server.crt -> current/server.crt`) gets a whole file
 * of one generation. Certificate and key are two opens, so a reader that straddles a switch can get one of
 * each (42 times in 100 switches against a tight read loop, see writer.test.ts): servers read them only
 * after the writer has exited (the container and the reload depend on it), never during a switch. New
 * files in a new directory also get new inodes, which nginx >= 1.27.2 needs to notice a changed
 * certificate on reload (it caches by path, inode and mtime).
 *
 * The images are Debian (postgres, nginx) and Ubuntu (Dragonfly) based: `/bin/sh`, GNU coreutils
 * (`base64 -d`, `mv -T`, `readlink`) are there.
 */

/** Where the writer container mounts the volume. */
export const WRITER_MOUNT = "/tls";

/**
 * `sh -c WRITER_SCRIPT tls-writer <dir>`. Prints one line on stdout, never file content. An unchanged
 * payload (same generation already current) changes nothing, so re-running it (an image bump re-runs it)
 * never leaves `current` pointing at a half-written directory.
 */
export const WRITER_SCRIPT = [
    "set -eu",
    "umask 077",
    'dir="$1"',
    'refuse() { echo "tls-platform writer: $1; nothing was changed" >&2; exit 64; }',
    // The whole payload is checked before anything is written: a refused payload leaves the volume as it was.
    'gen=""',
    "IFS= read -r gen || true",
    '[ -n "$gen" ] || refuse "the payload is empty: expected a generation line, then one line per file"',
    // The line is not echoed: a payload without its generation line starts with file content.
    'case "$gen" in *[!0-9a-f]*) refuse "the first line is not a generation id (lower-case hex digits)";; esac',
    'next=".gen-$gen"',
    'previous="$(readlink "$dir/current" 2>/dev/null || true)"',
    'if [ "$previous" = "$next" ] && [ -d "$dir/$next" ]; then echo "tls-platform writer: generation $gen is already current"; exit 0; fi',
    'files="$(cat)"',
    '[ -n "$files" ] || refuse "no files in the payload"',
    'names=" "',
    "while IFS=' ' read -r name mode owner data; do",
    '  case "$name" in ""|.*|*[!A-Za-z0-9._-]*) refuse "bad file name \\"$name\\": letters, digits, \'.\', \'_\' and \'-\' only, not starting with \'.\'";; esac',
    '  case "$names" in *" $name "*) refuse "file $name is repeated";; esac',
    '  names="$names$name "',
    '  case "$mode" in [0-7][0-7][0-7]|0[0-7][0-7][0-7]) ;; *) refuse "file $name: mode \\"$mode\\" is not an octal mode";; esac',
    '  case "$owner" in ""|*[!0-9:]*|*:*:*|:*|*:) refuse "file $name: owner \\"$owner\\" is not numeric uid:gid";; *:*) ;; *) refuse "file $name: owner \\"$owner\\" is not numeric uid:gid";; esac',
    '  printf \'%s\' "$data" | base64 -d >/dev/null 2>&1 || refuse "file $name: content is not base64"',
    'done <<EOF',
    '$files',
    'EOF',
    'rm -rf "$dir/$next.partial" "$dir/$next"',
    'trap \'rm -rf "$dir/$next.partial"\' EXIT',
    'mkdir "$dir/$next.partial"',
    "count=0",
    "while IFS=' ' read -r name mode owner data; do",
    '  printf \'%s\' "$data" | base64 -d > "$dir/$next.partial/$name"',
    '  chown "$owner" "$dir/$next.partial/$name"',
    '  chmod "$mode" "$dir/$next.partial/$name"',
    "  count=$((count + 1))",
    'done <<EOF',
    '$files',
    'EOF',
    'chmod 0755 "$dir/$next.partial"',
    'mv "$dir/$next.partial" "$dir/$next"',
    "trap - EXIT",
    'ln -sfn "$next" "$dir/.current.next"',
    'mv -fT "$dir/.current.next" "$dir/current"',
    // Where a refused reload goes back to (ROLLBACK_SCRIPT): the generation that was current until now.
    'if [ -n "$previous" ] && [ -d "$dir/$previous" ]; then ln -sfn "$previous" "$dir/.previous.next"; mv -fT "$dir/.previous.next" "$dir/.previous"; fi',
    // Fixed names through `current`, made once; a name new in this generation resolves from the switch on.
    "for name in $names; do",
    '  [ -L "$dir/$name" ] || ln -s "current/$name" "$dir/$name"',
    "done",
    // Keep the generation just replaced (a process may still be opening it) and drop older ones.
    'for old in "$dir"/.gen-*; do',
    '  [ -e "$old" ] || continue',
    '  case "${old##*/}" in "$next"|"$previous") ;; *) rm -rf "$old";; esac',
    "done",
    'echo "tls-platform writer: generation $gen is current ($count files)"',
].join("\n");

/**
 * `sh -c ROLLBACK_SCRIPT tls-rollback <dir> <generation>`: when `<generation>` is current, switch `current`
 * back to the generation it replaced (`.previous`, kept by the writer's pruning), atomically as the
 * writer switches. Nothing to undo when the generation is not current. Fails when there is no earlier
 * generation (the first delivery), leaving the volume as it is.
 */
export const ROLLBACK_SCRIPT = [
    "set -eu",
    'dir="$1"',
    'gen="$2"',
    'current="$(readlink "$dir/current" 2>/dev/null || true)"',
    'if [ "$current" != ".gen-$gen" ]; then echo "tls-platform rollback: generation $gen is not current; nothing to undo"; exit 0; fi',
    'previous="$(readlink "$dir/.previous" 2>/dev/null || true)"',
    'if [ -z "$previous" ] || [ "$previous" = "$current" ] || [ ! -d "$dir/$previous" ]; then echo "tls-platform rollback: no earlier generation to go back to; generation $gen stays" >&2; exit 1; fi',
    'ln -sfn "$previous" "$dir/.current.next"',
    'mv -fT "$dir/.current.next" "$dir/current"',
    'echo "tls-platform rollback: generation ${previous#.gen-} is current again"',
].join("\n");

/** The `docker run` that runs ROLLBACK_SCRIPT on `volume` for `generation`, in the service's image like the writer. */
export function rollbackCommand(volume: string, image: string, generation: string): string {
    return [
        "docker", "run", "--rm", "-i", "--network", "none", "--user", "0:0", "--entrypoint", "/bin/sh",
        "--volume", `${volume}:${WRITER_MOUNT}`, image, "-c", ROLLBACK_SCRIPT, "tls-rollback", WRITER_MOUNT, generation,
    ].map(shellQuote).join(" ");
}

/**
 * The `docker run` that writes a payload into `volume`: the service's image (already pulled, so no other
 * image is needed), root for chown, no network, removed afterwards. The payload goes on stdin (`-i`); the
 * argument vector holds no secret.
 */
export function writerCommand(volume: string, image: string): string {
    return [
        "docker", "run", "--rm", "-i", "--network", "none", "--user", "0:0", "--entrypoint", "/bin/sh",
        "--volume", `${volume}:${WRITER_MOUNT}`, image, "-c", WRITER_SCRIPT, "tls-writer", WRITER_MOUNT,
    ].map(shellQuote).join(" ");
}

/** POSIX single-quoting, for the command strings the command provider runs with `/bin/sh -c`. */
export function shellQuote(word: string): string {
    return /^[A-Za-z0-9_./:=@%+-]+$/.test(word) ? word : `'${word.replace(/'/g, `'\\''`)}'`;
}
