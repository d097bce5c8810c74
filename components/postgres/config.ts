import type { Problem } from "../shared/problems";
import type { ContainerFile } from "../shared/container";
import { TLS12_CIPHER_STRING, TLS_PREFER_SERVER_CIPHERS, TLS_SINGLE_EC_CURVE } from "../shared/tlsProfile";
// Pure renderers for a TLS-only PostgreSQL container (image postgres:17.9-bookworm).
// No Pulumi imports: the same functions feed the component and the tests that start a real server.
// Sources: postgres/postgres (PGS), docker-library/postgres 17/bookworm (DLP).

/** TLS protocol versions PostgreSQL accepts for `ssl_min_protocol_version` that we allow. */
export const POSTGRES_TLS_VERSIONS = ["TLSv1.2", "TLSv1.3"] as const;
export type PostgresTlsVersion = (typeof POSTGRES_TLS_VERSIONS)[number];

export const DEFAULT_POSTGRES_PORT = 5432;
export const DEFAULT_POSTGRES_MIN_TLS_VERSION: PostgresTlsVersion = "TLSv1.2";
/** The image's bootstrap superuser (POSTGRES_USER unset ⇒ "postgres", docker-entrypoint.sh file_env). */
export const POSTGRES_SUPERUSER = "postgres";
/** uid/gid of `postgres` in the Debian image (DLP 17/bookworm/Dockerfile); uploads are owned by it. */
export const POSTGRES_IMAGE_UID = "999";

// Container paths. Everything lives outside PGDATA so a volume reused by a replacement container
// never holds stale certificates.
export const POSTGRES_TLS_DIR = "/etc/postgresql/tls";
export const POSTGRES_SERVER_CERT_PATH = `${POSTGRES_TLS_DIR}/server.crt`;
export const POSTGRES_SERVER_KEY_PATH = `${POSTGRES_TLS_DIR}/server.key`;
export const POSTGRES_CLIENT_CA_PATH = `${POSTGRES_TLS_DIR}/ca.crt`;
/** The CA that issued the server certificate, for the healthcheck's verify-full connection. */
export const POSTGRES_ISSUER_CA_PATH = `${POSTGRES_TLS_DIR}/issuer-ca.crt`;
/**
 * How the running server re-reads its TLS files: SIGHUP to the postmaster, which is PID 1 (the image's
 * docker-entrypoint.sh ends in `exec "$@"` through gosu). Since PostgreSQL 10 a reload rebuilds the SSL
 * context (src/backend/postmaster/postmaster.c, process_pm_reload_request → secure_initialize(false)); a
 * broken new file is logged and the old context kept, which is why the reload step then reads the served
 * certificate.
 */
export const POSTGRES_RELOAD: readonly string[] = ["sh", "-c", "kill -HUP 1"];
export const POSTGRES_HBA_PATH = "/etc/postgresql/pg_hba.conf";
export const POSTGRES_SECRETS_DIR = "/etc/postgresql/secrets";
export const POSTGRES_SUPERUSER_PASSWORD_PATH = `${POSTGRES_SECRETS_DIR}/superuser-password`;
export const POSTGRES_APP_PASSWORD_PATH = `${POSTGRES_SECRETS_DIR}/app-password`;
export const POSTGRES_INITDB_DIR = "/docker-entrypoint-initdb.d";
export const POSTGRES_INIT_SCRIPT_PATH = `${POSTGRES_INITDB_DIR}/10-app-user.sql`;
/** PGDATA of the 17 image (18+ moved it to /var/lib/postgresql/18/docker, DLP). Mount the data volume here. */
export const POSTGRES_DATA_DIR = "/var/lib/postgresql/data";

