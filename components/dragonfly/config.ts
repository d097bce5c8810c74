import type { Problem } from "../shared/problems";
import type { ContainerFile } from "../shared/container";
import { snapshotCronError } from "./cron";
import { TLS12_CIPHER_STRING } from "../shared/tlsProfile";
// Pure renderers and checks for a TLS-only Dragonfly container
// (image docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1). No Pulumi imports.
// Upstream sources are named by repository, file and function: dragonflydb/dragonfly at tag v1.40.1,
// and romange/helio (its submodule there, 884366af) for flag parsing, threads and memory sizes.
// tests/dragonfly-model/README.md lists Dragonfly's start-up rules with their line numbers.

// Dragonfly's checks of a whole command line live in flags.ts; re-exported for the tests that import them from here.
export { checkDragonflyFlags, checkDragonflyTlsAuth, parseDragonflyArgs, parseFlagList } from "./flags";

export const DRAGONFLY_IMAGE = "docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1";
export const DEFAULT_DRAGONFLY_PORT = 6379;
/** Snapshot schedule when none is given: every 15 minutes. */
export const DEFAULT_DRAGONFLY_SNAPSHOT_CRON = "*/15 * * * *";
/** Fixed snapshot name, so a replacement container finds the previous one in /data. */
export const DRAGONFLY_SNAPSHOT_NAME = "dump";
/**
 * uid/gid of `dfly` in the image (dragonflydb/dragonfly tools/packaging/Dockerfile.ubuntu-prod); the
 * entrypoint drops to it with setpriv before Dragonfly reads the key (tools/docker/entrypoint.sh).
 */
export const DRAGONFLY_IMAGE_UID = "999";
/**
 * Dragonfly exits at start when maxmemory is below this times its thread count
 * (dragonflydb/dragonfly src/server/dfly_main.cc, RunEngine: "There are N threads, so X are required").
 */
export const DRAGONFLY_MIN_MEMORY_PER_THREAD = 256 * 1024 * 1024;
/**
 * Proactor threads when none are given. Pinned, because without `--proactor_threads` Dragonfly runs
 * one thread per CPU it may use (romange/helio util/fibers/proactor_pool.cc, ProactorPool::ProactorPool),
 * so the memory it needs would depend on the machine. One thread is one shard, as single-threaded as the
 * ElastiCache engines of prod; it needs only 256mb and leaves a laptop's other CPUs to the other services.
 */
export const DEFAULT_DRAGONFLY_PROACTOR_THREADS = 1;
/** Dragonfly aborts with 1024 threads or more (src/server/main_service.cc, kMaxThreadSize, checked in Service::Service). */
export const DRAGONFLY_MAX_PROACTOR_THREADS = 1023;

export const DRAGONFLY_DATA_DIR = "/data";
export const DRAGONFLY_TLS_DIR = "/etc/dragonfly/tls";
export const DRAGONFLY_SERVER_CERT_PATH = `${DRAGONFLY_TLS_DIR}/server.crt`;
export const DRAGONFLY_SERVER_KEY_PATH = `${DRAGONFLY_TLS_DIR}/server.key`;
export const DRAGONFLY_CLIENT_CA_PATH = `${DRAGONFLY_TLS_DIR}/ca.crt`;
/** The CA that issued the server certificate, for the healthcheck's verification. */
export const DRAGONFLY_ISSUER_CA_PATH = `${DRAGONFLY_TLS_DIR}/issuer-ca.crt`;

/** Resolved arguments (no pulumi.Input). */
export interface DragonflyConfigInput {
    /** Port Dragonfly listens on inside the container. @default - 6379 */
    readonly port?: number;
    /** Memory limit such as `1gb` or `512mb` (1024-based units). */
    readonly maxMemory: string;
    /** Proactor threads (`--proactor_threads`); each needs 256mb of `maxMemory`. @default - 1 */
    readonly proactorThreads?: number;
    /**
     * PEM of the CA whose client certificates are demanded. Setting it makes a client certificate
     * mandatory: Dragonfly has no optional mode (src/facade/tls_helpers.cc, CreateSslCntx).
     * @default - no client certificates
     */
    readonly clientCaCertPem?: string;
    /** Cron expression (5 fields) for snapshots into /data. @default - "*\/15 * * * *" */
    readonly snapshotCron?: string;
    /**
     * Admin port; TLS and the password apply to it too (src/facade/dragonfly_listener.cc,
     * Listener::ReconfigureTLS, unless `--no_tls_on_admin_port`; `--admin_nopass` is off). @default - off
     */
    readonly adminPort?: number;
}

