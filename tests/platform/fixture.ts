import type * as pulumi from "@pulumi/pulumi";
import { installEmulator, valueOf, type ProviderEmulator } from "../emulator";
import type { ConnectionDocument } from "../../components";
import type { ContainerFile } from "../../components/shared/container";
import { withDeliveredTlsFiles } from "../harness/volumes";

/** A container as the Docker provider would be asked to create it: exactly the registered inputs. */
export interface RegisteredContainer {
    readonly name: string;
    readonly image: string;
    readonly command: string[];
    readonly envs: string[];
    /**
     * Every file the server finds at start: the container's own uploads (configuration) and the TLS files
     * the volume writer delivers into its TLS directory, decoded from the writer's payload (the writer
     * itself runs in tests/servers/rotation.test.ts), each at `<tlsDir>/<name>`.
     */
    readonly uploads: ContainerFile[];
    /** The container's own `uploads` input: configuration only, no certificate. */
    readonly configUploads: ContainerFile[];
    /** The TLS volume's mount and the two commands that fill it and reload the server, as registered. */
    readonly tls: RegisteredTlsDelivery;
    readonly ports: Array<{ internal: number; external: number; ip: string }>;
    /** The healthcheck's shell command (`CMD-SHELL`). */
    readonly healthcheck: string;
    readonly volumes: Array<{ volumeName: string; containerPath: string }>;
    /** Input paths the engine received as secrets, e.g. `uploads`, `envs`. */
    readonly secretInputs: readonly string[];
    /** The component's connection document for a client on this machine. */
    readonly connection: ConnectionDocument;
}

export interface RegisteredTlsDelivery {
    readonly dir: string;
    readonly volumeName: string;
    readonly readOnly: boolean;
    /** `<name>-tls-files`: the writer's `docker run` (create), what an update runs, and its stdin (the payload, secret). */
    readonly deliver: { readonly command: string; readonly update: string | undefined; readonly stdin: string; readonly secretInputs: readonly string[] };
    /** `<name>-tls-reload`: the writer, `docker exec` of the reload and the served-certificate probe, else the rollback; stdin the payload. */
    readonly reload: { readonly command: string; readonly stdin: string };
}

export interface Pems {
    readonly certPem: string;
    readonly privateKeyPem: string;
}

/** The variants a server test needs, each a component instance of its own. */
export interface DeployedPlatform {
    readonly emulator: ProviderEmulator;
    /** The project's CA, which issued every server certificate and the application's client certificate. */
    readonly caPem: string;
    /** The application's client certificate (CN `app`), as the dev program issues it. */
    readonly app: Pems;
    /** A client certificate with CN `app` from another CA. */
    readonly foreign: Pems & { readonly caPem: string };
    readonly cache: RegisteredContainer;
    readonly cacheMutualTls: RegisteredContainer;
    readonly database: RegisteredContainer;
    readonly databaseMutualTls: RegisteredContainer;
    readonly databaseTls13: RegisteredContainer;
    /** Same arguments as `database`, issued a new certificate: the container a renewal would create. */
    readonly databaseRenewed: RegisteredContainer;
    readonly proxy: RegisteredContainer;
    readonly proxyMutualTls: RegisteredContainer;
    readonly proxyTls13: RegisteredContainer;
}

/**
 * Runs the dev components under the provider emulator, one instance per variant, and returns what
 * each registered with the Docker provider. Server tests start real servers from exactly these.
 */
