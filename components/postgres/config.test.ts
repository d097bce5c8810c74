import { describe, expect, it } from "vitest";
import {
    postgresCommand, postgresEnvs, postgresUploads, renderInitScript, renderPgHba, validatePostgresInput,
    type PostgresConfigInput,
} from "./config";

const CA = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
const base: PostgresConfigInput = { user: "app", database: "appdb" };

describe("validatePostgresInput", () => {
    it("accepts the minimal and the mutual-TLS inputs", () => {
        expect(validatePostgresInput(base)).toEqual([]);
        expect(validatePostgresInput({ ...base, port: 6432, minTlsVersion: "TLSv1.3", mutualTls: true, clientCaCertPem: CA })).toEqual([]);
    });

    it.each<[string, Partial<PostgresConfigInput>, string, string]>([
        ["port 0", { port: 0 }, "port",
            "`port`: `0` is out of range; use a whole number from 1 to 65535 (PostgreSQL's default is 5432)"],
        ["port 70000", { port: 70000 }, "port",
            "`port`: `70000` is out of range; use a whole number from 1 to 65535 (PostgreSQL's default is 5432)"],
        ["fractional port", { port: 5432.5 }, "port",
            "`port`: `5432.5` is out of range; use a whole number from 1 to 65535 (PostgreSQL's default is 5432)"],
        ["TLS 1.1 minimum", { minTlsVersion: "TLSv1.1" }, "minTlsVersion",
            "`minTlsVersion`: `TLSv1.1` is not allowed; use `TLSv1.2` or `TLSv1.3` (TLS 1.0/1.1 are deprecated, RFC 8996)"],
        ["lower-case version", { minTlsVersion: "tlsv1.2" }, "minTlsVersion",
            "`minTlsVersion`: `tlsv1.2` is not allowed; use `TLSv1.2` or `TLSv1.3` (TLS 1.0/1.1 are deprecated, RFC 8996)"],
        ["mutual TLS without CA", { mutualTls: true }, "clientCaCertPem",
            "`clientCaCertPem`: missing while `mutualTls` is true; PostgreSQL verifies client certificates against " +
            "ssl_ca_file, so pass the issuing CA's certificate PEM or set `mutualTls: false`"],
        ["mutual TLS with blank CA", { mutualTls: true, clientCaCertPem: "  " }, "clientCaCertPem",
            "`clientCaCertPem`: missing while `mutualTls` is true; PostgreSQL verifies client certificates against " +
            "ssl_ca_file, so pass the issuing CA's certificate PEM or set `mutualTls: false`"],
        ["CA that is a key", { clientCaCertPem: "-----BEGIN PRIVATE KEY-----\n" }, "clientCaCertPem",
            "`clientCaCertPem`: the value is not a PEM certificate (no `-----BEGIN CERTIFICATE-----` line); pass the CA's certPem"],
        ["upper-case user", { user: "App" }, "user",
            "`user`: `App` is not allowed; use 1-63 characters from a-z, 0-9 and _, starting with a letter or _ (for example `app`)"],
        ["user with quote", { user: "a'b" }, "user",
            "`user`: `a'b` is not allowed; use 1-63 characters from a-z, 0-9 and _, starting with a letter or _ (for example `app`)"],
        ["empty database", { database: "" }, "database",
            "`database`: `` is not allowed; use 1-63 characters from a-z, 0-9 and _, starting with a letter or _ (for example `app`)"],
        ["64-char database", { database: "d".repeat(64) }, "database",
            `\`database\`: \`${"d".repeat(64)}\` is not allowed; use 1-63 characters from a-z, 0-9 and _, starting with a letter or _ (for example \`app\`)`],
        ["database starting with digit", { database: "1db" }, "database",
            "`database`: `1db` is not allowed; use 1-63 characters from a-z, 0-9 and _, starting with a letter or _ (for example `app`)"],
        ["reserved role prefix", { user: "pg_app" }, "user",
            "`user`: `pg_app` starts with `pg_`, which PostgreSQL reserves; choose a name without that prefix"],
        ["superuser as app user", { user: "postgres" }, "user",
            "`user`: `postgres` is the image's superuser; choose a separate application role name (for example `app`)"],
    ])("%s", (_title, override, path, message) => {
        expect(validatePostgresInput({ ...base, ...override })).toEqual([{ path, message }]);
    });

    it("reports every problem in one pass", () => {
        const problems = validatePostgresInput({ user: "A", database: "B", port: -1, minTlsVersion: "SSLv3", mutualTls: true });
        expect(problems.map((p) => p.path)).toEqual(["port", "minTlsVersion", "clientCaCertPem", "user", "database"]);
    });
});

