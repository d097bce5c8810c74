/**
 * How every probe reaches a target: TCP, whatever the service's protocol does before TLS (PostgreSQL's
 * SSLRequest), then the handshake, with the target's trust and client certificate where asked for.
 */
import type * as tls from "node:tls";
import { connectTcp, type Deadline, sniFor, startTls } from "./net";
import { httpsProtocol } from "./protocols/https";
import { postgresProtocol } from "./protocols/postgres";
import type { ServiceProtocol } from "./protocols/protocol";
import { redisProtocol } from "./protocols/redis";
import type { ServiceKind, Target } from "./types";

export const PROTOCOLS: Readonly<Record<ServiceKind, ServiceProtocol>> = {
    redis: redisProtocol,
    postgres: postgresProtocol,
    https: httpsProtocol,
};

export function clientCredentials(target: Target): Pick<tls.ConnectionOptions, "cert" | "key"> {
    return target.clientCertificate ? { cert: target.clientCertificate.certPem, key: target.clientCertificate.privateKeyPem } : {};
}

/** The document's CA, or node's bundled public roots when `ca` is left out. */
export function trust(target: Target): Pick<tls.ConnectionOptions, "ca"> {
    return target.ca.type === "pem" ? { ca: target.ca.pem } : {};
}

/** TCP, then whatever the protocol does before TLS, then the handshake. */
export async function openTls(
    target: Target,
    options: tls.ConnectionOptions,
    deadline: Deadline,
    onTcp: () => void = () => undefined,
    onTls: (secure: tls.TLSSocket) => void = () => undefined,
): Promise<tls.TLSSocket> {
    const raw = await connectTcp(target.host, target.port, deadline);
    await PROTOCOLS[target.service].beforeTls(raw);
    onTcp();
    return startTls(raw, { servername: sniFor(target.serverName), ...options }, deadline, onTls);
}