export async function deployPlatform(): Promise<DeployedPlatform> {
    const emulator = await installEmulator({ stack: "dev" });
    const c = await import("../../components");
    const ca = new c.CertificateAuthority("ca", { commonName: "tls-platform test CA" });
    const app = new c.Certificate("app", { ca, commonName: "app", purpose: "client" });
    const foreignCa = new c.CertificateAuthority("foreign-ca", { commonName: "someone else's CA" });
    const foreign = new c.Certificate("foreign-app", { ca: foreignCa, commonName: "app", purpose: "client" });
    const network = "backend";
    const mutual = { mutualTls: true, clientCaCertPem: ca.certPem, clientCertificate: app };
    const upstreams = [{ name: "app", url: "http://upstream.internal:8080", websocket: true }];

    const components = {
        cache: new c.DragonflyCache("cache", { ca, network }),
        cacheMutualTls: new c.DragonflyCache("cache-mtls", { ca, network, ...mutual }),
        database: new c.PostgresDatabase("db", { ca, network }),
        databaseMutualTls: new c.PostgresDatabase("db-mtls", { ca, network, ...mutual }),
        databaseTls13: new c.PostgresDatabase("db-tls13", { ca, network, minTlsVersion: "TLSv1.3" }),
        databaseRenewed: new c.PostgresDatabase("db-renewed", { ca, network, aliases: ["db"] }),
        proxy: new c.NginxProxy("proxy", { ca, network, upstreams, serverNames: ["proxy.internal"] }),
        proxyMutualTls: new c.NginxProxy("proxy-mtls", { ca, network, upstreams, ...mutual }),
        proxyTls13: new c.NginxProxy("proxy-tls13", { ca, network, upstreams, minTlsVersion: "TLSv1.3" }),
    };
    const entries = await Promise.all(Object.entries(components).map(async ([k, v]) => [k, await registeredContainer(emulator, v)] as const));
    return {
        emulator,
        caPem: await valueOf(ca.certPem),
        app: { certPem: await valueOf(app.certPem), privateKeyPem: await valueOf(app.privateKeyPem) },
        foreign: { certPem: await valueOf(foreign.certPem), privateKeyPem: await valueOf(foreign.privateKeyPem), caPem: await valueOf(foreignCa.certPem) },
        ...(Object.fromEntries(entries) as Omit<DeployedPlatform, "emulator" | "caPem" | "app" | "foreign">),
    };
}

/** A component that runs one container: what the dev service components all expose. */
export interface ContainerComponent {
    readonly connection: pulumi.Output<ConnectionDocument>;
    readonly containerName: pulumi.Output<string>;
}

/** What `component` registered with the Docker provider under `emulator`, once its outputs resolved. */
export async function registeredContainer(emulator: ProviderEmulator, component: ContainerComponent): Promise<RegisteredContainer> {
    const connection = await valueOf(component.connection);
    const containerName = await valueOf(component.containerName);
    const found = emulator.ofType("docker:index/container:Container").find((r) => r.state.name === containerName)!;
    const { inputs, state } = found;
    const tls = await registeredTlsDelivery(emulator, containerName, inputs.volumes ?? []);
    const configUploads: ContainerFile[] = inputs.uploads ?? [];
    return {
        name: containerName,
        image: inputs.image,
        command: inputs.command,
        envs: inputs.envs ?? [],
        uploads: withDeliveredTlsFiles(inputs, [{ create: tls.deliver.command, stdin: tls.deliver.stdin }]).uploads,
        configUploads,
        tls,
        ports: state.ports,
        healthcheck: inputs.healthcheck.tests[1],
        volumes: inputs.volumes ?? [],
        secretInputs: found.secretInputs,
        connection,
    };
}

/** The TLS volume of a container and the two commands registered for it. */
async function registeredTlsDelivery(emulator: ProviderEmulator, containerName: string, volumes: Array<{ volumeName: string; containerPath: string; readOnly?: boolean }>): Promise<RegisteredTlsDelivery> {
    const volume = volumes.find((v) => v.volumeName === `${containerName}-tls`);
    if (!volume) throw new Error(`${containerName} mounts no TLS volume ${containerName}-tls`);
    const find = (match: string) => emulator.ofType("command:local:Command").find((r) => String(r.inputs.create).includes(match));
    // The reload registers once the container's published port is known, after the connection document.
    for (let waited = 0; !find(`docker exec ${containerName} `) && waited < 5000; waited += 10) await new Promise((r) => setTimeout(r, 10));
    // The writer command alone; the reload step runs the same writer before its `docker exec`.
    const deliver = emulator.ofType("command:local:Command").find((r) => String(r.inputs.create).includes(` --volume ${volume.volumeName}:/tls `) && !String(r.inputs.create).includes("docker exec "));
    const reload = find(`docker exec ${containerName} `);
    if (!deliver || !reload) throw new Error(`${containerName}: no ${deliver ? "reload" : "delivery"} command registered`);
    return {
        dir: volume.containerPath,
        volumeName: volume.volumeName,
        readOnly: volume.readOnly === true,
        deliver: { command: deliver.inputs.create, update: deliver.inputs.update, stdin: deliver.inputs.stdin, secretInputs: deliver.secretInputs },
        reload: { command: reload.inputs.create, stdin: reload.inputs.stdin },
    };
}
