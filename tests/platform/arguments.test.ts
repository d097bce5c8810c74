import * as crypto from "node:crypto";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, rejectedBeforeCreating, valueOf, type ProviderEmulator, type RegisteredResource } from "../emulator";
import { type ContainerComponent, registeredContainer } from "./fixture";

// The service components' arguments as a whole: every problem at once (the server certificate's
// under the names the caller used), missing arguments from plain JavaScript, the cross-argument
// mistakes that would otherwise fail only at runtime, host ports shared across a program, and mutual
// TLS from one argument.

let emulator: ProviderEmulator;
let c: typeof import("../../components");
let ca: InstanceType<typeof c.CertificateAuthority>;
let app: InstanceType<typeof c.Certificate>;
let caPem: string;
const network = "backend";
const CONTAINER = "docker:index/container:Container";
type Untyped = new (name: string, args?: unknown) => unknown;
type Kind = "DragonflyCache" | "PostgresDatabase" | "NginxProxy";
const KINDS: Kind[] = ["DragonflyCache", "PostgresDatabase", "NginxProxy"];

beforeAll(async () => {
    emulator = await installEmulator({ stack: "dev" });
    c = await import("../../components");
    ca = new c.CertificateAuthority("ca", { commonName: "arguments CA" });
    app = new c.Certificate("app", { ca, commonName: "app", purpose: "client" });
    caPem = await valueOf(ca.certPem);
});

const reasons = async (create: () => unknown) => (await rejectedBeforeCreating(emulator, create)).errors.map((e) => [e.propertyPath, e.reason]);
const CA_FIX = 'pass the `CertificateAuthority` that issues your certificates, e.g. `ca: new CertificateAuthority("ca", { commonName: "dev CA" })`';

async function containerOf(component: { containerName: import("@pulumi/pulumi").Output<string>; connection: import("@pulumi/pulumi").Output<unknown> }): Promise<RegisteredResource> {
    await valueOf(component.connection);
    const name = await valueOf(component.containerName);
    const found = emulator.ofType(CONTAINER).find((r) => r.state.name === name)!;
    // Certificates are delivered through the TLS volume, not uploaded: the files the server finds at start.
    return { ...found, inputs: { ...found.inputs, uploads: (await registeredContainer(emulator, component as ContainerComponent)).uploads } };
}

describe("every problem in one error, the server certificate's named by the caller's arguments", () => {
    it("reports publishing, certificate, image and key problems of a PostgresDatabase together", async () => {
        const create = () =>
            new c.PostgresDatabase("multi", {
                ca,
                network,
                hostPort: 70000,
                image: "postgres:latest",
                certificateValidityDays: 500,
                certificateEarlyRenewalDays: 600,
                certificateKey: { keyAlgorithm: "RSA", rsaBits: 1024 },
            });
        expect(await reasons(create)).toEqual([
            ["hostPort", "`hostPort`: 70000 is out of range; use a whole number from 1 to 65535, or leave it out to let Docker pick a free port."],
            ["certificateKey.rsaBits", "`certificateKey.rsaBits`: 1024 is below the 2048-bit minimum; use 2048, 3072, 4096, or the default ECDSA P-256 key."],
            ["certificateValidityDays", "`certificateValidityDays`: 500 exceeds the 398-day maximum for a server certificate (CA/Browser Forum baseline requirements); use at most 398 (default 90)."],
            [
                "certificateEarlyRenewalDays",
                "`certificateEarlyRenewalDays`: 600 is not shorter than `certificateValidityDays` (500), so every `pulumi up` would replace the certificate; use fewer than 500 days (e.g. a third of the validity).",
            ],
            [
                "image",
                "`image`: `postgres:latest` is not pinned: `latest` moves, so the next pull (a container replaced for a config change pulls it again) may run another version; pin an exact version, e.g. `postgres:17.9-bookworm` (the default), or a digest `name@sha256:<64 hex digits>`.",
            ],
        ]);
    });

    it.each(KINDS)("%s: a component name unusable as alias and DNS name is one problem of the component, not a failing child", async (kind) => {
        expect(await reasons(() => new c[kind]("Orders_DB", { ca, network }))).toEqual([
            [
                "aliases",
                "`aliases`: none given, so the component's name `Orders_DB` is the network alias and the certificate's DNS name, and it is not usable as either; give `aliases` of lower-case letters, digits and inner hyphens, e.g. `aliases: [\"orders-db\"]`.",
            ],
        ]);
    });
});