/** Arguments shared by every renderer. Values are already resolved (no pulumi.Input). */
export interface PostgresConfigInput {
    /** Port the server listens on inside the container. @default - 5432 */
    readonly port?: number;
    /** Application role created at first start; with mutual TLS its client certificate CN must equal it. */
    readonly user: string;
    /** Application database created at first start, owned by `user`. */
    readonly database: string;
    /** Lowest TLS version accepted. @default - "TLSv1.2" */
    readonly minTlsVersion?: string;
    /** Demand a client certificate signed by `clientCaCertPem` whose CN equals the user. @default - false */
    readonly mutualTls?: boolean;
    /** PEM of the CA that issues client certificates; required when `mutualTls` is true. @default - none */
    readonly clientCaCertPem?: string;
}

// Lower-case only: unquoted SQL folds to lower case, and the client-certificate CN must match the role
// name byte for byte (clientcert=verify-full). 63 bytes = NAMEDATALEN - 1.
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

function identifierProblems(path: string, value: string): Problem[] {
    if (!IDENTIFIER.test(value)) {
        return [{ path, message:
            `\`${path}\`: \`${value}\` is not allowed; use 1-63 characters from a-z, 0-9 and _, ` +
            `starting with a letter or _ (for example \`app\`)` }];
    }
    if (value.startsWith("pg_")) {
        return [{ path, message:
            `\`${path}\`: \`${value}\` starts with \`pg_\`, which PostgreSQL reserves; choose a name without that prefix` }];
    }
    if (path === "user" && value === POSTGRES_SUPERUSER) {
        return [{ path, message:
            `\`user\`: \`${value}\` is the image's superuser; choose a separate application role name (for example \`app\`)` }];
    }
    return [];
}

/** Every problem with the arguments at once, so a user can fix them in one pass. */
export function validatePostgresInput(input: PostgresConfigInput): Problem[] {
    const problems: Problem[] = [];
    const port = input.port ?? DEFAULT_POSTGRES_PORT;
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
        problems.push({ path: "port", message:
            `\`port\`: \`${port}\` is out of range; use a whole number from 1 to 65535 (PostgreSQL's default is 5432)` });
    }
    const version = input.minTlsVersion ?? DEFAULT_POSTGRES_MIN_TLS_VERSION;
    if (!(POSTGRES_TLS_VERSIONS as readonly string[]).includes(version)) {
        problems.push({ path: "minTlsVersion", message:
            `\`minTlsVersion\`: \`${version}\` is not allowed; use \`TLSv1.2\` or \`TLSv1.3\` (TLS 1.0/1.1 are deprecated, RFC 8996)` });
    }
    const hasCa = input.clientCaCertPem !== undefined && input.clientCaCertPem.trim() !== "";
    if (input.mutualTls && !hasCa) {
        problems.push({ path: "clientCaCertPem", message:
            "`clientCaCertPem`: missing while `mutualTls` is true; PostgreSQL verifies client certificates " +
            "against ssl_ca_file, so pass the issuing CA's certificate PEM or set `mutualTls: false`" });
    } else if (hasCa && !input.clientCaCertPem!.includes("-----BEGIN CERTIFICATE-----")) {
        problems.push({ path: "clientCaCertPem", message:
            "`clientCaCertPem`: the value is not a PEM certificate (no `-----BEGIN CERTIFICATE-----` line); " +
            "pass the CA's certPem" });
    }
    problems.push(...identifierProblems("user", input.user));
    problems.push(...identifierProblems("database", input.database));
    return problems;
}

function assertValid(input: PostgresConfigInput): void {
    const problems = validatePostgresInput(input);
    if (problems.length > 0) {
        throw new Error(`invalid PostgreSQL arguments:\n${problems.map((p) => `  ${p.message}`).join("\n")}`);
    }
}

/**
 * pg_hba.conf. Rows are matched top-down, first match wins (client-auth.sgml).
 * - `local` scram-sha-256: the image's first-run init talks to a socket-only temp server and exports
 *   PGPASSWORD, so a custom hba_file without a `local` row breaks initialisation (DLP docker-entrypoint.sh docker_temp_server_start).
 * - `hostnossl … reject` makes a plaintext TCP attempt fail with an explicit hba message.
 * - `clientcert=verify-full`: the client certificate must chain to ssl_ca_file AND its CN must equal the
 *   requested user, on top of the password (PGS src/backend/libpq/hba.c parse_hba_auth_opt).
 */
