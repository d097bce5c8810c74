import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { TLS12_CIPHER_STRING } from "../../components/shared/tlsProfile";
import { dragonflyStartupFailures, HOST_SHAPES } from "../dragonfly-model";
import { installEmulator, rejectedBeforeCreating, valueOf, type ProviderEmulator, type RegisteredResource } from "../emulator";
import { decodeTlsPayload } from "../harness/volumes";
import { type ContainerComponent, registeredContainer } from "./fixture";

// The dev components under the provider emulator: the exact inputs of the Docker resources that
// matter (images, ports, networks, volumes, uploads, healthchecks), secrecy, and bad input.

let emulator: ProviderEmulator;
let c: typeof import("../../components");
let ca: InstanceType<typeof c.CertificateAuthority>;
let app: InstanceType<typeof c.Certificate>;
const CONTAINER = "docker:index/container:Container";

beforeAll(async () => {
    emulator = await installEmulator({ stack: "dev" });
    c = await import("../../components");
    ca = new c.CertificateAuthority("ca", { commonName: "components CA" });
    app = new c.Certificate("app", { ca, commonName: "app", purpose: "client" });
});

async function containerOf(component: { containerName: pulumi.Output<string>; connection: pulumi.Output<unknown> }): Promise<RegisteredResource> {
    await valueOf(component.connection);
    const name = await valueOf(component.containerName);
    return emulator.ofType(CONTAINER).find((r) => r.state.name === name)!;
}

const uploadModes = (r: RegisteredResource) => r.inputs.uploads.map((u: Record<string, string>) => `${u.file} ${u.permissions} ${u.owner}:${u.group}`);
/** The files the component's volume writer delivers into its TLS directory, as `path mode owner:group`. */
async function deliveredModes(component: ContainerComponent): Promise<string[]> {
    const registered = await registeredContainer(emulator, component);
    return decodeTlsPayload(registered.tls.deliver.stdin).map((f) => `${registered.tls.dir}/${f.name} ${f.permissions} ${f.owner}:${f.group}`);
}

describe("every service container", () => {
    it.each([
        ["DragonflyCache", "docker.dragonflydb.io/dragonflydb/dragonfly:v1.40.1", "/data", "/etc/dragonfly/tls"],
        ["PostgresDatabase", "postgres:17.9-bookworm", "/var/lib/postgresql/data", "/etc/postgresql/tls"],
        ["NginxProxy", "nginx:1.30.0", undefined, "/etc/nginx/tls"],
    ] as const)("%s: pinned image, loopback ports, private + publish networks, data and TLS volumes, TLS healthcheck, wait, restart", async (kind, image, dataPath, tlsDir) => {
        const name = `svc-${kind.toLowerCase()}`;
        const component = new c[kind](name, { ca, network: "backend" });
        const container = await containerOf(component);
        const { inputs } = container;
        expect(emulator.get("docker:index/remoteImage:RemoteImage", `${name}-image`).inputs).toEqual({ name: image, keepLocally: true });
        expect(inputs.name).toBe(`tls-platform-dev-${name}`);
        expect(inputs.ports.every((p: { ip: string }) => p.ip === "127.0.0.1")).toBe(true);
        expect(inputs.networksAdvanced).toEqual([{ name: "backend", aliases: [name] }, { name: `tls-platform-dev-${name}-publish` }]);
        expect(emulator.get("docker:index/network:Network", `${name}-publish`).inputs).toEqual({ name: `tls-platform-dev-${name}-publish`, driver: "bridge", internal: false });
        expect(inputs.volumes).toEqual([
            ...(dataPath ? [{ volumeName: `tls-platform-dev-${name}-data`, containerPath: dataPath }] : []),
            { volumeName: `tls-platform-dev-${name}-tls`, containerPath: tlsDir, readOnly: true },
        ]);
        // No certificate is an upload (ForceNew): they go through the TLS volume, delivered before the container starts.
        expect(inputs.uploads.filter((u: { file: string }) => u.file.startsWith(`${tlsDir}/`))).toEqual([]);
        const { tls } = await registeredContainer(emulator, component);
        expect(tls.deliver.secretInputs).toContain("stdin");
        expect(tls.deliver.command).toContain(`--volume tls-platform-dev-${name}-tls:/tls `);
        expect(tls.reload.command).toContain(`docker exec tls-platform-dev-${name} `);
        expect(inputs.healthcheck.tests[0]).toBe("CMD-SHELL");
        expect(inputs.healthcheck.tests[1]).toMatch(/--cacert|sslrootcert=/);
        expect(inputs).toMatchObject({ wait: true, restart: "unless-stopped", mustRun: true });
        expect(emulator.failures).toEqual([]);
    });

    it("issues each server a certificate for its aliases, localhost and 127.0.0.1", async () => {
        const cache = new c.DragonflyCache("san-cache", { ca, network: "backend", aliases: ["cache", "redis"] });
        await valueOf(cache.connection);
        expect(emulator.get("tls:index/certRequest:CertRequest", "san-cache-tls-csr").inputs).toMatchObject({ dnsNames: ["cache", "redis", "localhost"], ipAddresses: ["127.0.0.1"] });
    });

    it("lets two instances of each live in one program without colliding", async () => {
        const pairs = [
            [new c.DragonflyCache("twin-a", { ca, network: "backend" }), new c.DragonflyCache("twin-b", { ca, network: "backend" })],
            [new c.PostgresDatabase("twin-c", { ca, network: "backend" }), new c.PostgresDatabase("twin-d", { ca, network: "backend" })],
        ];
        for (const [a, b] of pairs) {
            const [ra, rb] = [await containerOf(a!), await containerOf(b!)];
            expect(ra.inputs.name).not.toBe(rb.inputs.name);
            expect(ra.inputs.volumes[0].volumeName).not.toBe(rb.inputs.volumes[0].volumeName);
            expect(ra.state.ports[0].external).not.toBe(rb.state.ports[0].external);
        }
    });
});

