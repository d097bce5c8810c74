import type { Problem } from "../shared/problems";
import type { ContainerFile } from "../shared/container";
// Pure renderers and checks for a TLS-only Dragonfly container
// (image docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1). No Pulumi imports.
// "facts §1" = /work/shared/reference/facts.md, Dragonfly section; DF = dragonflydb/dragonfly sources.

export const DRAGONFLY_IMAGE = "docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1";
export const DEFAULT_DRAGONFLY_PORT = 6379;
/** Snapshot schedule when none is given: every 15 minutes. */
export const DEFAULT_DRAGONFLY_SNAPSHOT_CRON = "*/15 * * * *";
/** Fixed snapshot name, so a replacement container finds the previous one in /data. */
export const DRAGONFLY_SNAPSHOT_NAME = "dump";
/** uid/gid of `dfly` in the image; it reads the key after setpriv (facts §1, tools/docker/entrypoint.sh). */
export const DRAGONFLY_IMAGE_UID = "999";
/** Dragonfly exits when maxmemory < threads × 256 MiB (DF src/server/dfly_main.cc RunEngine). */
export const DRAGONFLY_MIN_MEMORY_PER_THREAD = 256 * 1024 * 1024;

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
    /**
     * PEM of the CA whose client certificates are demanded. Setting it makes a client certificate
     * mandatory: Dragonfly has no optional mode (facts §1, tls_helpers.cc). @default - no client certificates
     */
    readonly clientCaCertPem?: string;
    /** Cron expression (5 fields) for snapshots into /data. @default - "*\/15 * * * *" */
    readonly snapshotCron?: string;
    /** Admin port (TLS and password apply to it too, facts §1). @default - off */
    readonly adminPort?: number;
}

const MEMORY_UNITS: Record<string, number> = {
    b: 1, kb: 1024, kib: 1024, mb: 1024 ** 2, mib: 1024 ** 2, gb: 1024 ** 3, gib: 1024 ** 3, tb: 1024 ** 4, tib: 1024 ** 4,
};

/**
 * Bytes for a size such as `1gb`, `512mb`, `1.5GiB`. Units are 1024-based, as in Dragonfly
 * (DF src/server/common.cc ParseHumanReadableBytes), and mandatory: bare `1g` is 10^9 in redis.conf but
 * 2^30 in Dragonfly, so it is refused rather than guessed. The flag is rendered as plain bytes, which
 * ParseHumanReadableBytes also accepts.
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

const CRON_FIELD = /^[0-9*/,\-]+$/;

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
    try {
        const bytes = parseMemoryLimit(input.maxMemory);
        if (bytes < DRAGONFLY_MIN_MEMORY_PER_THREAD) {
            problems.push({ path: "maxMemory", message:
                `\`maxMemory\`: \`${input.maxMemory}\` is below 256mb; Dragonfly needs 256mb per thread ` +
                "and exits otherwise (dfly_main.cc), so use at least `256mb` (times the CPU count it gets)" });
        }
    } catch (e) {
        problems.push({ path: "maxMemory", message: (e as Error).message });
    }
    const cron = input.snapshotCron ?? DEFAULT_DRAGONFLY_SNAPSHOT_CRON;
    const fields = cron.trim().split(/\s+/);
    if (fields.length !== 5 || !fields.every((f) => CRON_FIELD.test(f))) {
        problems.push({ path: "snapshotCron", message:
            `\`snapshotCron\`: \`${cron}\` is not a 5-field cron expression; use e.g. \`*/15 * * * *\`` });
    }
    if (input.clientCaCertPem !== undefined && !input.clientCaCertPem.includes("-----BEGIN CERTIFICATE-----")) {
        problems.push({ path: "clientCaCertPem", message:
            "`clientCaCertPem`: the value is not a PEM certificate (no `-----BEGIN CERTIFICATE-----` line); pass the CA's certPem" });
    }
    return problems;
}

/**
 * Container `command`. Arguments start with "-", so the image's entrypoint prepends
 * `dragonfly --logtostderr` and drops to uid 999 (facts §1). Unknown flags abort startup, hence
 * checkDragonflyFlags. Client certificates are demanded by --tls_ca_cert_file; there is no
 * --tls_client_cert_required (facts §1 ⚠). Dragonfly's minimum TLS version is fixed at 1.2, no flag.
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
        `--maxmemory=${parseMemoryLimit(input.maxMemory)}`,
        `--dir=${DRAGONFLY_DATA_DIR}`,
        `--dbfilename=${DRAGONFLY_SNAPSHOT_NAME}`,
        // snapshot_cron, not save_schedule: the latter makes Dragonfly exit (server_family.cc InferSnapshotCronExpr).
        `--snapshot_cron=${input.snapshotCron ?? DEFAULT_DRAGONFLY_SNAPSHOT_CRON}`,
        ...(input.adminPort !== undefined ? [`--admin_port=${input.adminPort}`] : []),
    ];
}

/**
 * Container env. The password travels as DFLY_requirepass (any flag may be set as DFLY_<flag>);
 * DFLY_PASSWORD, still named in the help text, makes Dragonfly LOG(FATAL) since v1.37 (facts §1).
 */