export function renderPgHba(input: Pick<PostgresConfigInput, "mutualTls">): string {
    const tcpOptions = input.mutualTls ? "scram-sha-256 clientcert=verify-full" : "scram-sha-256";
    return [
        "# Rendered by components/postgres/config.ts: TLS-only access.",
        "# TYPE    DATABASE USER ADDRESS METHOD",
        "local     all      all          scram-sha-256",
        "hostnossl all      all  all     reject",
        `hostssl   all      all  all     ${tcpOptions}`,
        "",
    ].join("\n");
}

/**
 * The container `command`. The image prepends nothing when $1 is `postgres` and runs the same args for
 * its init temp server (plus listen_addresses='' -p 5432), so certificates are loaded at init too.
 * Every setting exists in PostgreSQL 15 and 17 (tests/servers/postgres.test.ts checks 15 locally).
 * TLS 1.2 suites, curve and cipher order are the library's one profile (../shared/tlsProfile.ts): without
 * them PostgreSQL offers `HIGH:MEDIUM:+3DES:!aNULL`, CBC, CAMELLIA and static-RSA suites included
 * (src/backend/utils/misc/guc_parameters.dat). Up to 17 `ssl_ecdh_curve` takes one curve (18 renames
 * it `ssl_groups` and takes a list).
 */
export function postgresCommand(input: PostgresConfigInput): string[] {
    assertValid(input);
    const settings: string[] = [
        "listen_addresses=*",
        `port=${input.port ?? DEFAULT_POSTGRES_PORT}`,
        "ssl=on",
        `ssl_cert_file=${POSTGRES_SERVER_CERT_PATH}`,
        `ssl_key_file=${POSTGRES_SERVER_KEY_PATH}`,
        ...(input.clientCaCertPem ? [`ssl_ca_file=${POSTGRES_CLIENT_CA_PATH}`] : []),
        `ssl_min_protocol_version=${input.minTlsVersion ?? DEFAULT_POSTGRES_MIN_TLS_VERSION}`,
        `ssl_ciphers=${TLS12_CIPHER_STRING}`,
        `ssl_ecdh_curve=${TLS_SINGLE_EC_CURVE}`,
        `ssl_prefer_server_ciphers=${TLS_PREFER_SERVER_CIPHERS ? "on" : "off"}`,
        "password_encryption=scram-sha-256",
        `hba_file=${POSTGRES_HBA_PATH}`,
    ];
    return ["postgres", ...settings.flatMap((s) => ["-c", s])];
}

/** Container env: only the path of the superuser password, never the password (docker-entrypoint.sh file_env). */
export function postgresEnvs(): string[] {
    return [`POSTGRES_PASSWORD_FILE=${POSTGRES_SUPERUSER_PASSWORD_PATH}`];
}

// psql meta-command argument in single quotes: '' for a quote, \\ for a backslash (psql-ref.sgml,
// "Meta-Commands"). Values reaching SQL are then quoted by psql itself: :"v" → PQescapeIdentifier,
// :'v' → PQescapeLiteral.
function psqlMetaQuote(value: string): string {
    return `'${value.replace(/\\/g, "\\\\").replace(/'/g, "''")}'`;
}

/**
 * /docker-entrypoint-initdb.d script (run by the image with psql as the superuser, once, on an empty
 * data dir). psql reads the application password with a backquoted `cat <path>`, so the secret is in
 * neither argv nor env; psql quotes every interpolated name and literal. Idempotent, so it is safe if
 * the database already exists (POSTGRES_DB equal to `database`).
 */
