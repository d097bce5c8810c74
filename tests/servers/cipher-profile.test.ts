/**
 * The one TLS profile (components/shared/tlsProfile.ts) on real servers, each started with exactly what
 * its renderer produces: nginx (renderNginxConf/nginxUploads), PostgreSQL (postgresCommand/postgresUploads,
 * through the emulated postgres:17 entrypoint) and Dragonfly's args (dragonflyArgs) on the redis-server
 * stand-in, which hands `--tls_ciphers` to OpenSSL as Dragonfly does.
 *
 * Why each verdict means what it says (shared/reference/testing-notes.md):
 * - The client is `openssl s_client -tls1_2` offering ONE suite (or one group) at @SECLEVEL=0, so its own
 *   security level refuses nothing.
 * - "Accepted" is the session's negotiated protocol and cipher, compared by name.
 * - "Refused" must be the server's `handshake failure` alert (no shared cipher or group): a server that is
 *   down or drops the connection gives no alert and the probe throws instead (tls-probe.ts).
 * - Every refused suite is accepted, by the same client command, from a negative control: the same
 *   rendered config with only the cipher list (and nginx's group list) opened up, on the same certificate.
 *   So the client did offer it and the certificate could serve it; only the profile said no.
 * - Each suite is probed on a certificate that can serve it: ECDSA P-256 for ECDHE-ECDSA suites, RSA for
 *   ECDHE-RSA and static-RSA ones (a suite the certificate cannot serve is refused whatever the list says). Groups are probed on
 *   the RSA certificate too: at TLS 1.2 the client's group list also bounds the curve of an ECDSA
 *   certificate (RFC 8422 §5.1), so offering only secp384r1 to a P-256 certificate fails for that reason.
 */
import { afterAll, beforeAll, expect, it } from "vitest";
import { dragonflyArgs, dragonflyEnvs, dragonflyUploads } from "../../components/dragonfly/config";
import { nginxUploads } from "../../components/nginx/config";
import { NGINX_CONF_PATH } from "../../components/nginx/defaults";
import { postgresCommand, postgresEnvs, postgresUploads } from "../../components/postgres/config";
import { TLS12_CIPHERS, TLS12_CIPHER_STRING, TLS_GROUP_STRING } from "../../components/shared/tlsProfile";
import { DRAGONFLY_FLAGS } from "../dragonfly-model";
import { startNginxContainer } from "../harness/images/nginx";
import { createPostgresVolume, startPostgresImage, type PostgresVolume, type RunningPostgres } from "../harness/images/postgres";
import { startRedisStandIn } from "../harness/images/redis";
import { describeWithServers } from "../harness/requirements";
import { createCa, issueCert, type KeyPair } from "../support/test-pki";
import { probeTlsVersion, type ProbeResult } from "../support/tls-probe";

/** What the negative controls accept: every TLS 1.2 suite this OpenSSL has, CAMELLIA included (DEFAULT lacks it). */
const OPEN_CIPHERS = "ALL:@SECLEVEL=0";

/**
 * One suite of each kind the profile must refuse at TLS 1.2, per certificate type. With an ECDSA
 * certificate no suite lacks forward secrecy: OpenSSL 3 has no static-ECDH suites, so that kind is probed
 * on RSA only.
 */
const REFUSED = [
    ["a CBC suite (forward secret, but CBC with SHA-1)", "ECDHE-RSA-AES128-SHA", "rsa"],
    ["a non-forward-secret suite (static RSA key exchange, though AES-GCM)", "AES128-GCM-SHA256", "rsa"],
    ["a CAMELLIA suite (forward secret)", "ECDHE-RSA-CAMELLIA128-SHA256", "rsa"],
    ["a CBC suite (forward secret, but CBC with SHA-1)", "ECDHE-ECDSA-AES128-SHA", "ecdsa"],
    ["a CAMELLIA suite (forward secret)", "ECDHE-ECDSA-CAMELLIA128-SHA256", "ecdsa"],
] as const;

const ECDSA_SUITES = TLS12_CIPHERS.filter((c) => c.startsWith("ECDHE-ECDSA-"));
const RSA_SUITES = TLS12_CIPHERS.filter((c) => c.startsWith("ECDHE-RSA-"));

interface Endpoint {
    readonly port: number;
    readonly starttls?: "postgres";
    /** Server log so far, where the server keeps one. */
    readonly logs?: () => string;
}

/** One server kind: the profile on an ECDSA and on an RSA certificate, and a negative control on each. */
interface Kind {
    ecdsa: Endpoint;
    rsa: Endpoint;
    control: { ecdsa: Endpoint; rsa: Endpoint };
}