const MEMORY_UNITS: Record<string, number> = {
    b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3, tb: 1024 ** 4, tib: 1024 ** 4,
};

/**
 * Bytes for a size such as `1gb`, `512mb`, `1.5GiB`. Units are 1024-based, as in Dragonfly's
 * `--maxmemory` (a helio MemoryBytesFlag: romange/helio strings/human_readable.cc,
 * ParseHumanReadableBytes), and mandatory: bare `1g` is 10^9 in redis.conf but 2^30 in Dragonfly, so
 * it is refused rather than guessed. The flag is rendered as plain bytes, which that parser also accepts.
 */
export function parseMemoryLimit(value: string): number {
    const match = /^\s*(\d+(?:\.\d+)?)\s*([a-z]+)\s*$/i.exec(value);
    const unit = match ? MEMORY_UNITS[match[2]!.toLowerCase()] : undefined;
    if (!match || unit === undefined) {
        throw new Error(
            `\`maxMemory\`: \`${value}\` is not a memory size; use a number with one of the units ` +
            "b, kb, mb, gb, tb (1024-based; kib, mib, gib, tib also accepted), for example `512mb` or `2gb`");
    }
    const bytes = Math.floor(Number(match[1]) * unit);
    if (bytes <= 0) {
        throw new Error(`\`maxMemory\`: \`${value}\` is zero; give a positive size such as \`512mb\``);
    }
    return bytes;
}

/** A whole number of bytes as the largest unit that divides it: `2gb`, `768mb`, `300000000b`. */
export function formatMemorySize(bytes: number): string {
    for (const [unit, size] of [["gb", 1024 ** 3], ["mb", 1024 ** 2], ["kb", 1024]] as const) {
        if (bytes % size === 0) return `${bytes / size}${unit}`;
    }
    return `${bytes}b`;
}


/** Every problem with the arguments at once. */
export function validateDragonflyInput(input: DragonflyConfigInput): Problem[] {
    const problems: Problem[] = [];
    const portProblem = (path: string, port: number): void => {
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
            problems.push({ path, message:
                `\`${path}\`: \`${port}\` is out of range; use a whole number from 1 to 65535` });
        }
    };
    portProblem("port", input.port ?? DEFAULT_DRAGONFLY_PORT);
    if (input.adminPort !== undefined) {
        portProblem("adminPort", input.adminPort);
        if (input.adminPort === (input.port ?? DEFAULT_DRAGONFLY_PORT)) {
            problems.push({ path: "adminPort", message:
                `\`adminPort\`: \`${input.adminPort}\` equals \`port\`; choose a different port or omit \`adminPort\`` });
        }
    }
    const threads = input.proactorThreads ?? DEFAULT_DRAGONFLY_PROACTOR_THREADS;
    const threadsValid = Number.isInteger(threads) && threads >= 1 && threads <= DRAGONFLY_MAX_PROACTOR_THREADS;
    if (!threadsValid) {
        problems.push({ path: "proactorThreads", message:
            `\`proactorThreads\`: \`${threads}\` is not a thread count Dragonfly runs with; use a whole number ` +
            `from 1 to ${DRAGONFLY_MAX_PROACTOR_THREADS} (it aborts at 1024), e.g. \`${DEFAULT_DRAGONFLY_PROACTOR_THREADS}\`` });
    }
    try {
        const bytes = parseMemoryLimit(input.maxMemory);
        const needed = threads * DRAGONFLY_MIN_MEMORY_PER_THREAD;
        if (threadsValid && bytes < needed) {
            const fewer = Math.floor(bytes / DRAGONFLY_MIN_MEMORY_PER_THREAD);
            problems.push({ path: "maxMemory", message:
                `\`maxMemory\`: \`${input.maxMemory}\` is less than the \`${formatMemorySize(needed)}\` Dragonfly needs for ` +
                `${threads} thread${threads === 1 ? "" : "s"} (\`proactorThreads\`, ${formatMemorySize(DRAGONFLY_MIN_MEMORY_PER_THREAD)} each) ` +
                "and it would exit at start (dragonflydb/dragonfly src/server/dfly_main.cc, RunEngine); " +
                `use at least \`${formatMemorySize(needed)}\`${fewer >= 1 ? `, or at most ${fewer} \`proactorThreads\`` : ""}` });
        }
    } catch (e) {
        problems.push({ path: "maxMemory", message: (e as Error).message });
    }
    const cron = input.snapshotCron ?? DEFAULT_DRAGONFLY_SNAPSHOT_CRON;
    const fields = cron.trim().split(/\s+/);
    const cronError = snapshotCronError(cron);
    // Names (JAN, MON) and `?` are croncpp's too; the command is argv, so no character needs refusing here.
    if (fields.length !== 5) {
        problems.push({ path: "snapshotCron", message:
            `\`snapshotCron\`: \`${cron}\` is not a 5-field cron expression; use e.g. \`*/15 * * * *\`` });
    } else if (cronError !== undefined) {
        problems.push({ path: "snapshotCron", message:
            `\`snapshotCron\`: \`${cron}\` is refused by Dragonfly's cron parser ("${cronError}", croncpp) and it would ` +
            "exit at start; use minutes 0-59, hours 0-23, days 1-31, months 1-12, weekdays 0-6, e.g. `*/15 * * * *`" });
    }
    if (input.clientCaCertPem !== undefined && !input.clientCaCertPem.includes("-----BEGIN CERTIFICATE-----")) {
        problems.push({ path: "clientCaCertPem", message:
            "`clientCaCertPem`: the value is not a PEM certificate (no `-----BEGIN CERTIFICATE-----` line); pass the CA's certPem" });
    }
    return problems;
}