export function renderInitScript(input: PostgresConfigInput): string {
    assertValid(input);
    return [
        "-- Rendered by components/postgres/config.ts; runs once, on the first start with an empty data dir.",
        "\\set ON_ERROR_STOP on",
        `\\set app_user ${psqlMetaQuote(input.user)}`,
        `\\set app_db ${psqlMetaQuote(input.database)}`,
        `\\set app_password \`cat ${shellQuote(POSTGRES_APP_PASSWORD_PATH)}\``,
        "SELECT format('CREATE ROLE %I', :'app_user')",
        "  WHERE NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = :'app_user') \\gexec",
        "ALTER ROLE :\"app_user\" WITH LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD :'app_password';",
        "\\unset app_password",
        "SELECT format('CREATE DATABASE %I OWNER %I', :'app_db', :'app_user')",
        "  WHERE NOT EXISTS (SELECT 1 FROM pg_database WHERE datname = :'app_db') \\gexec",
        "ALTER DATABASE :\"app_db\" OWNER TO :\"app_user\";",
        "REVOKE ALL ON DATABASE :\"app_db\" FROM PUBLIC;",
        "",
    ].join("\n");
}

function shellQuote(value: string): string {
    return `'${value.replace(/'/g, "'\\''")}'`;
}

/** Secret and certificate material a container needs, as PEM/text. */
export interface PostgresMaterial {
    /** Server certificate chain PEM (leaf first). */
    readonly serverCertPem: string;
    /** Server private key PEM. */
    readonly serverKeyPem: string;
    /** Bootstrap superuser password (POSTGRES_PASSWORD_FILE). */
    readonly superuserPassword: string;
    /** Application role password, read by the init script. */
    readonly appPassword: string;
    /** The server certificate's CA, uploaded for the healthcheck. @default - not uploaded */
    readonly issuerCaCertPem?: string;
}

/**
 * Files uploaded into the container. All owned by the image's postgres uid 999: PostgreSQL requires a
 * key owned by its user with mode ≤0600 (or root-owned ≤0640), checked at start (PGS
 * src/backend/libpq/be-secure-common.c); uploads default to root:root 0644 (kreuzwerker/terraform-provider-docker
 * resource_docker_container_funcs.go), which it refuses.
 */
export function postgresUploads(input: PostgresConfigInput, material: PostgresMaterial): ContainerFile[] {
    const file = (path: string, content: string, permissions: string): ContainerFile =>
        ({ file: path, content, permissions, owner: POSTGRES_IMAGE_UID, group: POSTGRES_IMAGE_UID });
    return [
        file(POSTGRES_SERVER_CERT_PATH, material.serverCertPem, "0644"),
        file(POSTGRES_SERVER_KEY_PATH, material.serverKeyPem, "0600"),
        ...(input.clientCaCertPem ? [file(POSTGRES_CLIENT_CA_PATH, input.clientCaCertPem, "0644")] : []),
        file(POSTGRES_HBA_PATH, renderPgHba(input), "0644"),
        file(POSTGRES_SUPERUSER_PASSWORD_PATH, material.superuserPassword, "0600"),
        file(POSTGRES_APP_PASSWORD_PATH, material.appPassword, "0600"),
        file(POSTGRES_INIT_SCRIPT_PATH, renderInitScript(input), "0644"),
        ...(material.issuerCaCertPem ? [file(POSTGRES_ISSUER_CA_PATH, material.issuerCaCertPem, "0644")] : []),
    ];
}

/**
 * The container healthcheck: pg_isready through TLS with `sslmode=verify-full` against the issuer and
 * the SAN `localhost`, so a broken certificate fails it. pg_isready reports a server that answers
 * (even one refusing the login, as a mutual-TLS server does without a client certificate) as ready,
 * and a failed TLS handshake or verification as no response. Under mutual TLS each probe therefore
 * leaves one `FATAL: connection requires a valid client certificate` in the server log.
 */
export function postgresHealthcheck(input: Pick<PostgresConfigInput, "port">): string {
    const conninfo = `host=localhost port=${input.port ?? DEFAULT_POSTGRES_PORT} dbname=postgres user=${POSTGRES_SUPERUSER} sslmode=verify-full sslrootcert=${POSTGRES_ISSUER_CA_PATH}`;
    return `pg_isready -q -t 5 -d '${conninfo}'`;
}
