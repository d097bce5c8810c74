import type { SecureVersion } from "node:tls";
/**
 * The deployed PostgreSQL container on a REAL server. `PostgresDatabase` runs under the provider emulator
 * (tests/platform/fixture.ts), which issues real certificates and passwords; the command, envs and uploads
 * it registered with the Docker provider start the local PostgreSQL (15 on Debian 12) through an emulation of the
 * postgres:17 image's entrypoint (harness/images/postgres.ts, whose uid 999 → local `postgres` is the only
 * identity mapping). Nothing is rendered a second time: what is tested is what would be deployed.
 * Clients: node-postgres, psql, pg_isready (the registered healthcheck) and openssl.
 */
import { randomBytes, X509Certificate } from "node:crypto";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { execFileSync } from "node:child_process";
import { Client, type ClientConfig } from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ConnectionDocument } from "../../components";
import {
    createPostgresVolume, LOCAL_PG_BIN, type PostgresContainerSpec, type PostgresVolume, type RunningPostgres, startPostgresImage,
} from "../harness/images/postgres";
import { runProcess } from "../harness/process";
import { describeWithServers } from "../harness/requirements";
import { deployPlatform, type DeployedPlatform, type Pems, type RegisteredContainer } from "../platform/fixture";
import { atHarnessPort, documentCaPem } from "../platform/documents";
import { probeTlsVersion, runOpenssl, type ProbeResult, type TlsVersion } from "../support/tls-probe";

const SERVER_CERT = "/etc/postgresql/tls/server.crt";
const ISSUER_CA = "/etc/postgresql/tls/issuer-ca.crt";
const SUPERUSER_PASSWORD_FILE = "/etc/postgresql/secrets/superuser-password";
const APP_PASSWORD_FILE = "/etc/postgresql/secrets/app-password";
/** The network alias of `database` (its component name), a DNS SAN of its certificate besides `localhost`. */
const SAN_NAME = "db";

/** The registered container as the harness runs it: command, envs and uploads untouched. */
function containerSpec(r: RegisteredContainer): PostgresContainerSpec {
    expect(r.ports).toHaveLength(1);
    return {
        command: r.command,
        envs: r.envs,
        uploads: r.uploads,
        port: r.ports[0]!.internal,
    };
}

function upload(r: RegisteredContainer, file: string): string {
    const found = r.uploads.find((u) => u.file === file);
    if (!found) throw new Error(`${r.name} has no upload ${file}`);
    return found.content;
}

/** A client built from the document's fields; `overrides` changes one thing for a negative test. */
function clientConfig(doc: ConnectionDocument, hostPort: number, overrides: {
    user?: string; password?: string; database?: string; servername?: string; ca?: string; cert?: Pems | null; ssl?: false;
} = {}): ClientConfig {
    const cert = overrides.cert === undefined ? doc.tls.clientCertificate : overrides.cert;
    return {
        host: "127.0.0.1", port: hostPort, user: overrides.user ?? doc.username!, password: overrides.password ?? doc.password!,
        database: overrides.database ?? doc.database!,
        ssl: overrides.ssl ?? {
            ca: overrides.ca ?? documentCaPem(doc), servername: overrides.servername ?? doc.tls.serverName,
            cert: cert?.certPem, key: cert?.privateKeyPem,
        },
    };
}

