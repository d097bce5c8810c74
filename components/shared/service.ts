import * as net from "node:net";
import * as pulumi from "@pulumi/pulumi";
import { Certificate, CertificateInputs } from "../pki/certificate";
import type { CertificateIssuer } from "../pki/certificateAuthority";
import type { KeyInputs } from "../pki/keys";
import { validateCertificateArgs, validateIssuer } from "../pki/validate";
import { LOOPBACK_ADDRESS } from "./container";
import { HostPortRequest, claimHostPorts, hostPortConflicts } from "./hostPorts";
import { canonicalIp, isLoopbackIp, isUnspecifiedIp } from "./hosts";
import { validateImage } from "./image";
import { ClientIdentityRule, validateMutualTls } from "./mutualTls";
import { ConnectionDocument, ConnectionInput } from "../connection/document";
import { Problem, show, throwIfProblems } from "./problems";

/** What every TLS service container component takes: its CA, its network, how it is published. */
export interface TlsServiceArgs {
    /** The CA that issues the service's server certificate. */
    readonly ca: CertificateIssuer;
    /** Name of the private Docker network the service joins (create it with `internal: true`). */
    readonly network: pulumi.Input<string>;
    /**
     * Names the service answers to on that network; each is also a DNS SAN of its certificate,
     * beside `localhost`, `127.0.0.1` and the published address.
     * @default - the component's name
     */
    readonly aliases?: string[];
    /**
     * Host port the service is published on. Docker cannot publish from an internal network, so a
     * published service also joins a bridge network of its own, `<name>-publish`.
     * @default - a free port chosen by Docker (read it from the component's connection output)
     */
    readonly hostPort?: number;
    /**
     * Host IP address the port binds to (an IPv4 or IPv6 literal: Docker port bindings take IPs, and
     * older engines given a name bind every interface). The connection document names this address and
     * the certificate carries it as an IP SAN; for the unspecified `0.0.0.0`/`::` (every interface) the
     * document names the loopback address of the same family.
     * @default - `127.0.0.1` (the document verifies the server as `localhost`)
     */
    readonly publishAddress?: string;
    /**
     * Allow `publishAddress` to be something other than loopback, exposing the service to the network.
     * @default - false
     */
    readonly allowNonLoopbackPublish?: boolean;
    /**
     * Demand client certificates issued by `clientCaCertPem` (mutual TLS). On its own it is enough:
     * the client CA defaults to `ca` and the client certificate to one the service issues.
     * @default - false
     */
    readonly mutualTls?: boolean;
    /**
     * PEM of the CA whose client certificates are accepted under mutual TLS. Give it only for a
     * client CA of your own, and then a `clientCertificate` it issued.
     * @default - `ca`'s certificate: the CA that issues the server's certificate
     */
    readonly clientCaCertPem?: pulumi.Input<string>;
    /**
     * The client certificate an application presents under mutual TLS (e.g. a `Certificate` with
     * purpose `client`), written into the connection documents. A server certificate is refused, and
     * PostgreSQL needs the database user as its common name.
     * @default - a client certificate issued from `ca` (`<name>-client`; common name the database
     * user for PostgreSQL, `app` otherwise)
     */
    readonly clientCertificate?: ClientCertificateInput;
    /**
     * The server certificate's key.
     * @default - ECDSA P-256
     */
    readonly certificateKey?: KeyInputs;
    /**
     * Server certificate validity and early renewal, in days.
     * @default - 90 and 30 days
     */
    readonly certificateValidityDays?: number;
    readonly certificateEarlyRenewalDays?: number;
    /**
     * Image reference, pinned to an exact version or digest (`:latest` and no tag are refused: a
     * container replaced later, for a config change, would pull whatever they point at then).
     * @default - the component's pinned image
     */
    readonly image?: string;
}

/** A client certificate and its key, e.g. a `Certificate`. */
export interface ClientCertificateInput {
    readonly certPem: pulumi.Input<string>;
    readonly privateKeyPem: pulumi.Input<string>;
}

/**
 * The CA bundle a service's clients, healthcheck and reload probe trust: the issuer's trust bundle (every
 * current CA generation, during a CA key rollover) when it has one, else the CA that issued `issuedBy`.
 */
export function trustBundleOf(ca: CertificateIssuer, issuedBy: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.output(ca.trustBundlePem ?? issuedBy);
}

/**
 * Stands in for a client CA's PEM while validating a renderer's input before the CA is known: the
 * renderers only need to know that one will be there.
 */
export const CLIENT_CA_PLACEHOLDER = "-----BEGIN CERTIFICATE-----\n";


/** Where a service published on `publishAddress` is reached from the Docker host, and how it is verified. */
export interface PublishedEndpoint {
    /** The port binding's `ip`. */
    readonly bind: string;
    /** The connection document's `host`. */
    readonly host: string;
    /** The name the document verifies the certificate against: `localhost` for the default, else the IP itself. */
    readonly serverName: string;
    /** IP SANs the server certificate needs for that host. */
    readonly certificateIps: string[];
}

