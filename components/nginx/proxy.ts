import * as pulumi from "@pulumi/pulumi";
import { ConnectionDocument, httpsConnection } from "../connection/document";
import { mutualTlsDefaults } from "../shared/mutualTls";
import { partitionUploads } from "../shared/rotation/files";
import { PEM_PLACEHOLDERS } from "../shared/rotation/placeholders";
import { CLIENT_CA_PLACEHOLDER, TlsServiceArgs, checkServiceArgs, serviceCertificate, serviceConnections, trustBundleOf } from "../shared/service";
import { publishedPort, serviceContainer } from "../shared/serviceContainer";
import { MinTlsVersion, NginxConfigInput, NginxHsts, NginxUpstream, nginxHealthcheck, nginxUploads, validateNginxInput } from "./config";
import { DEFAULT_HTTP_PORT, DEFAULT_HTTPS_PORT, NGINX_RELOAD, NGINX_TLS_DIR } from "./defaults";

/** The official image, stable line, pinned (nginx/docker-nginx). */
export const NGINX_IMAGE = "nginx:1.30.0";
/** Docker's name for the host as seen from a container; `host-gateway` maps it on Linux too. */
export const HOST_GATEWAY_NAME = "host.docker.internal";

export interface NginxProxyArgs extends TlsServiceArgs {
    /**
     * Host names the proxy serves; also DNS SANs of its certificate.
     * @default - any host (`server_name _`), certificate for the aliases and `localhost`
     */
    readonly serverNames?: string[];
    /**
     * Backends by path prefix, e.g. `{ name: "app", url: "http://host.docker.internal:3000", websocket: true }`.
     * The healthcheck's path (`/.tls-platform/health`) is answered by nginx and never proxied.
     * @default - none (every path answers 404)
     */
    readonly upstreams?: NginxUpstream[];
    /**
     * The lowest TLS version accepted; `TLSv1.3` refuses TLS 1.2 clients.
     * @default - `TLSv1.2`
     */
    readonly minTlsVersion?: MinTlsVersion | string;
    /**
     * Host port for plain HTTP, which only redirects to HTTPS (and serves ACME challenges). The
     * redirect names `hostPort`, so give `hostPort` too when HTTP is used from outside.
     * @default - a free port chosen by Docker
     */
    readonly httpHostPort?: number;
    /**
     * HSTS for requests to the proxy's real host names (`serverNames`). Every other host, `localhost`
     * and IPs included, gets `max-age=0`: browsers keep HSTS per host, not per port, so a policy for
     * localhost would force HTTPS on every localhost port; max-age=0 also clears one left behind.
     * @default - HSTS_TWO_YEARS (two years, includeSubDomains) for `serverNames`, `max-age=0` elsewhere
     */
    readonly hsts?: NginxHsts;
}

/**
 * A TLS-terminating nginx container: HTTPS with TLS 1.2/1.3 only and the Mozilla intermediate
 * profile, HSTS (an argument) and security headers, HTTP redirected, upstreams with WebSocket support, and client
 * certificates demanded when `mutualTls` is on. Stateless: no data volume.
 */
export class NginxProxy extends pulumi.ComponentResource {
    /** How a client on this machine connects (published HTTPS port on 127.0.0.1), as a secret document. */
    public readonly connection: pulumi.Output<ConnectionDocument>;
    /** How a container on the private network connects, as a secret document. */
    public readonly internalConnection: pulumi.Output<ConnectionDocument>;
    /** The host port plain HTTP (redirects only) is published on. */
    public readonly httpHostPort: pulumi.Output<number>;
    /** When the server certificate expires. */
    public readonly certificateValidityEndTime: pulumi.Output<string>;
    public readonly containerName: pulumi.Output<string>;