/** node-postgres: connect, run one query, disconnect. */
async function pgQuery(config: ClientConfig, sql: string): Promise<Record<string, unknown>[]> {
    const client = new Client({ connectionTimeoutMillis: 10_000, ...config });
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

/** psql with a conninfo string or URI (async: the published port is served by this process's event loop). */
async function psql(conninfo: string, sql: string, password?: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
    const r = await runProcess([`${LOCAL_PG_BIN}/psql`, "-X", "-A", "-t", "-c", sql, "-d", conninfo], {
        env: { PATH: process.env.PATH, PGCONNECT_TIMEOUT: "10", PGGSSENCMODE: "disable", ...(password ? { PGPASSWORD: password } : {}) },
        timeoutMs: 20_000,
    });
    return { code: r.code, stdout: r.stdout.trim(), stderr: r.stderr };
}

/** s_client at SECLEVEL=0 after PostgreSQL's SSLRequest (`-starttls postgres`). */
function probePostgres(port: number, version: TlsVersion): Promise<ProbeResult> {
    return probeTlsVersion({ host: "127.0.0.1", port, version, starttls: "postgres" });
}

/** SHA-256 fingerprint of the certificate the server presents. */
async function servedCertificate(port: number): Promise<string> {
    const { output } = await runOpenssl(["s_client", "-connect", `127.0.0.1:${port}`, "-starttls", "postgres", "-noservername"], 10_000);
    const pem = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/.exec(output)?.[0];
    if (!pem) throw new Error(`no server certificate in s_client output:\n${output}`);
    return new X509Certificate(pem).fingerprint256;
}

/**
 * The registered healthcheck, run the way Docker runs CMD-SHELL: `/bin/sh -c` inside the container, as
 * root (the image has no USER), with the container's environment. `issuerCaPem`, when given, is
 * bind-mounted over the uploaded issuer CA in a mount namespace private to this one command.
 */
async function runHealthcheck(pg: RunningPostgres, healthcheck: string, issuerCaPem?: string): Promise<number | null> {
    if (issuerCaPem === undefined) return (await pg.container.exec(["sh", "-c", healthcheck])).code;
    const swapped = `/tmp/issuer-ca-${randomBytes(4).toString("hex")}.crt`;
    await pg.container.exec(["sh", "-c", `cat > ${swapped}`], { input: issuerCaPem });
    const r = await pg.container.exec(["unshare", "--mount", "--", "sh", "-c", `mount --bind ${swapped} ${ISSUER_CA} && exec sh -c "$0"`, healthcheck]);
    return r.code;
}

const started: RunningPostgres[] = [];
const volumes: PostgresVolume[] = [];
async function start(name: string, s: PostgresContainerSpec, volume = createPostgresVolume()): Promise<RunningPostgres> {
    if (!volumes.includes(volume)) volumes.push(volume);
    const pg = await startPostgresImage(s, volume, { name });
    started.push(pg);
    return pg;
}

describeWithServers("PostgresDatabase's registered container on a real server (local PostgreSQL, postgres:17 entrypoint emulated)", ["root", "postgres", "socat", "unshare", "openssl"], () => {
    let platform: DeployedPlatform;
    let main: RunningPostgres; // `database`: TLS 1.2+, password, no client CA
    let mtls: RunningPostgres; // `databaseMutualTls`: password + client certificate with CN = user
    let tls13: RunningPostgres; // `databaseTls13`: TLS 1.3 only
    let control: RunningPostgres; // negative control: `database` set to accept TLS 1.0/1.1
    let mainVolume: PostgresVolume;
    let doc: ConnectionDocument; // `database`'s connection document
    let mtlsDoc: ConnectionDocument;

    beforeAll(async () => {
        tmp = fs.mkdtempSync(path.join(os.tmpdir(), "pg-test-"));
        platform = await deployPlatform();
        doc = platform.database.connection;
        mtlsDoc = platform.databaseMutualTls.connection;
        mainVolume = createPostgresVolume();
        // The control's one deliberate difference from `database`: TLS 1.0 minimum and SECLEVEL=0 ciphers.
        const controlSpec = containerSpec(platform.database);
        const i = controlSpec.command.indexOf("ssl_min_protocol_version=TLSv1.2");
        expect(i).toBeGreaterThan(0);
        const controlCommand = [...controlSpec.command];
        controlCommand.splice(i, 1, "ssl_min_protocol_version=TLSv1");
        controlCommand.push("-c", "ssl_ciphers=DEFAULT:@SECLEVEL=0");
        [main, mtls, tls13, control] = await Promise.all([
            start("pg-main", containerSpec(platform.database), mainVolume),
            start("pg-mtls", containerSpec(platform.databaseMutualTls)),
            start("pg-tls13", containerSpec(platform.databaseTls13)),
            start("pg-control", { ...controlSpec, command: controlCommand }),
        ]);
    }, 120_000);

    afterAll(async () => {
        await Promise.all(started.map((s) => s.stop()));
        volumes.forEach((v) => v.remove());
        if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    }, 60_000);

    it("uses only settings that exist in the local PostgreSQL (none dropped; all also exist in 17)", () => {
        const known = new Set(execFileSync(`${LOCAL_PG_BIN}/postgres`, ["--describe-config"], { encoding: "utf8" })
            .split("\n").map((l) => l.split("\t")[0]));
        const command = platform.databaseMutualTls.command;
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

    it("serves the emulator-issued certificate: SANs db, localhost, 127.0.0.1, chained to the project CA", async () => {
        const cert = new X509Certificate(upload(platform.database, SERVER_CERT));
        expect(cert.subjectAltName).toBe(`DNS:${SAN_NAME}, DNS:localhost, IP Address:127.0.0.1`);
        expect(cert.verify(new X509Certificate(platform.caPem).publicKey)).toBe(true);
        expect(await servedCertificate(main.hostPort)).toBe(cert.fingerprint256);
    });

    it("first start fails when the key is uploaded 0644: the init temp server already loads the TLS args", async () => {
        const s = containerSpec(platform.database);
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
        const v12 = await probePostgres(tls13.hostPort, "TLSv1.2");
        const v13 = await probePostgres(tls13.hostPort, "TLSv1.3");
        expect(v12).toMatchObject({ accepted: false, alert: "protocol version" });
        expect(v13).toMatchObject({ accepted: true, protocol: "TLSv1.3" });
        expect(platform.databaseTls13.connection.tls.minVersion).toBe("TLSv1.3");
    });

    it("rejects a non-SSL connection from psql (sslmode=disable) with the hba reject row", async () => {
        const r = await psql(`host=127.0.0.1 port=${main.hostPort} user=${doc.username} dbname=${doc.database} sslmode=disable`, "SELECT 1", doc.password!);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(new RegExp(`pg_hba\\.conf rejects connection for host "127\\.0\\.0\\.1", user "${doc.username}", database "${doc.database}", no encryption`));
    });

    it("rejects a non-SSL connection from node-postgres (ssl: false)", async () => {
        await expect(pgQuery(clientConfig(doc, main.hostPort, { ssl: false }), "SELECT 1"))
            .rejects.toThrow(/pg_hba\.conf rejects connection .* no encryption/);
    });

    it("verify-full with only the CA: pg_stat_ssl shows TLS for the session (node-postgres, SAN localhost)", async () => {
        const rows = await pgQuery(clientConfig(doc, main.hostPort),
            "SELECT ssl, version, current_user AS who FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
        expect(rows).toEqual([{ ssl: true, version: "TLSv1.3", who: doc.username }]);
    });

    it("verify-full with only the CA: psql to the SAN name, and to 127.0.0.1 (IP SAN)", async () => {
        const ca = pemFile("ca.crt", platform.caPem);
        for (const host of [`host=${SAN_NAME} hostaddr=127.0.0.1`, "host=127.0.0.1"]) {
            const r = await psql(`${host} port=${main.hostPort} user=${doc.username} dbname=${doc.database} sslmode=verify-full sslrootcert=${ca}`,
                "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()", doc.password!);
            expect(r, r.stderr).toMatchObject({ code: 0, stdout: "t" });
        }
    });

    it("verify-full fails for a name that is not in the server certificate's SANs", async () => {
        await expect(pgQuery(clientConfig(doc, main.hostPort, { servername: "other.internal" }), "SELECT 1"))
            .rejects.toThrow(/does not match certificate's altnames/);
        const r = await psql(`host=other.internal hostaddr=127.0.0.1 port=${main.hostPort} user=${doc.username} dbname=${doc.database} ` +
            `sslmode=verify-full sslrootcert=${pemFile("ca.crt", platform.caPem)}`, "SELECT 1", doc.password!);
        expect(r.code).not.toBe(0);
        expect(r.stderr).toMatch(/does not match host name "other\.internal"/);
    });

    it("verification fails against another CA", async () => {
        await expect(pgQuery(clientConfig(doc, main.hostPort, { ca: platform.foreign.caPem }), "SELECT 1"))
            .rejects.toThrow(/self[- ]signed certificate in certificate chain|unable to (get local issuer|verify the first) certificate/);
    });

    it("the superuser password is the uploaded POSTGRES_PASSWORD_FILE", async () => {
        const password = upload(platform.database, SUPERUSER_PASSWORD_FILE);
        expect(platform.database.envs).toEqual([`POSTGRES_PASSWORD_FILE=${SUPERUSER_PASSWORD_FILE}`]);
        const rows = await pgQuery(clientConfig(doc, main.hostPort, { user: "postgres", password, database: "postgres" }),
            "SELECT rolsuper FROM pg_roles WHERE rolname = current_user");
        expect(rows).toEqual([{ rolsuper: true }]);
    });

    describe("the connection document, used by an application as it is", () => {
        it("its password is the one the app role was initialised with, and nothing else gets in", async () => {
            expect(doc.password).toBe(upload(platform.database, APP_PASSWORD_FILE));
            expect(await pgQuery(clientConfig(doc, main.hostPort), "SELECT current_user AS who")).toEqual([{ who: doc.username }]);
            await expect(pgQuery(clientConfig(doc, main.hostPort, { password: `${doc.password}x` }), "SELECT 1"))
                .rejects.toThrow(new RegExp(`password authentication failed for user "${doc.username}"`));
        });

        // Found here (pg 8.23): the parsed URL is merged over the config and `sslmode=…` parses to `ssl: {}`, so an `ssl` object beside it is dropped.
        it("node-postgres: the URL as it is plus an `ssl` object loses the document's CA (sslmode replaces `ssl`)", async () => {
            const url = new URL(atHarnessPort(doc, main.hostPort).url);
            const ssl = { ca: documentCaPem(doc), servername: doc.tls.serverName };
            await expect(pgQuery({ connectionString: url.toString(), ssl }, "SELECT 1")).rejects.toThrow(/unable to verify the first certificate/);
        });

        // So an application drops `sslmode` from the URL and states verify-full as node's own TLS options:
        // the document's CA, its serverName (node checks it against the certificate) and its minimum version.
        const applicationConfig = (d: ConnectionDocument, hostPort: number): ClientConfig => {
            const url = new URL(atHarnessPort(d, hostPort).url);
            expect(url.searchParams.get("sslmode")).toBe("verify-full");
            url.searchParams.delete("sslmode");
            const client = d.tls.clientCertificate;
            return {
                connectionString: url.toString(),
                ssl: { ca: documentCaPem(d), servername: d.tls.serverName, minVersion: d.tls.minVersion as SecureVersion, cert: client?.certPem, key: client?.privateKeyPem },
            };
        };

        it("node-postgres: URL without sslmode + the document's CA, serverName and minVersion verifies and connects", async () => {
            const rows = await pgQuery(applicationConfig(doc, main.hostPort),
                "SELECT ssl, current_user AS who, current_database() AS db FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
            expect(rows).toEqual([{ ssl: true, who: doc.username, db: doc.database }]);
            const other = { ...doc, tls: { ...doc.tls, serverName: "other.internal" } };
            await expect(pgQuery(applicationConfig(other, main.hostPort), "SELECT 1")).rejects.toThrow(/does not match certificate's altnames/);
        });

        it("psql: the URL as it is (sslmode=verify-full), plus sslrootcert because libpq reads the CA from a file", async () => {
            const url = new URL(atHarnessPort(doc, main.hostPort).url);
            // libpq verifies the URL's host, 127.0.0.1, an IP SAN of the certificate.
            url.searchParams.set("sslrootcert", pemFile("doc-ca.crt", documentCaPem(doc)));
            const r = await psql(url.toString(), "SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
            expect(r, r.stderr).toMatchObject({ code: 0, stdout: "t" });
        });

        it("mutual TLS: node-postgres and psql with the document's client certificate", async () => {
            expect(mtlsDoc.tls.clientCertificate).toEqual(platform.app);
            const rows = await pgQuery(applicationConfig(mtlsDoc, mtls.hostPort), "SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
            expect(rows).toEqual([{ client_dn: `/CN=${mtlsDoc.username}` }]);
            const url = new URL(atHarnessPort(mtlsDoc, mtls.hostPort).url);
            url.searchParams.set("sslrootcert", pemFile("mtls-ca.crt", documentCaPem(mtlsDoc)));
            url.searchParams.set("sslcert", pemFile("mtls-client.crt", mtlsDoc.tls.clientCertificate!.certPem));
            url.searchParams.set("sslkey", pemFile("mtls-client.key", mtlsDoc.tls.clientCertificate!.privateKeyPem));
            const r = await psql(url.toString(), "SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
            expect(r, r.stderr).toMatchObject({ code: 0, stdout: `/CN=${mtlsDoc.username}` });
        });
    });

    describe("the registered healthcheck, run inside the container as Docker runs it", () => {
        it("is pg_isready over verify-full TLS to localhost with the uploaded issuer CA", () => {
            expect(platform.database.healthcheck).toMatch(/^pg_isready .*sslmode=verify-full sslrootcert=\/etc\/postgresql\/tls\/issuer-ca\.crt/);
            expect(upload(platform.database, ISSUER_CA)).toBe(platform.caPem);
        });

        it.each([
            ["database", () => main],
            ["databaseTls13", () => tls13],
        ] as const)("%s: succeeds against the running server", async (variant, server) => {
            expect(await runHealthcheck(server(), platform[variant].healthcheck)).toBe(0);
        });

        it("databaseMutualTls: succeeds, counting the server's refusal of its certificate-less login as an answer", async () => {
            const refusals = () => mtls.logs().split("FATAL:  connection requires a valid client certificate").length - 1;
            const before = refusals();
            expect(await runHealthcheck(mtls, platform.databaseMutualTls.healthcheck)).toBe(0);
            await expect.poll(refusals).toBe(before + 1);
        });

        // Control pair: the same wrapper with the real issuer CA passes, so only the CA's content differs.
        it.each([
            ["database", () => main],
            ["databaseMutualTls", () => mtls],
        ] as const)("%s: fails (no response) when the issuer CA is swapped for a foreign CA, passes with the real one", async (variant, server) => {
            expect(await runHealthcheck(server(), platform[variant].healthcheck, platform.caPem)).toBe(0);
            expect(await runHealthcheck(server(), platform[variant].healthcheck, platform.foreign.caPem)).toBe(2);
        });
    });

    describe("mutual TLS (clientcert=verify-full)", () => {
        it("refuses a connection without a client certificate", async () => {
            await expect(pgQuery(clientConfig(mtlsDoc, mtls.hostPort, { cert: null }), "SELECT 1")).rejects.toThrow(/connection requires a valid client certificate/);
        });

        it("refuses a client certificate with CN app from another CA", async () => {
            await expect(pgQuery(clientConfig(mtlsDoc, mtls.hostPort, { cert: platform.foreign }), "SELECT 1")).rejects.toThrow(/tlsv1 alert unknown ca/);
        });

        // The cache's certificate is issued by the same CA for server and client auth, with CN cache-mtls.
        // The client only sees the auth method's generic failure (auth.c auth_failed); the reason is in the server log.
        it("refuses a same-CA certificate whose CN is not the user (the cache's), despite the right password", async () => {
            const cacheCert: Pems = {
                certPem: upload(platform.cacheMutualTls, "/etc/dragonfly/tls/server.crt"),
                privateKeyPem: upload(platform.cacheMutualTls, "/etc/dragonfly/tls/server.key"),
            };
            expect(new X509Certificate(cacheCert.certPem).subject).toBe("CN=cache-mtls");
            await expect(pgQuery(clientConfig(mtlsDoc, mtls.hostPort, { cert: cacheCert }), "SELECT 1"))
                .rejects.toThrow(new RegExp(`password authentication failed for user "${mtlsDoc.username}"`));
            expect(mtls.logs()).toContain(`certificate validation (clientcert=verify-full) failed for user "${mtlsDoc.username}": CN mismatch`);
        });

        it("still demands the password with a valid certificate", async () => {
            const count = (text: string) => mtls.logs().split(text).length - 1;
            const failure = `password authentication failed for user "${mtlsDoc.username}"`;
            const [failures, cnMismatches] = [count(failure), count("CN mismatch")];
            await expect(pgQuery(clientConfig(mtlsDoc, mtls.hostPort, { password: "wrong" }), "SELECT 1")).rejects.toThrow(failure);
            // This time the certificate passed: one more password failure in the log, no new CN mismatch.
            await expect.poll(() => count(failure)).toBe(failures + 1);
            expect(count("CN mismatch")).toBe(cnMismatches);
        });

        it("accepts the issued certificate (CN = user) with the password: node-postgres and psql", async () => {
            const rows = await pgQuery(clientConfig(mtlsDoc, mtls.hostPort, { cert: platform.app }),
                "SELECT ssl, client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()");
            expect(rows).toEqual([{ ssl: true, client_dn: `/CN=${mtlsDoc.username}` }]);
            const r = await psql(`host=${mtlsDoc.tls.serverName} hostaddr=127.0.0.1 port=${mtls.hostPort} user=${mtlsDoc.username} ` +
                `dbname=${mtlsDoc.database} sslmode=verify-full sslrootcert=${pemFile("ca.crt", platform.caPem)} ` +
                `sslcert=${pemFile("client.crt", platform.app.certPem)} sslkey=${pemFile("client.key", platform.app.privateKeyPem)}`,
            "SELECT version FROM pg_stat_ssl WHERE pid = pg_backend_pid()", mtlsDoc.password!);
            expect(r, r.stderr).toMatchObject({ code: 0, stdout: "TLSv1.3" });
        });
    });

    // Last: it stops `main`.
    it("keeps data across a container replacement that starts with a renewed certificate (same data directory)", async () => {
        const renewed = platform.databaseRenewed;
        // A renewal alone reloads in place (tests/servers/rotation.test.ts); a container replaced later (an
        // image bump) starts from the same data directory and whatever the TLS volume holds then, here a
        // renewed certificate. Command and env stay. The fixture's renewed variant is a component instance
        // of its own, so its generated passwords and its volume's name differ too; the harness gives it
        // `database`'s data directory, which keeps the first passwords, and those are used below.
        expect(renewed.command).toEqual(platform.database.command);
        expect(renewed.envs).toEqual(platform.database.envs);
        expect(renewed.volumes.map((v) => v.containerPath)).toEqual(platform.database.volumes.map((v) => v.containerPath));
        const changed = renewed.uploads.filter((u) => upload(platform.database, u.file) !== u.content).map((u) => u.file);
        expect(changed.sort()).toEqual([SUPERUSER_PASSWORD_FILE, APP_PASSWORD_FILE, SERVER_CERT, "/etc/postgresql/tls/server.key"].sort());

        const marker = randomBytes(8).toString("hex");
        await pgQuery(clientConfig(doc, main.hostPort), `CREATE TABLE kept AS SELECT '${marker}'::text AS marker`);
        await main.stop();
        const replaced = await start("pg-renewed", containerSpec(renewed), mainVolume);
        expect(replaced.logs()).toContain("Skipping initialization");
        expect(replaced.logs()).not.toContain("init process complete");
        const renewedCert = new X509Certificate(upload(renewed, SERVER_CERT));
        expect(renewedCert.subjectAltName).toBe(`DNS:${SAN_NAME}, DNS:localhost, IP Address:127.0.0.1`);
        expect(renewedCert.fingerprint256).not.toBe(new X509Certificate(upload(platform.database, SERVER_CERT)).fingerprint256);
        expect(await servedCertificate(replaced.hostPort)).toBe(renewedCert.fingerprint256);
        expect(await pgQuery(clientConfig(doc, replaced.hostPort), "SELECT marker FROM kept")).toEqual([{ marker }]);
        expect(await runHealthcheck(replaced, renewed.healthcheck)).toBe(0);
    });
});
