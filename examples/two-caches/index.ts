import * as docker from "@pulumi/docker";
import { Certificate, CertificateAuthority, DragonflyCache } from "tls-platform";

// Another team's program: two TLS-only caches on a private network, under one CA of their own.
// Nothing here reads tls-platform's config; every setting is an argument.

const ca = new CertificateAuthority("payments-ca", { commonName: "payments team CA" });
const network = new docker.Network("payments", { internal: true });

/** The worker's identity for the cache that demands client certificates. */
const worker = new Certificate("worker", { ca, commonName: "worker", purpose: "client" });

const sessions = new DragonflyCache("sessions", { ca, network: network.name, maxMemory: "512mb" });
const rateLimits = new DragonflyCache("rate-limits", {
    ca,
    network: network.name,
    maxMemory: "256mb",
    mutualTls: true,
    clientCaCertPem: ca.certPem,
    clientCertificate: worker,
});

export const sessionsConnection = sessions.connection;
export const rateLimitsConnection = rateLimits.connection;