/**
 * Container `command`. Arguments start with "-", so the image's entrypoint prepends
 * `dragonfly --logtostderr` and drops to uid 999 (tools/docker/entrypoint.sh). Unknown flags abort
 * startup (absl::ParseCommandLine, called by helio's MainInitGuard in base/init.cc), hence
 * checkDragonflyFlags. Client certificates are demanded by --tls_ca_cert_file; there is no
 * --tls_client_cert_required in Dragonfly's sources. The minimum TLS version is fixed at 1.2, with no
 * flag (src/facade/tls_helpers.cc, SSL_CTX_set_min_proto_version). The thread count is pinned so that
 * the memory rule does not depend on the host's CPUs.
 * TLS 1.2 suites are the library's one profile (../shared/tlsProfile.ts) through `--tls_ciphers`, whose
 * default `DEFAULT:!MEDIUM` admits CBC and static-RSA suites with OpenSSL 3 (tls_helpers.cc, CreateSslCntx, which exits on
 * a list OpenSSL refuses). `--tls_cipher_suites` (TLS 1.3) stays unset: OpenSSL's default is the
 * profile's. Dragonfly has no flag for key-exchange groups, so it offers OpenSSL's defaults, and
 * `--tls_prefer_server_ciphers` already defaults to the profile's `false`.
 */
export function dragonflyArgs(input: DragonflyConfigInput): string[] {
    const problems = validateDragonflyInput(input);
    if (problems.length > 0) {
        throw new Error(`invalid Dragonfly arguments:\n${problems.map((p) => `  ${p.message}`).join("\n")}`);
    }
    return [
        `--port=${input.port ?? DEFAULT_DRAGONFLY_PORT}`,
        "--tls",
        `--tls_cert_file=${DRAGONFLY_SERVER_CERT_PATH}`,
        `--tls_key_file=${DRAGONFLY_SERVER_KEY_PATH}`,
        ...(input.clientCaCertPem ? [`--tls_ca_cert_file=${DRAGONFLY_CLIENT_CA_PATH}`] : []),
        `--tls_ciphers=${TLS12_CIPHER_STRING}`,
        `--maxmemory=${parseMemoryLimit(input.maxMemory)}`,
        `--proactor_threads=${input.proactorThreads ?? DEFAULT_DRAGONFLY_PROACTOR_THREADS}`,
        `--dir=${DRAGONFLY_DATA_DIR}`,
        `--dbfilename=${DRAGONFLY_SNAPSHOT_NAME}`,
        // snapshot_cron, not save_schedule: the latter makes Dragonfly exit (src/server/server_family.cc, InferSnapshotCronExpr).
        `--snapshot_cron=${input.snapshotCron ?? DEFAULT_DRAGONFLY_SNAPSHOT_CRON}`,
        ...(input.adminPort !== undefined ? [`--admin_port=${input.adminPort}`] : []),
    ];
}