describe("DragonflyCache", () => {
    it("passes only flags Dragonfly defines, demands client certificates through --tls_ca_cert_file, and sends the password as DFLY_requirepass", async () => {
        const cache = new c.DragonflyCache("df", { ca, network: "backend", maxMemory: "2gb", mutualTls: true, clientCaCertPem: ca.certPem, clientCertificate: app });
        const { inputs, secretInputs } = await containerOf(cache);
        expect(inputs.command).toEqual([
            "--port=6379",
            "--tls",
            "--tls_cert_file=/etc/dragonfly/tls/server.crt",
            "--tls_key_file=/etc/dragonfly/tls/server.key",
            "--tls_ca_cert_file=/etc/dragonfly/tls/ca.crt",
            `--tls_ciphers=${TLS12_CIPHER_STRING}`,
            `--maxmemory=${2 * 1024 ** 3}`,
            "--proactor_threads=1",
            "--dir=/data",
            "--dbfilename=dump",
            "--snapshot_cron=*/15 * * * *",
        ]);
        for (const host of HOST_SHAPES) expect(dragonflyStartupFailures(inputs.command, inputs.envs, host), JSON.stringify(host)).toEqual([]);
        expect(inputs.envs).toEqual([`DFLY_requirepass=${(await valueOf(cache.password))}`]);
        expect(inputs.envs.join()).not.toMatch(/DFLY_PASSWORD/);
        expect(secretInputs).toEqual(expect.arrayContaining(["envs"]));
        expect(inputs.uploads).toEqual([]);
        expect(await deliveredModes(cache)).toEqual([
            "/etc/dragonfly/tls/ca.crt 0644 999:999",
            "/etc/dragonfly/tls/issuer-ca.crt 0644 999:999",
            "/etc/dragonfly/tls/server.crt 0644 999:999",
            "/etc/dragonfly/tls/server.key 0600 999:999",
        ]);
        // Its healthcheck presents the server's own certificate, so that one must allow clientAuth too.
        expect(emulator.get("tls:index/locallySignedCert:LocallySignedCert", "df-tls-cert").inputs.allowedUses).toEqual(["digital_signature", "server_auth", "client_auth"]);
        expect(inputs.healthcheck.tests[1]).toContain("--cert /etc/dragonfly/tls/server.crt --key /etc/dragonfly/tls/server.key");
    });

    it("writes a secret rediss:// document with the CA, the password and the published port", async () => {
        const cache = new c.DragonflyCache("doc-cache", { ca, network: "backend", hostPort: 16380 });
        const doc = await valueOf(cache.connection);
        expect(await pulumi.isSecret(cache.connection)).toBe(true);
        expect(doc).toMatchObject({ service: "redis", host: "127.0.0.1", port: 16380, username: null, tls: { serverName: "localhost", ca: { type: "pem", pem: await valueOf(ca.certPem) } } });
        expect(doc.url).toBe(`rediss://:${doc.password}@127.0.0.1:16380/0`);
        expect(await valueOf(cache.internalConnection)).toMatchObject({ host: "doc-cache", port: 6379, tls: { serverName: "doc-cache" } });
    });
});

describe("PostgresDatabase", () => {
    it("runs postgres with TLS on and every TCP row hostssl, and uploads files postgres accepts (999-owned, key 0600)", async () => {
        const db = new c.PostgresDatabase("pg", { ca, network: "backend", mutualTls: true, clientCaCertPem: ca.certPem, clientCertificate: app, minTlsVersion: "TLSv1.3" });
        const { inputs } = await containerOf(db);
        expect(inputs.command).toEqual(expect.arrayContaining(["ssl=on", "ssl_min_protocol_version=TLSv1.3", "ssl_ca_file=/etc/postgresql/tls/ca.crt", "hba_file=/etc/postgresql/pg_hba.conf"]));
        expect(inputs.envs).toEqual(["POSTGRES_PASSWORD_FILE=/etc/postgresql/secrets/superuser-password"]);
        const hba = inputs.uploads.find((u: { file: string }) => u.file === "/etc/postgresql/pg_hba.conf").content as string;
        const rows = hba.split("\n").filter((l) => l && !l.startsWith("#")).map((l) => l.split(/\s+/).join(" "));
        expect(rows).toEqual(["local all all scram-sha-256", "hostnossl all all all reject", "hostssl all all all scram-sha-256 clientcert=verify-full"]);
        for (const u of (await registeredContainer(emulator, db)).uploads) {
            expect(`${u.owner}:${u.group}`).toBe("999:999");
            expect(u.permissions).toBe(/key|password/.test(u.file) ? "0600" : "0644");
        }
        const doc = await valueOf(db.connection);
        expect(doc.url).toMatch(/^postgres:\/\/app:[A-Za-z0-9]{32}@127\.0\.0\.1:\d+\/app\?sslmode=verify-full$/);
        expect(doc.tls.clientCertificate).toEqual({ certPem: await valueOf(app.certPem), privateKeyPem: await valueOf(app.privateKeyPem) });
        expect(doc.tls.minVersion).toBe("TLSv1.3");
        expect(inputs.uploads.find((u: { file: string }) => u.file.endsWith("app-password")).content).toBe(doc.password);
    });
});