describe("renderPgHba", () => {
    it.each([
        [false, "hostssl   all      all  all     scram-sha-256"],
        [true, "hostssl   all      all  all     scram-sha-256 clientcert=verify-full"],
    ])("mutualTls=%s: local socket row, plaintext TCP rejected, TLS row %s", (mutualTls, sslRow) => {
        const rows = renderPgHba({ mutualTls }).split("\n").filter((l) => l.trim() !== "" && !l.startsWith("#"));
        expect(rows).toEqual([
            "local     all      all          scram-sha-256",
            "hostnossl all      all  all     reject",
            sslRow,
        ]);
    });

    it("has no plain `host` row that would match a non-TLS connection", () => {
        for (const mutualTls of [false, true]) {
            expect(renderPgHba({ mutualTls })).not.toMatch(/^host\s/m);
        }
    });
});

describe("postgresCommand", () => {
    it("renders TLS 1.2+ without a client CA", () => {
        expect(postgresCommand(base)).toEqual([
            "postgres",
            "-c", "listen_addresses=*",
            "-c", "port=5432",
            "-c", "ssl=on",
            "-c", "ssl_cert_file=/etc/postgresql/tls/server.crt",
            "-c", "ssl_key_file=/etc/postgresql/tls/server.key",
            "-c", "ssl_min_protocol_version=TLSv1.2",
            "-c", "ssl_ciphers=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305",
            "-c", "ssl_ecdh_curve=prime256v1",
            "-c", "ssl_prefer_server_ciphers=off",
            "-c", "password_encryption=scram-sha-256",
            "-c", "hba_file=/etc/postgresql/pg_hba.conf",
        ]);
    });

    it("adds ssl_ca_file for mutual TLS and honours port and TLSv1.3", () => {
        const args = postgresCommand({ ...base, port: 6432, minTlsVersion: "TLSv1.3", mutualTls: true, clientCaCertPem: CA });
        expect(args).toContain("ssl_ca_file=/etc/postgresql/tls/ca.crt");
        expect(args).toContain("ssl_min_protocol_version=TLSv1.3");
        expect(args).toContain("port=6432");
        expect(args.filter((a) => a === "-c")).toHaveLength(12);
    });

    it("throws with every problem for invalid input", () => {
        expect(() => postgresCommand({ ...base, port: 0, mutualTls: true }))
            .toThrow(/`port`: `0` is out of range[\s\S]*`clientCaCertPem`: missing/);
    });
});

describe("init script and container files", () => {
    it("reads the password from the file with psql, never inlines it, and lets psql quote names", () => {
        const sql = renderInitScript(base);
        expect(sql).toContain("\\set app_user 'app'");
        expect(sql).toContain("\\set app_db 'appdb'");
        expect(sql).toContain("\\set app_password `cat '/etc/postgresql/secrets/app-password'`");
        expect(sql).toContain("ALTER ROLE :\"app_user\" WITH LOGIN NOSUPERUSER NOCREATEROLE NOCREATEDB PASSWORD :'app_password';");
        expect(sql).toContain("SELECT format('CREATE DATABASE %I OWNER %I', :'app_db', :'app_user')");
    });

    it("refuses to render a script for an unsafe name", () => {
        expect(() => renderInitScript({ ...base, user: "x'; DROP ROLE postgres; --" })).toThrow(/`user`/);
    });

    it("puts only the password file path in env", () => {
        expect(postgresEnvs()).toEqual(["POSTGRES_PASSWORD_FILE=/etc/postgresql/secrets/superuser-password"]);
    });

    it("uploads every file as uid/gid 999, secrets 0600, and the CA only when given", () => {
        const material = { serverCertPem: "CERT", serverKeyPem: "KEY", superuserPassword: "su", appPassword: "ap" };
        const summary = (files: ReturnType<typeof postgresUploads>) =>
            files.map((f) => `${f.file} ${f.permissions} ${f.owner}:${f.group}`);
        expect(summary(postgresUploads(base, material))).toEqual([
            "/etc/postgresql/tls/server.crt 0644 999:999",
            "/etc/postgresql/tls/server.key 0600 999:999",
            "/etc/postgresql/pg_hba.conf 0644 999:999",
            "/etc/postgresql/secrets/superuser-password 0600 999:999",
            "/etc/postgresql/secrets/app-password 0600 999:999",
            "/docker-entrypoint-initdb.d/10-app-user.sql 0644 999:999",
        ]);
        const mutual = postgresUploads({ ...base, mutualTls: true, clientCaCertPem: CA }, material);
        expect(mutual.find((f) => f.file === "/etc/postgresql/tls/ca.crt")?.content).toBe(CA);
        expect(mutual.find((f) => f.file === "/etc/postgresql/pg_hba.conf")?.content).toContain("clientcert=verify-full");
    });
});
