// What Dragonfly checks of a command line and environment before it serves: the flag names it knows,
// how DFLY_<flag> variables combine with flags, and its TLS start-up rules. Pure: the tests check what
// the component registered with them, and the tests' start-up model (tests/dragonfly-model) builds on them.
// Sources: dragonflydb/dragonfly at tag v1.40.1, romange/helio at 884366af (its submodule there).

/**
 * Flags of the helio library that Dragonfly's binary parses besides its own, which are all the vendored
 * flags list holds: romange/helio util/fibers/proactor_pool.cc (proactor_threads, proactor_affinity_mode)
 * and base/file_log_sink.cc (logtostderr, which the image's entrypoint adds, and log_dir).
 */
export const HELIO_FLAGS: ReadonlySet<string> = new Set(["proactor_threads", "proactor_affinity_mode", "logtostderr", "log_dir"]);

/** Flag names from a flags list file (one per line, `#` comments). */
export function parseFlagList(text: string): Set<string> {
    return new Set(text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#")));
}

/** Parsed `--name[=value]` arguments; a bare flag gets value "true", a repeated one keeps the last, as in absl. */
export function parseDragonflyArgs(args: readonly string[]): Map<string, string> {
    const parsed = new Map<string, string>();
    for (const arg of args) {
        const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
        if (m) parsed.set(m[1]!, m[2] ?? "true");
    }
    return parsed;
}

/**
 * absl's boolean flag values, case-insensitive after trimming: 1 t true y yes, 0 f false n no
 * (abseil absl/flags/marshalling.cc, AbslParseFlag for bool); undefined for anything else.
 */
export function parseAbslBool(value: string): boolean | undefined {
    const v = value.trim().toLowerCase();
    if (["1", "t", "true", "y", "yes"].includes(v)) return true;
    if (["0", "f", "false", "n", "no"].includes(v)) return false;
    return undefined;
}

/**
 * The flag values Dragonfly runs with: the command line, then DFLY_<flag> from the environment for
 * each flag not on the command line (src/server/dfly_main.cc, ParseFlagsFromEnv skips a flag that
 * WasPresentOnCommandLine, and DFLY_DEV_ENV, which is no flag). Given the known flags, `--noX` for a
 * known X reads as X=false, absl's negated boolean.
 */
export function effectiveDragonflyFlags(args: readonly string[], envs: readonly string[] = [], knownFlags?: ReadonlySet<string>): Map<string, string> {
    const flags = new Map<string, string>();
    for (const [name, value] of parseDragonflyArgs(args)) {
        const negated = knownFlags !== undefined && !knownFlags.has(name) && name.startsWith("no") && knownFlags.has(name.slice(2));
        flags.set(negated ? name.slice(2) : name, negated ? "false" : value);
    }
    for (const env of envs) {
        const eq = env.indexOf("=");
        const name = eq < 0 ? env : env.slice(0, eq);
        if (name.startsWith("DFLY_") && name !== "DFLY_DEV_ENV" && !flags.has(name.slice(5))) {
            flags.set(name.slice(5), eq < 0 ? "" : env.slice(eq + 1));
        }
    }
    return flags;
}

/**
 * Problems that would abort startup: arguments that are not `--flag[=value]`, unknown flags
 * (absl::ParseCommandLine rejects them; helio's MainInitGuard calls it, romange/helio base/init.cc) and
 * env names other than DFLY_<flag> (src/server/dfly_main.cc, ParseFlagsFromEnv LOG(FATAL)s; DFLY_DEV_ENV
 * is the one exception). `knownFlags` are Dragonfly's own; helio's (HELIO_FLAGS) are always known too.
 * absl also accepts `--noflag` for booleans.
 */
export function checkDragonflyFlags(args: readonly string[], knownFlags: ReadonlySet<string>, envs: readonly string[] = []): string[] {
    const isFlag = (name: string) => knownFlags.has(name) || HELIO_FLAGS.has(name);
    const problems: string[] = [];
    for (const arg of args) {
        const m = /^--?([^=]+)(?:=.*)?$/s.exec(arg);
        if (!m) {
            problems.push(`argument \`${arg}\` is not of the form --flag or --flag=value`);
            continue;
        }
        const name = m[1]!;
        if (!isFlag(name) && !(name.startsWith("no") && isFlag(name.slice(2)))) {
            problems.push(`flag \`--${name}\` is not a Dragonfly flag; startup would abort`);
        }
    }
    for (const env of envs) {
        const name = env.split("=", 1)[0]!;
        if (name.startsWith("DFLY_") && name !== "DFLY_DEV_ENV" && !isFlag(name.slice("DFLY_".length))) {
            problems.push(`env \`${name}\` is not DFLY_<flag>; Dragonfly would LOG(FATAL) at startup`);
        }
    }
    return problems;
}

/**
 * Mirrors ValidateServerTlsFlags (src/server/server_family.cc): with --tls, a non-empty requirepass
 * (flag or DFLY_requirepass) or a CA file/dir is needed, else "TLS configured but no authentication
 * method is used!" and exit. And the listener's TLS context needs --tls_key_file, else Dragonfly exits
 * (src/facade/tls_helpers.cc, CreateSslCntx; src/facade/dragonfly_listener.cc, Listener::Listener).
 */
export function checkDragonflyTlsAuth(args: readonly string[], envs: readonly string[] = []): string[] {
    const flags = effectiveDragonflyFlags(args, envs);
    if (parseAbslBool(flags.get("tls") ?? "false") !== true) return [];
    const nonEmpty = (name: string): boolean => (flags.get(name) ?? "") !== "";
    const problems: string[] = [];
    if (!nonEmpty("requirepass") && !nonEmpty("tls_ca_cert_file") && !nonEmpty("tls_ca_cert_dir")) {
        problems.push("--tls needs an authentication method: set DFLY_requirepass or --tls_ca_cert_file; " +
            "Dragonfly exits with \"TLS configured but no authentication method is used!\"");
    }
    if (!nonEmpty("tls_key_file")) {
        problems.push("--tls needs --tls_key_file; Dragonfly exits with " +
            "\"To use TLS, a server certificate must be provided with the --tls_key_file flag!\"");
    }
    return problems;
}
