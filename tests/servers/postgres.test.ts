/**
 * The rendered PostgreSQL container (components/postgres/config.ts) on a REAL server: the local
 * PostgreSQL 15 run through an emulation of the postgres:17 image's entrypoint (harness/images/postgres.ts)
 * with exactly the command, env and uploads the container gets. Clients: node-postgres with explicit
 * `ssl: {ca, cert, key, servername}` and psql with `sslmode=verify-full`.
 */
import { randomBytes } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { Client } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
    postgresCommand, postgresEnvs, postgresUploads, type PostgresConfigInput, type PostgresMaterial,
} from "../../components/postgres/config";
import {
    createPostgresVolume, LOCAL_PG_BIN, type PostgresContainerSpec, type PostgresVolume, type RunningPostgres, startPostgresImage,
} from "../harness/images/postgres";
import { issueCert, makeTestPki, type KeyPair } from "../support/test-pki";
import { probeTlsVersion, type ProbeResult, type TlsVersion } from "../support/tls-probe";
import { runProcess } from "../harness/process";

const USER = "app";
const DATABASE = "appdb";
const SAN_NAME = "db.internal";

/** Everything the tests need, as PEM strings; swap this for the project's PKI emulator output. */
interface PostgresTestPems {
    readonly caCertPem: string;
    readonly server: KeyPair; // SANs localhost, 127.0.0.1, db.internal
    readonly replacementServer: KeyPair; // SANs localhost, 127.0.0.1, db2.internal
    readonly client: KeyPair; // CN = USER
    readonly wrongCnClient: KeyPair; // same CA, CN = someone-else
    readonly foreignClient: KeyPair; // CN = USER, unrelated CA
}

function testPems(): PostgresTestPems {
    const pki = makeTestPki({ serverNames: [SAN_NAME], clientCommonName: USER });
    return {
        caCertPem: pki.ca.certPem,
        server: pki.server,
        replacementServer: issueCert(pki.ca, { commonName: "localhost", usage: "server", altNames: ["localhost", "127.0.0.1", "db2.internal"] }),
        client: pki.client,
        wrongCnClient: issueCert(pki.ca, { commonName: "someone-else", usage: "client" }),
        foreignClient: pki.foreignClient,
    };
}

function skipReason(): string | undefined {
    if (process.getuid?.() !== 0) return "needs root (namespaces, setpriv)";
    for (const bin of [`${LOCAL_PG_BIN}/postgres`, `${LOCAL_PG_BIN}/psql`, "/usr/bin/unshare", "/usr/bin/socat"]) {
        if (!fs.existsSync(bin)) return `${bin} is missing (apt-get install postgresql-15 socat)`;
    }
    return undefined;
}
const SKIP = skipReason();
if (SKIP) console.warn(`\n*** tests/servers/postgres.test.ts SKIPPED: ${SKIP} ***\n`);

// Quote, backslash, dollar and space: the init script must pass them through psql's literal quoting.
const APP_PASSWORD = `it's "a" \\pa$$ ${randomBytes(9).toString("base64url")}`;
const SUPERUSER_PASSWORD = randomBytes(18).toString("base64url");

function spec(input: PostgresConfigInput, server: KeyPair): PostgresContainerSpec {
    const material: PostgresMaterial = {
        serverCertPem: server.certPem, serverKeyPem: server.keyPem, superuserPassword: SUPERUSER_PASSWORD, appPassword: APP_PASSWORD,
    };
    return { command: postgresCommand(input), envs: postgresEnvs(), uploads: postgresUploads(input, material), port: input.port ?? 5432 };
}

interface PgOptions {
    port: number; servername?: string; ca?: string; cert?: KeyPair; ssl?: false; user?: string; password?: string; database?: string;
}

/** node-postgres: connect, run one query, disconnect. */
async function pgQuery(o: PgOptions, sql: string): Promise<Record<string, unknown>[]> {
    const client = new Client({
        host: "127.0.0.1", port: o.port, user: o.user ?? USER, password: o.password ?? APP_PASSWORD, database: o.database ?? DATABASE,
        connectionTimeoutMillis: 10_000,
        ssl: o.ssl === false ? false : { ca: o.ca, servername: o.servername ?? SAN_NAME, cert: o.cert?.certPem, key: o.cert?.keyPem },
    });
    client.on("error", () => undefined); // a post-handshake TLS alert arrives as an 'error' event too
    // Outside the try: end() after a failed connect() can wait forever for an 'end' that already happened.
    await client.connect();
    try {
        return (await client.query(sql)).rows;
    } finally {
        await client.end().catch(() => undefined);
    }
}