const probe = (e: Endpoint, ciphers: string, groups?: string): Promise<ProbeResult> =>
    probeTlsVersion({ host: "127.0.0.1", port: e.port, version: "TLSv1.2", ciphers, groups, starttls: e.starttls, timeoutMs: 20_000 });

/** The refusal a server gives when it shares no suite or group with the client: RFC 5246 handshake_failure (40). */
const REFUSED_FOR_CIPHER = { accepted: false, alert: "handshake failure" };

describeWithServers("the shared TLS profile on real nginx, PostgreSQL and Dragonfly's stand-in (redis-server)", ["root", "nginx", "postgres", "redis", "openssl", "socat", "unshare"], () => {
    const kinds: Record<"nginx" | "postgres" | "dragonfly", Kind> = {} as never;
    const stops: (() => Promise<void>)[] = [];
    const volumes: PostgresVolume[] = [];

    beforeAll(async () => {
        const ca = createCa("Cipher Profile Test CA");
        const leaf = (keyType: "P-256" | "RSA-4096"): KeyPair =>
            issueCert(ca, { commonName: "localhost", usage: "server", altNames: ["localhost", "127.0.0.1"], keyType });
        const certs = { ecdsa: leaf("P-256"), rsa: leaf("RSA-4096") };

        const nginx = async (cert: KeyPair, control: boolean): Promise<Endpoint> => {
            const uploads = nginxUploads({}, { serverCertPem: cert.certPem, serverKeyPem: cert.keyPem }).map((u) => {
                if (!control || u.file !== NGINX_CONF_PATH) return u;
                const content = u.content
                    .replace(`ssl_ciphers ${TLS12_CIPHER_STRING};`, `ssl_ciphers ${OPEN_CIPHERS};`)
                    .replace(`ssl_ecdh_curve ${TLS_GROUP_STRING};`, "ssl_ecdh_curve auto;");
                if (!content.includes(OPEN_CIPHERS) || !content.includes("ssl_ecdh_curve auto;")) throw new Error("negative-control edit did not apply");
                return { ...u, content };
            });
            const container = await startNginxContainer({ command: ["nginx", "-g", "daemon off;"], uploads, publish: [443] });
            stops.push(() => container.stop());
            return { port: container.ports[443]! };
        };

        const postgres = async (name: string, cert: KeyPair, control: boolean): Promise<Endpoint> => {
            const input = { user: "app", database: "app" };
            const command = postgresCommand(input);
            // A later -c wins: the control differs only in its cipher list.
            const spec = {
                command: control ? [...command, "-c", `ssl_ciphers=${OPEN_CIPHERS}`] : command,
                envs: postgresEnvs(),
                uploads: postgresUploads(input, { serverCertPem: cert.certPem, serverKeyPem: cert.keyPem, superuserPassword: "super-pw", appPassword: "app-pw" }),
                port: 5432,
            };
            const volume = createPostgresVolume();
            volumes.push(volume);
            const pg: RunningPostgres = await startPostgresImage(spec, volume, { name, readyTimeoutMs: 90_000 });
            stops.push(() => pg.stop());
            return { port: pg.hostPort, starttls: "postgres", logs: pg.logs };
        };

        const dragonfly = async (name: string, cert: KeyPair, control: boolean): Promise<Endpoint> => {
            const input = { maxMemory: "1gb" };
            const spec = { command: dragonflyArgs(input), envs: dragonflyEnvs("cipher-profile-pw"), uploads: dragonflyUploads(input, cert.certPem, cert.keyPem) };
            // Later redis.conf lines win: the control differs only in its cipher list.
            const server = await startRedisStandIn(spec, DRAGONFLY_FLAGS, { name, extraConfig: control ? [`tls-ciphers "${OPEN_CIPHERS}"`] : [] });
            stops.push(() => server.stop());
            return { port: server.hostPort };
        };

        // allSettled: every start finishes (and registers its stop) before a failure is reported.
        const started = await Promise.allSettled([
            nginx(certs.ecdsa, false), nginx(certs.rsa, false), nginx(certs.ecdsa, true), nginx(certs.rsa, true),
            postgres("pg-profile-ecdsa", certs.ecdsa, false), postgres("pg-profile-rsa", certs.rsa, false),
            postgres("pg-control-ecdsa", certs.ecdsa, true), postgres("pg-control-rsa", certs.rsa, true),
            dragonfly("dfly-profile-ecdsa", certs.ecdsa, false), dragonfly("dfly-profile-rsa", certs.rsa, false),
            dragonfly("dfly-control-ecdsa", certs.ecdsa, true), dragonfly("dfly-control-rsa", certs.rsa, true),
        ]);
        const failed = started.find((r): r is PromiseRejectedResult => r.status === "rejected");
        if (failed) throw failed.reason;
        const e = started.map((r) => (r as PromiseFulfilledResult<Endpoint>).value);
        const kind = (i: number): Kind => ({ ecdsa: e[i]!, rsa: e[i + 1]!, control: { ecdsa: e[i + 2]!, rsa: e[i + 3]! } });
        [kinds.nginx, kinds.postgres, kinds.dragonfly] = [kind(0), kind(4), kind(8)];
    }, 240_000);

    afterAll(async () => {
        await Promise.allSettled(stops.map((stop) => stop()));
        volumes.forEach((v) => v.remove());
    }, 60_000);

    const servers = ["nginx", "postgres", "dragonfly"] as const;

    it.each(servers.flatMap((s) => REFUSED.map(([what, cipher, cert]) => [s, what, cipher, cert] as const)))(
        "%s refuses %s at TLS 1.2 (%s, %s certificate), which its negative control accepts from the same client",
        async (server, _what, cipher, cert) => {
            const k = kinds[server];
            expect(await probe(k.control[cert], cipher)).toMatchObject({ accepted: true, protocol: "TLSv1.2", cipher });
            const refused = await probe(k[cert], cipher);
            expect(refused, refused.output).toMatchObject(REFUSED_FOR_CIPHER);
        },
        60_000,
    );

    it("PostgreSQL logs the refusals as `no shared cipher`, not as any other TLS failure", async () => {
        const refusedBefore = (kinds.postgres.rsa.logs!().match(/could not accept SSL connection: no shared cipher/g) ?? []).length;
        expect(await probe(kinds.postgres.rsa, "ECDHE-RSA-CAMELLIA128-SHA256")).toMatchObject(REFUSED_FOR_CIPHER);
        // The server writes its log line after the alert; give it a moment.
        await new Promise((r) => setTimeout(r, 500));
        expect((kinds.postgres.rsa.logs!().match(/could not accept SSL connection: no shared cipher/g) ?? []).length).toBe(refusedBefore + 1);
    }, 60_000);

    it.each(servers.flatMap((s) => [...ECDSA_SUITES.map((c) => [s, c, "ecdsa"] as const), ...RSA_SUITES.map((c) => [s, c, "rsa"] as const)]))(
        "%s accepts the profile's %s at TLS 1.2 (%s certificate), negotiating exactly it",
        async (server, cipher, cert) => {
            const accepted = await probe(kinds[server][cert], cipher);
            expect(accepted, accepted.output).toMatchObject({ accepted: true, protocol: "TLSv1.2", cipher });
        },
        60_000,
    );

    it.each(["X25519", "prime256v1", "secp384r1"])("nginx accepts the profile's group %s, and uses it for the key exchange", async (group) => {
        const accepted = await probe(kinds.nginx.rsa, TLS12_CIPHER_STRING, group);
        expect(accepted, accepted.output).toMatchObject({ accepted: true, protocol: "TLSv1.2" });
        // s_client names the ephemeral key: `X25519, 253 bits` or `ECDH, prime256v1, 256 bits`.
        expect(accepted.output).toMatch(new RegExp(`^Server Temp Key: ${group === "X25519" ? "X25519" : `ECDH, ${group}`}, `, "m"));
    }, 60_000);

    it.each(["secp521r1", "X448"])("nginx refuses the group %s, which OpenSSL's defaults (its negative control, `auto`) accept", async (group) => {
        expect(await probe(kinds.nginx.control.rsa, TLS12_CIPHER_STRING, group)).toMatchObject({ accepted: true, protocol: "TLSv1.2" });
        const refused = await probe(kinds.nginx.rsa, TLS12_CIPHER_STRING, group);
        expect(refused, refused.output).toMatchObject(REFUSED_FOR_CIPHER);
    }, 60_000);

    it("PostgreSQL (one curve up to 17) accepts prime256v1 and refuses secp521r1 and X448 (and X25519, which only 18 could add)", async () => {
        const pg = kinds.postgres.rsa;
        expect(await probe(pg, TLS12_CIPHER_STRING, "prime256v1")).toMatchObject({ accepted: true, protocol: "TLSv1.2" });
        for (const group of ["secp521r1", "X448", "X25519"]) {
            const refused = await probe(pg, TLS12_CIPHER_STRING, group);
            expect(refused, `${group}\n${refused.output}`).toMatchObject(REFUSED_FOR_CIPHER);
        }
    }, 60_000);
});