export function dragonflyEnvs(password: string | undefined): string[] {
    return password ? [`DFLY_requirepass=${password}`] : [];
}

/**
 * Server key/cert and CA uploads, owned by the image's uid 999 (only /data is chowned, facts §1).
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
 * redis-cli ships in the image (facts §1); the image's own HEALTHCHECK speaks plaintext.
 * The verification is of the chain only: redis-cli (7.0.15, hiredis) checks no host name, and `--sni`
 * only sends one (tried against a certificate for another name; it still answered PONG).
 */
export function dragonflyHealthcheck(input: DragonflyConfigInput): string {
    const clientCert = input.clientCaCertPem ? ` --cert ${DRAGONFLY_SERVER_CERT_PATH} --key ${DRAGONFLY_SERVER_KEY_PATH}` : "";
    return (
        `REDISCLI_AUTH="$DFLY_requirepass" redis-cli --tls --cacert ${DRAGONFLY_ISSUER_CA_PATH}${clientCert}` +
        ` --sni localhost -h 127.0.0.1 -p ${input.port ?? DEFAULT_DRAGONFLY_PORT} PING | grep -qx PONG`
    );
}

/** Flag names from a flags list file (one per line, `#` comments). */
export function parseFlagList(text: string): Set<string> {
    return new Set(text.split("\n").map((l) => l.trim()).filter((l) => l !== "" && !l.startsWith("#")));
}

/** Parsed `--name[=value]` arguments; a bare boolean flag gets value "true". */
export function parseDragonflyArgs(args: readonly string[]): Map<string, string> {
    const parsed = new Map<string, string>();
    for (const arg of args) {
        const m = /^--?([^=]+)(?:=(.*))?$/s.exec(arg);
        if (m) parsed.set(m[1]!, m[2] ?? "true");
    }
    return parsed;
}

/**
 * Problems that would abort startup: arguments that are not `--flag[=value]`, unknown flags
 * (absl::ParseCommandLine rejects them) and env names other than DFLY_<known flag> (dfly_main.cc
 * ParseFlagsFromEnv LOG(FATAL)s). absl also accepts `--noflag` for booleans.
 */
export function checkDragonflyFlags(args: readonly string[], knownFlags: ReadonlySet<string>, envs: readonly string[] = []): string[] {
    const problems: string[] = [];
    for (const arg of args) {
        const m = /^--?([^=]+)(?:=.*)?$/s.exec(arg);
        if (!m) {
            problems.push(`argument \`${arg}\` is not of the form --flag or --flag=value`);
            continue;
        }
        const name = m[1]!;
        const known = knownFlags.has(name) || (name.startsWith("no") && knownFlags.has(name.slice(2)));
        if (!known) problems.push(`flag \`--${name}\` is not a Dragonfly flag; startup would abort`);
    }
    for (const env of envs) {
        const name = env.split("=", 1)[0]!;
        if (name.startsWith("DFLY_") && !knownFlags.has(name.slice("DFLY_".length))) {
            problems.push(`env \`${name}\` is not DFLY_<flag>; Dragonfly would LOG(FATAL) at startup`);
        }
    }
    return problems;
}

/**
 * Mirrors ValidateServerTlsFlags (DF src/server/server_family.cc): with --tls, a non-empty requirepass
 * (flag or DFLY_requirepass) or a CA file/dir is needed, else "TLS configured but no authentication
 * method is used!" and exit. Also: tls_key_file is mandatory with --tls (facts §1).
 */
export function checkDragonflyTlsAuth(args: readonly string[], envs: readonly string[] = []): string[] {
    const flags = parseDragonflyArgs(args);
    for (const env of envs) {
        const [name, ...rest] = env.split("=");
        if (name!.startsWith("DFLY_") && !flags.has(name!.slice(5))) flags.set(name!.slice(5), rest.join("="));
    }
    const tls = flags.get("tls");
    if (tls === undefined || tls === "false") return [];
    const nonEmpty = (name: string): boolean => (flags.get(name) ?? "") !== "";
    const problems: string[] = [];
    if (!nonEmpty("requirepass") && !nonEmpty("tls_ca_cert_file") && !nonEmpty("tls_ca_cert_dir")) {
        problems.push("--tls needs an authentication method: set DFLY_requirepass or --tls_ca_cert_file; " +
            "Dragonfly exits with \"TLS configured but no authentication method is used!\"");
    }
    if (!nonEmpty("tls_key_file")) problems.push("--tls needs --tls_key_file");
    return problems;
}