describe("missing arguments from plain JavaScript are problems, not TypeErrors", () => {
    const MISSING_CA = ["ca", `\`ca\`: missing; a certificate needs an issuer; ${CA_FIX}.`];
    const MISSING_NETWORK = ["network", '`network`: missing; pass the name of the private Docker network the service joins, e.g. `network: backend.name` for `new docker.Network("backend", { internal: true })`.'];
    it.each(KINDS)("%s with no arguments at all", async (kind) => {
        expect(await reasons(() => new (c[kind] as Untyped)(`js-none-${kind.toLowerCase()}`))).toEqual([MISSING_NETWORK, MISSING_CA]);
    });
    it.each(KINDS)("%s without ca", async (kind) => {
        expect(await reasons(() => new (c[kind] as Untyped)(`js-noca-${kind.toLowerCase()}`, { network }))).toEqual([MISSING_CA]);
    });
});

describe("cross-argument mistakes, refused before anything is made", () => {
    it.each(KINDS)("%s: a leaf given as ca", async (kind) => {
        expect(await reasons(() => new c[kind](`leaf-ca-${kind.toLowerCase()}`, { ca: app, network }))).toEqual([
            ["ca", `\`ca\`: the leaf certificate \`app\` is not a certificate authority (no basic constraint CA:TRUE), so every TLS client would refuse what it signs; ${CA_FIX}.`],
        ]);
    });

    it.each(KINDS)("%s: a server certificate given as the client certificate", async (kind) => {
        const server = new c.Certificate(`server-${kind.toLowerCase()}`, { ca, commonName: "app", dnsNames: ["app.internal"] });
        expect(await reasons(() => new c[kind](`svc-as-client-${kind.toLowerCase()}`, { ca, network, mutualTls: true, clientCertificate: server }))).toEqual([
            [
                "clientCertificate",
                '`clientCertificate`: `app` is a server certificate (purpose `server`: no clientAuth usage), and a TLS server refuses it from a client ("unsupported certificate purpose"); issue one with `purpose: "client"`, or leave `clientCertificate` out to have the service issue one from `ca`.',
            ],
        ]);
    });

    const WRONG_CN =
        "`clientCertificate`: its common name `app` is not the database user `orders`, and PostgreSQL's `clientcert=verify-full` accepts a client certificate only when its CN is the user, so every connection would be refused; issue it with `commonName: \"orders\"`, or leave `clientCertificate` out to have one issued for that user.";

    it("PostgresDatabase: a client certificate whose CN is not the database user", async () => {
        expect(await reasons(() => new c.PostgresDatabase("cn-mismatch", { ca, network, user: "orders", mutualTls: true, clientCertificate: app }))).toEqual([["clientCertificate", WRONG_CN]]);
    });

    it("PostgresDatabase: the same mistake in a client certificate given as PEM text, read from the certificate", async () => {
        const pem = { certPem: await valueOf(app.certPem), privateKeyPem: await valueOf(app.privateKeyPem) };
        expect(await reasons(() => new c.PostgresDatabase("cn-mismatch-pem", { ca, network, user: "orders", mutualTls: true, clientCertificate: pem }))).toEqual([["clientCertificate", WRONG_CN]]);
    });

    it("PostgresDatabase: a client CA of the caller's own without a certificate from it", async () => {
        expect(await reasons(() => new c.PostgresDatabase("own-ca", { ca, network, mutualTls: true, clientCaCertPem: ca.certPem }))).toEqual([
            [
                "clientCertificate",
                "`clientCertificate`: missing while `clientCaCertPem` names a client CA of your own, so the connection documents would carry no certificate that CA accepts; pass one it issued, or leave out `clientCaCertPem` to trust `ca` and have the service issue the client certificate.",
            ],
        ]);
    });

    it.each<[string, string]>([
        ["nginx", "`image`: `nginx` has no tag, which Docker reads as `latest`, a tag that moves: the next pull (a container replaced for a config change pulls it again) may run another version; pin an exact version, e.g. `nginx:1.30.0` (the default), or a digest `name@sha256:<64 hex digits>`."],
        [
            "registry.internal:5000/nginx",
            "`image`: `registry.internal:5000/nginx` has no tag, which Docker reads as `latest`, a tag that moves: the next pull (a container replaced for a config change pulls it again) may run another version; pin an exact version, e.g. `nginx:1.30.0` (the default), or a digest `name@sha256:<64 hex digits>`.",
        ],
        ["nginx:latest", "`image`: `nginx:latest` is not pinned: `latest` moves, so the next pull (a container replaced for a config change pulls it again) may run another version; pin an exact version, e.g. `nginx:1.30.0` (the default), or a digest `name@sha256:<64 hex digits>`."],
    ])("NginxProxy: the unpinned image %s", async (image, message) => {
        expect(await reasons(() => new c.NginxProxy(`unpinned-${image.replace(/[^a-z0-9]+/g, "-")}`, { ca, network, image }))).toEqual([["image", message]]);
    });

    it.each(["registry.internal:5000/nginx:1.30.0", `nginx@sha256:${"a".repeat(64)}`])("NginxProxy: accepts the pinned image %s", async (image) => {
        const proxy = new c.NginxProxy(`pinned-${image.length}`, { ca, network, image });
        expect((await containerOf(proxy)).inputs.name).toBe(`tls-platform-dev-pinned-${image.length}`);
        expect(emulator.get("docker:index/remoteImage:RemoteImage", `pinned-${image.length}-image`).inputs.name).toBe(image);
    });
});