/**
 * Container env. The password travels as DFLY_requirepass (any flag may be set as DFLY_<flag>);
 * DFLY_PASSWORD, still named in the requirepass help text, is no flag, so Dragonfly LOG(FATAL)s on it
 * (src/server/dfly_main.cc, ParseFlagsFromEnv: "unknown environment variable DFLY_PASSWORD").
 */
export function dragonflyEnvs(password: string | undefined): string[] {
    return password ? [`DFLY_requirepass=${password}`] : [];
}

/**
 * Server key/cert and CA uploads, owned by the image's uid 999: the image chowns only /data
 * (tools/packaging/Dockerfile.ubuntu-prod, tools/docker/entrypoint.sh), and an upload is root's unless
 * told otherwise (kreuzwerker/terraform-provider-docker, resource_docker_container_funcs.go).
 * `issuerCaCertPem`, when given, is uploaded for the healthcheck to verify the server with.
 */
export function dragonflyUploads(input: DragonflyConfigInput, serverCertPem: string, serverKeyPem: string, issuerCaCertPem?: string): ContainerFile[] {
    const file = (path: string, content: string, permissions: string): ContainerFile =>
        ({ file: path, content, permissions, owner: DRAGONFLY_IMAGE_UID, group: DRAGONFLY_IMAGE_UID });
    return [
        file(DRAGONFLY_SERVER_CERT_PATH, serverCertPem, "0644"),
        file(DRAGONFLY_SERVER_KEY_PATH, serverKeyPem, "0600"),
        ...(input.clientCaCertPem ? [file(DRAGONFLY_CLIENT_CA_PATH, input.clientCaCertPem, "0644")] : []),
        ...(issuerCaCertPem ? [file(DRAGONFLY_ISSUER_CA_PATH, issuerCaCertPem, "0644")] : []),
    ];
}

/**
 * The container healthcheck: PING over TLS, verifying the server against its issuer and
 * authenticating with the password from the container's own DFLY_requirepass (redis-cli reads
 * REDISCLI_AUTH). Under mutual TLS it presents the server's certificate, issued for clientAuth too.
 * redis-cli ships in the image (redis-tools in tools/packaging/Dockerfile.ubuntu-prod); the image's own
 * HEALTHCHECK (tools/docker/healthcheck.sh) speaks plaintext.
 * The verification is of the chain only: redis-cli (7.0.15, hiredis) checks no host name, and `--sni`
 * only sends one (tried against a certificate for another name; it still answered PONG).
 */
export function dragonflyHealthcheck(input: DragonflyConfigInput): string {
    return `${redisCli(input)} PING | grep -qx PONG`;
}

/**
 * How the running server re-reads its certificate files: Dragonfly ignores SIGHUP and watches no files,
 * but `tls` and the `tls_*` file flags are mutable, and setting `tls` rebuilds every listener's TLS
 * context from the current paths while open connections keep theirs (src/server/server_family.cc, the
 * config registry's `tls` setter; upstream test test_config_update_tls_certs). The paths
 * never change (symlinks into the current generation), so `CONFIG SET tls true` is the whole reload.
 * redis-cli prints `OK` on success and Dragonfly's error otherwise, which fails the step and is shown.
 */
export function dragonflyReload(input: DragonflyConfigInput): string[] {
    return ["sh", "-c", `answer="$(${redisCli(input)} CONFIG SET tls true 2>&1)"; [ "$answer" = OK ] || { echo "Dragonfly refused the reload: $answer" >&2; exit 1; }`];
}

/** redis-cli inside the container, over TLS to the local port, verifying the server, authenticated. */
function redisCli(input: DragonflyConfigInput): string {
    const clientCert = input.clientCaCertPem ? ` --cert ${DRAGONFLY_SERVER_CERT_PATH} --key ${DRAGONFLY_SERVER_KEY_PATH}` : "";
    return `REDISCLI_AUTH="$DFLY_requirepass" redis-cli --tls --cacert ${DRAGONFLY_ISSUER_CA_PATH}${clientCert} --sni localhost -h 127.0.0.1 -p ${input.port ?? DEFAULT_DRAGONFLY_PORT}`;
}