/**
 * The published endpoint for a (validated) `publishAddress`. The default keeps verifying as `localhost`
 * (a DNS SAN every service certificate has), so clients send SNI as before. Any other address is
 * verified as the IP itself, which TLS clients check against IP SANs (RFC 6125 §1.7.2; node's
 * checkServerIdentity, libpq verify-full); the unspecified address is not a destination, so its
 * document names loopback.
 */
export function publishedEndpoint(publishAddress: string = LOOPBACK_ADDRESS): PublishedEndpoint {
    // One spelling everywhere: the certificate's SAN, the document and the binding agree on `::1`.
    const address = canonicalIp(publishAddress) ?? publishAddress;
    const loopbackOfFamily = net.isIPv6(address) ? "::1" : LOOPBACK_ADDRESS;
    const host = isUnspecifiedIp(address) ? loopbackOfFamily : address;
    return {
        bind: address,
        host,
        serverName: host === LOOPBACK_ADDRESS ? "localhost" : host,
        certificateIps: [...new Set([LOOPBACK_ADDRESS, host])],
    };
}

/**
 * Problems with the publishing and alias arguments shared by every service (pure). `name` is the
 * component's: the default alias, which must then be usable as one.
 */
export function validateServiceArgs(args: Omit<TlsServiceArgs, "ca" | "network">, hostPorts: Record<string, number | undefined>, name?: string): Problem[] {
    const problems: Problem[] = [];
    const seen = new Map<number, string>();
    for (const [name, port] of Object.entries(hostPorts)) {
        if (port === undefined) {
            continue;
        }
        if (!Number.isInteger(port) || port < 1 || port > 65535) {
            problems.push({ path: name, message: `\`${name}\`: ${show(port)} is out of range; use a whole number from 1 to 65535, or leave it out to let Docker pick a free port.` });
        } else if (seen.has(port)) {
            problems.push({ path: name, message: `\`${name}\`: ${port} is already used by \`${seen.get(port)}\`; give each published port its own number.` });
        } else {
            seen.set(port, name);
        }
    }
    const address = args.publishAddress ?? LOOPBACK_ADDRESS;
    if (typeof address !== "string" || canonicalIp(address) === undefined) {
        problems.push({
            path: "publishAddress",
            message: `\`publishAddress\`: ${show(address)} is not an IP address; Docker binds published ports to an IP (older engines given a name bind every interface), so use \`127.0.0.1\` (the default) or \`::1\`.`,
        });
    } else if (!isLoopbackIp(address) && args.allowNonLoopbackPublish !== true) {
        problems.push({
            path: "publishAddress",
            message: `\`publishAddress\`: ${show(address)} is not a loopback address and would expose the service beyond this machine; use \`127.0.0.1\`, or set \`allowNonLoopbackPublish: true\` if that is really meant.`,
        });
    }
    for (const alias of args.aliases ?? []) {
        if (!isUsableAlias(alias)) {
            problems.push({ path: "aliases", message: `\`aliases\`: ${show(alias)} is not a usable network alias; use lower-case letters, digits and inner hyphens, at most 63 characters.` });
        }
    }
    if (args.aliases === undefined && name !== undefined && !isUsableAlias(name)) {
        problems.push({
            path: "aliases",
            message: `\`aliases\`: none given, so the component's name ${show(name)} is the network alias and the certificate's DNS name, and it is not usable as either; give \`aliases\` of lower-case letters, digits and inner hyphens, e.g. \`aliases: ["${name.toLowerCase().replace(/[^a-z0-9-]+/g, "-").replace(/^-+|-+$/g, "") || "db"}"]\`.`,
        });
    }
    return problems;
}

const isUsableAlias = (alias: unknown) => typeof alias === "string" && /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(alias);

/** The service arguments that the server certificate takes, under the names the caller used. */
const CERTIFICATE_ARGUMENTS: Record<string, string> = {
    validityDays: "certificateValidityDays",
    earlyRenewalDays: "certificateEarlyRenewalDays",
    keyAlgorithm: "certificateKey.keyAlgorithm",
    ecdsaCurve: "certificateKey.ecdsaCurve",
    rsaBits: "certificateKey.rsaBits",
};

/**
 * The server certificate's problems, before it is made, named by the arguments the caller used
 * (`certificateValidityDays`, not the child's `validityDays`). Its names and addresses come from
 * `aliases` and `publishAddress`, checked in their own right, so their problems are not repeated.
 */
export function validateServiceCertificate(name: string, args: TlsServiceArgs, alsoClient = false): Problem[] {
    const { ca: _ca, ...certificate } = serviceCertificateArgs(name, args, args.aliases ?? [name], alsoClient);
    const rename = (text: string) => text.replace(/`(validityDays|earlyRenewalDays|keyAlgorithm|ecdsaCurve|rsaBits)`/g, (_, arg: string) => `\`${CERTIFICATE_ARGUMENTS[arg]}\``);
    const own = validateCertificateArgs(certificate)
        .filter((p) => p.path in CERTIFICATE_ARGUMENTS)
        .map((p) => ({ path: CERTIFICATE_ARGUMENTS[p.path]!, message: rename(p.message) }));
    return [...validateIssuer(args.ca), ...own];
}