    constructor(name: string, args: NginxProxyArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tls-platform:index:NginxProxy", name, {}, opts);
        args = args ?? ({} as NginxProxyArgs);

        const input: NginxConfigInput = {
            serverNames: args.serverNames,
            upstreams: args.upstreams,
            minTlsVersion: args.minTlsVersion as MinTlsVersion | undefined, // validateNginxInput checks it
            verifyClient: args.mutualTls === true,
            // A redirect must name the port clients use; when Docker picks it, it is not known here.
            publicHttpsPort: args.hostPort,
            hsts: args.hsts,
            ...(args.mutualTls ? { clientCaCertPem: CLIENT_CA_PLACEHOLDER } : {}),
        };
        checkServiceArgs("NginxProxy", name, args, { defaultImage: NGINX_IMAGE, hostPorts: { hostPort: args.hostPort, httpHostPort: args.httpHostPort }, problems: validateNginxInput(input) });
        args = mutualTlsDefaults(name, args, this, `NginxProxy "${name}"`);

        const aliases = args.aliases ?? [name];
        const sanNames = [...new Set([...(args.serverNames ?? []).filter((n) => n !== "_"), ...aliases])];
        const cert = serviceCertificate(name, args, sanNames, this);
        const clientCa = args.mutualTls ? pulumi.output(args.clientCaCertPem!) : pulumi.output(undefined);
        const trustBundle = trustBundleOf(args.ca, cert.caCertPem);
        // nginx.conf depends on whether a client CA is set, not on any certificate's content.
        const configUploads = partitionUploads(nginxUploads({ ...input, clientCaCertPem: args.mutualTls ? CLIENT_CA_PLACEHOLDER : undefined }, PEM_PLACEHOLDERS), NGINX_TLS_DIR).uploads;
        const tlsFiles = pulumi
            .all([cert.certPem, cert.privateKeyPem, trustBundle, clientCa])
            .apply(([serverCertPem, serverKeyPem, issuerCaCertPem, clientCaCertPem]) =>
                partitionUploads(nginxUploads({ ...input, clientCaCertPem }, { serverCertPem, serverKeyPem, issuerCaCertPem }), NGINX_TLS_DIR).tls,
            );
        const { container } = serviceContainer(
            name,
            args,
            aliases,
            {
                image: args.image ?? NGINX_IMAGE,
                command: ["nginx", "-g", "daemon off;"],
                uploads: configUploads,
                tls: {
                    dir: NGINX_TLS_DIR,
                    files: pulumi.secret(tlsFiles),
                    certPem: cert.certPem,
                    privateKeyPem: cert.privateKeyPem,
                    trustBundlePem: trustBundle,
                    reload: NGINX_RELOAD,
                    port: DEFAULT_HTTPS_PORT,
                    protocol: "tls",
                },
                ports: [
                    { internal: DEFAULT_HTTPS_PORT, external: args.hostPort },
                    { internal: DEFAULT_HTTP_PORT, external: args.httpHostPort },
                ],
                healthcheck: nginxHealthcheck(input),
                // Upstreams on the developer's machine are reached as host.docker.internal.
                hosts: [{ host: HOST_GATEWAY_NAME, ip: "host-gateway" }],
            },
            this,
        );

        const connections = serviceConnections(
            args,
            aliases,
            { published: publishedPort(container, DEFAULT_HTTPS_PORT), internal: DEFAULT_HTTPS_PORT },
            trustBundle,
            { minTlsVersion: args.minTlsVersion as MinTlsVersion | undefined },
            httpsConnection,
        );
        this.connection = connections.connection;
        this.internalConnection = connections.internalConnection;
        this.httpHostPort = publishedPort(container, DEFAULT_HTTP_PORT);
        this.certificateValidityEndTime = cert.validityEndTime;
        this.containerName = container.name;
        this.registerOutputs({
            connection: this.connection,
            internalConnection: this.internalConnection,
            httpHostPort: this.httpHostPort,
            certificateValidityEndTime: this.certificateValidityEndTime,
        });
    }
}