let tmp: string;
/** A file for libpq, which takes paths only; keys 0600 or libpq refuses them. */
function pemFile(name: string, pem: string): string {
    const file = path.join(tmp, name);
    fs.writeFileSync(file, pem, { mode: 0o600 });
    return file;
}

/** psql with a conninfo string (async: the published port is served by this process's event loop). */
async function psql(conninfo: string, sql: string, password = APP_PASSWORD): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const r = await runProcess([`${LOCAL_PG_BIN}/psql`, `${conninfo} connect_timeout=10 gssencmode=disable`, "-X", "-A", "-t", "-c", sql], {
        env: { PATH: process.env.PATH, PGPASSWORD: password }, timeoutMs: 20_000,
    });
    return { code: r.code, stdout: r.stdout.trim(), stderr: r.stderr };
}

/** s_client at SECLEVEL=0 after PostgreSQL's SSLRequest (`-starttls postgres`). */
function probePostgres(port: number, version: TlsVersion): Promise<ProbeResult> {
    return probeTlsVersion({ host: "127.0.0.1", port, version, starttls: "postgres" });
}

const started: RunningPostgres[] = [];
const volumes: PostgresVolume[] = [];
async function start(name: string, s: PostgresContainerSpec, volume = createPostgresVolume()): Promise<RunningPostgres> {
    if (!volumes.includes(volume)) volumes.push(volume);
    const pg = await startPostgresImage(s, volume, { name });
    started.push(pg);
    return pg;
}