describe("two services on one host port in a program", () => {
    it("refuses the second service that publishes a port the first one has, naming both", async () => {
        const cache = new c.DragonflyCache("port-first", { ca, network, hostPort: 16390 });
        await valueOf(cache.connection);
        expect(await reasons(() => new c.PostgresDatabase("port-second", { ca, network, hostPort: 16390 }))).toEqual([
            [
                "hostPort",
                '`hostPort`: 16390 is already published on 127.0.0.1 by DragonflyCache "port-first" (`hostPort`) in this program, and Docker would refuse the second container at `pulumi up` ("port is already allocated") after creating the first; give each service its own host port, or leave `hostPort` out to let Docker pick a free one.',
            ],
        ]);
        expect(await reasons(() => new c.NginxProxy("port-third", { ca, network, httpHostPort: 16390 }))).toEqual([
            [
                "httpHostPort",
                '`httpHostPort`: 16390 is already published on 127.0.0.1 by DragonflyCache "port-first" (`hostPort`) in this program, and Docker would refuse the second container at `pulumi up` ("port is already allocated") after creating the first; give each service its own host port, or leave `httpHostPort` out to let Docker pick a free one.',
            ],
        ]);
    });

    it("lets one port be published on two different loopback addresses, and a refused component claims nothing", async () => {
        await rejectedBeforeCreating(emulator, () => new c.DragonflyCache("port-refused", { ca, network, hostPort: 16391, maxMemory: "lots" }));
        const v4 = new c.DragonflyCache("port-v4", { ca, network, hostPort: 16391 });
        const v6 = new c.PostgresDatabase("port-v6", { ca, network, hostPort: 16391, publishAddress: "::1" });
        expect([(await containerOf(v4)).inputs.ports[0], (await containerOf(v6)).inputs.ports[0]]).toEqual([
            { internal: 6379, external: 16391, ip: "127.0.0.1", protocol: "tcp" },
            { internal: 5432, external: 16391, ip: "::1", protocol: "tcp" },
        ]);
    });
});

describe("mutual TLS from one argument", () => {
    it("PostgresDatabase: trusts the server's CA and issues the client certificate for the database user", async () => {
        const db = new c.PostgresDatabase("one-arg-db", { ca, network, user: "orders", database: "orders", mutualTls: true });
        const { inputs } = await containerOf(db);
        expect(inputs.uploads.find((u: { file: string }) => u.file === "/etc/postgresql/tls/ca.crt").content).toBe(caPem);
        expect(emulator.get("tls:index/certRequest:CertRequest", "one-arg-db-client-csr").inputs.subject).toEqual({ commonName: "orders" });
        expect(emulator.get("tls:index/locallySignedCert:LocallySignedCert", "one-arg-db-client-cert").inputs.allowedUses).toEqual(["digital_signature", "client_auth"]);
        const client = (await valueOf(db.connection)).tls.clientCertificate!;
        const x = new crypto.X509Certificate(client.certPem);
        expect([x.subject, x.checkIssued(new crypto.X509Certificate(caPem)), x.checkPrivateKey(crypto.createPrivateKey(client.privateKeyPem))]).toEqual(["CN=orders", true, true]);
    });

    it.each<[Kind, string]>([
        ["DragonflyCache", "/etc/dragonfly/tls/ca.crt"],
        ["NginxProxy", "/etc/nginx/tls/client-ca.crt"],
    ])("%s: trusts the server's CA and issues a client certificate `app`", async (kind, clientCaFile) => {
        const name = `one-arg-${kind.toLowerCase()}`;
        const service = new c[kind](name, { ca, network, mutualTls: true });
        const { inputs } = await containerOf(service);
        expect(inputs.uploads.find((u: { file: string }) => u.file === clientCaFile)?.content).toBe(caPem);
        const client = (await valueOf(service.connection)).tls.clientCertificate!;
        expect(new crypto.X509Certificate(client.certPem).subject).toBe("CN=app");
    });
});