/** What a service component checks before it creates anything, beside its own configuration. */
export interface ServiceCheck {
    /** The component's pinned image, quoted in the fix for an unpinned one. */
    readonly defaultImage: string;
    /** Every host port argument and its value. */
    readonly hostPorts: Record<string, number | undefined>;
    /** Problems with the component's own configuration (rendered server config). */
    readonly problems: readonly Problem[];
    /** The server certificate is also a client certificate (Dragonfly's healthcheck presents it). */
    readonly alsoClient?: boolean;
    /** Who the clients are under mutual TLS; PostgreSQL's must be the database user. */
    readonly client?: ClientIdentityRule;
}

/**
 * Every problem with a service's arguments, its server certificate's and its host ports' in this
 * program included, thrown as one error; then claims its host ports for the program. Call first in
 * the constructor: nothing is created when it throws.
 */
export function checkServiceArgs(kind: string, name: string, args: TlsServiceArgs, check: ServiceCheck): void {
    const address = publishedEndpoint(typeof args.publishAddress === "string" && canonicalIp(args.publishAddress) ? args.publishAddress : undefined).bind;
    const requests: HostPortRequest[] = Object.entries(check.hostPorts)
        .filter((entry): entry is [string, number] => Number.isInteger(entry[1]) && entry[1]! >= 1 && entry[1]! <= 65535)
        .map(([argument, port]) => ({ argument, port, address }));
    const problems = [
        ...(args.network === undefined || args.network === null
            ? [{ path: "network", message: "`network`: missing; pass the name of the private Docker network the service joins, e.g. `network: backend.name` for `new docker.Network(\"backend\", { internal: true })`." }]
            : []),
        ...validateServiceArgs(args, check.hostPorts, name),
        ...validateServiceCertificate(name, args, check.alsoClient),
        ...validateImage(args.image, check.defaultImage),
        ...validateMutualTls(args, check.client?.mustMatch ? check.client.commonName : undefined),
        ...check.problems,
        ...hostPortConflicts(requests),
    ];
    const owner = `${kind} "${name}"`;
    throwIfProblems(owner, problems);
    claimHostPorts(owner, requests);
}

/**
 * The service's server certificate: SANs for every name a client uses (its aliases, `localhost`,
 * `127.0.0.1`, and the published address). `alsoClient` makes it a client certificate too, for a server whose own healthcheck must
 * present one (Dragonfly demands client certificates in the handshake once a CA is set).
 */
export function serviceCertificate(name: string, args: TlsServiceArgs, aliases: string[], parent: pulumi.Resource, alsoClient = false): Certificate {
    return new Certificate(`${name}-tls`, serviceCertificateArgs(name, args, aliases, alsoClient), { parent });
}

function serviceCertificateArgs(name: string, args: TlsServiceArgs, aliases: string[], alsoClient: boolean): CertificateInputs {
    return {
        ca: args.ca,
        purpose: alsoClient ? "both" : "server",
        commonName: aliases[0] ?? name,
        dnsNames: [...aliases, "localhost"],
        ipAddresses: publishedEndpoint(args.publishAddress).certificateIps,
        validityDays: args.certificateValidityDays,
        earlyRenewalDays: args.certificateEarlyRenewalDays,
        ...args.certificateKey,
    };
}

/**
 * The two connection documents of a service, as secrets: from the Docker host (the published address
 * and port, see `publishedEndpoint`) and from the private network (first alias, container port).
 */
export function serviceConnections(
    args: TlsServiceArgs,
    aliases: string[],
    ports: { readonly published: pulumi.Input<number>; readonly internal: number },
    caCertPem: pulumi.Input<string>,
    credentials: pulumi.Input<Pick<ConnectionInput, "username" | "password" | "database" | "minTlsVersion">>,
    build: (input: ConnectionInput) => ConnectionDocument,
): { connection: pulumi.Output<ConnectionDocument>; internalConnection: pulumi.Output<ConnectionDocument> } {
    const clientCertificate = args.mutualTls && args.clientCertificate ? pulumi.all([args.clientCertificate.certPem, args.clientCertificate.privateKeyPem]) : pulumi.output(undefined);
    const document = (host: string, port: pulumi.Input<number>, serverName: string) =>
        pulumi.secret(
            pulumi.all([port, caCertPem, clientCertificate, credentials]).apply(([resolvedPort, pem, client, creds]) =>
                build({
                    ...creds,
                    host,
                    port: resolvedPort,
                    serverName,
                    ca: { type: "pem", pem },
                    clientCertificate: client ? { certPem: client[0], privateKeyPem: client[1] } : null,
                }),
            ),
        );
    const published = publishedEndpoint(args.publishAddress);
    return {
        connection: document(published.host, ports.published, published.serverName),
        internalConnection: document(aliases[0]!, ports.internal, aliases[0]!),
    };
}