describe.skipIf(!!SKIP)("PostgreSQL container on a real server (local 15, postgres:17 entrypoint emulated)", () => {
    let pems: PostgresTestPems;
    let main: RunningPostgres; // TLS 1.2+, password, no client CA
    let mtls: RunningPostgres; // TLS 1.3 only, password + client certificate with CN = user
    let control: RunningPostgres; // negative control: accepts TLS 1.0/1.1
    let mainVolume: PostgresVolume;
    const mainInput: PostgresConfigInput = { user: USER, database: DATABASE };

    beforeAll(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pg-test-"));
        pems = testPems();
        mainVolume = createPostgresVolume();
        const mtlsInput: PostgresConfigInput = { ...mainInput, mutualTls: true, clientCaCertPem: pems.caCertPem, minTlsVersion: "TLSv1.3" };
        const controlSpec = spec(mainInput, pems.server);
        const i = controlSpec.command.indexOf("ssl_min_protocol_version=TLSv1.2");
        expect(i).toBeGreaterThan(0);
        const controlCommand = [...controlSpec.command];
        controlCommand.splice(i, 1, "ssl_min_protocol_version=TLSv1");
        controlCommand.push("-c", "ssl_ciphers=DEFAULT:@SECLEVEL=0");
        [main, mtls, control] = await Promise.all([
            start("pg-main", spec(mainInput, pems.server), mainVolume),
            start("pg-mtls", spec(mtlsInput, pems.server)),
            start("pg-control", { ...controlSpec, command: controlCommand }),
        ]);
    }, 90_000);

    afterAll(async () => {
        await Promise.all(started.map((s) => s.stop()));
        volumes.forEach((v) => v.remove());
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    }, 60_000);

    it("uses only settings that exist in PostgreSQL 15 (none dropped; all also exist in 17)", () => {
        const known = new Set(execFileSync(`${LOCAL_PG_BIN}/postgres`, ["--describe-config"], { encoding: "utf8" })
            .split("\n").map((l) => l.split("\t")[0]));
        const command = postgresCommand({ ...mainInput, mutualTls: true, clientCaCertPem: pems.caCertPem });
        const names = command.filter((_, i) => command[i - 1] === "-c").map((s) => s.split("=")[0]!);
        expect(names).toContain("ssl_ca_file");
        expect(names.filter((n) => !known.has(n))).toEqual([]);
    });

    it("initialised like the image: temp server with the same TLS args, init script run, key 0600 as postgres", async () => {
        expect(main.logs()).toContain("running /docker-entrypoint-initdb.d/10-app-user.sql");
        expect(main.logs()).toContain("PostgreSQL init process complete; ready for start up.");
        const stat = await main.container.exec(["stat", "-c", "%a %U", "/etc/postgresql/tls/server.key"]);
        expect(stat.stdout.trim()).toBe("600 postgres");
        const status = await main.container.exec(["cat", "/proc/1/cmdline"]);
        expect(status.stdout.split("\0").slice(0, 3)).toEqual(["postgres", "-c", "listen_addresses=*"]);
    });

    it("first start fails when the key is uploaded 0644: the init temp server already loads the TLS args", async () => {
        const s = spec(mainInput, pems.server);
        const uploads = s.uploads.map((u) => (u.file.endsWith("server.key") ? { ...u, permissions: "0644" } : u));
        await expect(start("pg-bad-key", { ...s, uploads }))
            .rejects.toThrow(/private key file "\/etc\/postgresql\/tls\/server\.key" has group or world access[\s\S]*pg_ctl: could not start server/);
    });

    it.each(["TLSv1", "TLSv1.1"] as const)("refuses %s (SSLRequest, then s_client at SECLEVEL=0)", async (version) => {
        const r = await probePostgres(main.hostPort, version);
        expect(r.accepted, r.output).toBe(false);
        expect(r.alert).toBe("protocol version");
    });

    it("negative control: the same probe sees TLS 1.1 accepted by a postgres set to ssl_min_protocol_version=TLSv1", async () => {
        const r = await probePostgres(control.hostPort, "TLSv1.1");
        expect(r.accepted, r.output).toBe(true);
        expect(r.protocol).toBe("TLSv1.1");
    });

    it.each(["TLSv1.2", "TLSv1.3"] as const)("accepts %s with the default minimum", async (version) => {
        const r = await probePostgres(main.hostPort, version);
        expect(r).toMatchObject({ accepted: true, protocol: version });
    });

    it("refuses TLS 1.2 and accepts 1.3 when minTlsVersion is TLSv1.3", async () => {
        const v12 = await probePostgres(mtls.hostPort, "TLSv1.2");
        const v13 = await probePostgres(mtls.hostPort, "TLSv1.3");
        expect(v12).toMatchObject({ accepted: false, alert: "protocol version" });
        expect(v13).toMatchObject({ accepted: true, protocol: "TLSv1.3" });
    });

    it("rejects a non-SSL connection from psql (sslmode=disable) with the hba reject row", async () => {
        const r = await psql(`host=127.0.0.1 port=${main.hostPort} user=${USER} dbname=${DATABASE} sslmode=disable`, "SELECT 1");
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/pg_hba\.conf rejects connection for host "127\.0\.0\.1", user "app", database "appdb", no encryption/);
    });

    it("rejects a non-SSL connection from node-postgres (ssl: false)", async () => {
        await expect(pgQuery({ port: main.hostPort, ssl: false }, "SELECT 1"))
            .rejects.toThrow(/pg_hba\.conf rejects connection .* no encryption/);
    });

    it("verify-full with only the CA: pg_stat_ssl shows TLS for the session (node-postgres, SAN db.internal)", async () => {
        const rows = await pgQuery({ port: main.hostPort, ca: pems.caCertPem },
            "SELECT ssl, version, current_user AS who FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
        expect(rows).toEqual([{ ssl: true, version: "TLSv1.3", who: USER }]);
    });

    it("verify-full with only the CA: psql to the SAN name, and to 127.0.0.1 (IP SAN)", async () => {
        const ca = pemFile("ca.crt", pems.caCertPem);
        for (const host of [`host=${SAN_NAME} hostaddr=127.0.0.1`, "host=127.0.0.1"]) {
            const r = await psql(`${host} port=${main.hostPort} user=${USER} dbname=${DATABASE} sslmode=verify-full sslrootcert=${ca}`,
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
            expect(r, r.stderr).toMatchObject({ code: 0, stdout: "t" });
        }
    });

    it("verify-full fails for a name that is not in the server certificate's SANs", async () => {
        await expect(pgQuery({ port: main.hostPort, ca: pems.caCertPem, servername: "other.internal" }, "SELECT 1"))
            .rejects.toThrow(/does not match certificate's altnames/);
        const r = await psql(`host=other.internal hostaddr=127.0.0.1 port=${main.hostPort} user=${USER} dbname=${DATABASE} ` +
            `sslmode=verify-full sslrootcert=${pemFile("ca.crt", pems.caCertPem)}`, "SELECT 1");
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/does not match host name "other\.internal"/);
    });

    it("the superuser password came from POSTGRES_PASSWORD_FILE", async () => {
        const rows = await pgQuery({ port: main.hostPort, ca: pems.caCertPem, user: "postgres", password: SUPERUSER_PASSWORD, database: "postgres" },
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
        expect(rows).toEqual([{ rolsuper: true }]);
    });

    describe("mutual TLS (clientcert=verify-full)", () => {
        const mtlsOpts = (cert?: KeyPair, password?: string): PgOptions => ({ port: mtls.hostPort, ca: pems.caCertPem, cert, password });

        it("refuses a connection without a client certificate", async () => {
            await expect(pgQuery(mtlsOpts(), "SELECT 1")).rejects.toThrow(/connection requires a valid client certificate/);
        });

        it("refuses a client certificate from another CA", async () => {
            await expect(pgQuery(mtlsOpts(pems.foreignClient), "SELECT 1")).rejects.toThrow(/tlsv1 alert unknown ca/);
        });

        // The client only sees the auth method's generic failure (auth.c auth_failed); the reason is in the server log.
        it("refuses an issued certificate whose CN is not the user, despite the right password", async () => {
            await expect(pgQuery(mtlsOpts(pems.wrongCnClient), "SELECT 1")).rejects.toThrow(/password authentication failed for user "app"/);
            expect(mtls.logs()).toContain('certificate validation (clientcert=verify-full) failed for user "app": CN mismatch');
        });

        it("still demands the password with a valid certificate", async () => {
            const count = (text: string) => mtls.logs().split(text).length - 1;
            const [failures, cnMismatches] = [count('password authentication failed for user "app"'), count("CN mismatch")];
            await expect(pgQuery(mtlsOpts(pems.client, "wrong"), "SELECT 1")).rejects.toThrow(/password authentication failed for user "app"/);
            // This time the certificate passed: one more password failure in the log, no new CN mismatch.
            await expect.poll(() => count('password authentication failed for user "app"')).toBe(failures + 1);
            expect(count("CN mismatch")).toBe(cnMismatches);
        });

        it("accepts the issued certificate (CN = user) with the password: node-postgres and psql", async () => {
            const rows = await pgQuery(mtlsOpts(pems.client), "SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
            expect(rows).toEqual([{ ssl: true, client_dn: `/CN=${USER}` }]);
            const r = await psql(`host=${SAN_NAME} hostaddr=127.0.0.1 port=${mtls.hostPort} user=${USER} dbname=${DATABASE} sslmode=verify-full ` +
                `sslrootcert=${pemFile("ca.crt", pems.caCertPem)} sslcert=${pemFile("client.crt", pems.client.certPem)} ` +
                `sslkey=${pemFile("client.key", pems.client.keyPem)}`, "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
            expect(r, r.stderr).toMatchObject({ code: 0, stdout: "TLSv1.3" });
        });
    });

    it("keeps data across a container replacement with a new server certificate (same volume)", async () => {
        const marker = randomBytes(8).toString("hex");
        await pgQuery({ port: main.hostPort, ca: pems.caCertPem }, `CREATE TABLE kept AS SELECT '${marker}'::text AS marker`);
        await main.stop();
        const replaced = await start("pg-main-2", spec(mainInput, pems.replacementServer), mainVolume);
        expect(replaced.logs()).toContain("Skipping initialization");
        expect(replaced.logs()).not.toContain("init process complete");
        // The new certificate is served: db2.internal verifies now, db.internal no longer does.
        const rows = await pgQuery({ port: replaced.hostPort, ca: pems.caCertPem, servername: "db2.internal" }, "SELECT marker FROM kept");
        expect(rows).toEqual([{ marker }]);
        await expect(pgQuery({ port: replaced.hostPort, ca: pems.caCertPem, servername: SAN_NAME }, "SELECT 1"))
            .rejects.toThrow(/does not match certificate's altnames/);
    });
});