describe("NginxProxy", () => {
    it("publishes HTTPS and HTTP on loopback, maps host.docker.internal, and keeps the key root-only", async () => {
        const proxy = new c.NginxProxy("web", { ca, network: "backend", hostPort: 18443, httpHostPort: 18080, upstreams: [{ name: "app", url: "http://host.docker.internal:3000", websocket: true }] });
        const { inputs } = await containerOf(proxy);
        expect(inputs.ports.map((p: Record<string, unknown>) => [p.internal, p.external, p.ip])).toEqual([
            [443, 18443, "127.0.0.1"],
            [80, 18080, "127.0.0.1"],
        ]);
        expect(inputs.command).toEqual(["nginx", "-g", "daemon off;"]);
        expect(inputs.hosts).toEqual([{ host: "host.docker.internal", ip: "host-gateway" }]);
        expect(uploadModes({ inputs } as RegisteredResource)).toEqual(["/etc/nginx/nginx.conf 0644 0:0"]);
        expect(await deliveredModes(proxy)).toEqual([
            "/etc/nginx/tls/issuer-ca.crt 0644 0:0",
            "/etc/nginx/tls/server.crt 0644 0:0",
            "/etc/nginx/tls/server.key 0600 0:0",
        ]);
        expect(await valueOf(proxy.connection)).toMatchObject({ service: "https", url: "https://127.0.0.1:18443/", port: 18443 });
        expect(await valueOf(proxy.httpHostPort)).toBe(18080);
    });
});

describe("bad input", () => {
    const base = () => ({ ca, network: "backend" });
    it.each<[string, () => unknown, string[]]>([
        ["a host port out of range", () => new c.DragonflyCache("bad1", { ...base(), hostPort: 70000 }), ["`hostPort`: 70000 is out of range; use a whole number from 1 to 65535, or leave it out to let Docker pick a free port."]],
        ["one host port used twice", () => new c.NginxProxy("bad2", { ...base(), hostPort: 8443, httpHostPort: 8443 }), ["`httpHostPort`: 8443 is already used by `hostPort`; give each published port its own number."]],
        [
            "a publish address that is not loopback",
            () => new c.PostgresDatabase("bad3", { ...base(), publishAddress: "0.0.0.0" }),
            ["`publishAddress`: `0.0.0.0` is not a loopback address and would expose the service beyond this machine; use `127.0.0.1`, or set `allowNonLoopbackPublish: true` if that is really meant."],
        ],
        [
            "mutual TLS with a client certificate for another user (the client CA now defaults to `ca`: tests/platform/arguments.test.ts)",
            () => new c.PostgresDatabase("bad4", { ...base(), user: "orders", mutualTls: true, clientCertificate: app }),
            [
                "`clientCertificate`: its common name `app` is not the database user `orders`, and PostgreSQL's `clientcert=verify-full` accepts a client certificate only when its CN is the user, so every connection would be refused; issue it with `commonName: \"orders\"`, or leave `clientCertificate` out to have one issued for that user.",
            ],
        ],
        [
            "an upstream URL that does not parse",
            () => new c.NginxProxy("bad5", { ...base(), upstreams: [{ name: "app", url: "http://app:99999" }] }),
            ["`upstreams[0].url` is `http://app:99999`, which is not a URL. Write it as `http://host:port`, e.g. `http://app:8080`."],
        ],
        [
            "a memory limit that does not parse",
            () => new c.DragonflyCache("bad6", { ...base(), maxMemory: "lots" }),
            ["`maxMemory`: `lots` is not a memory size; use a number with one of the units b, kb, mb, gb, tb (1024-based; kib, mib, gib, tib also accepted), for example `512mb` or `2gb`"],
        ],
    ])("rejects %s with one clear error, before anything is created", async (_, create, messages) => {
        const error = await rejectedBeforeCreating(emulator, create);
        expect(error.errors.map((e) => e.reason)).toEqual(messages);
    });

    it("accepts a non-loopback address only with the loud opt-in", async () => {
        const db = new c.PostgresDatabase("lan-db", { ...base(), publishAddress: "0.0.0.0", allowNonLoopbackPublish: true });
        expect((await containerOf(db)).inputs.ports[0].ip).toBe("0.0.0.0");
    });
});
