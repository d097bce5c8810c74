import * as docker from "@pulumi/docker";
import * as pulumi from "@pulumi/pulumi";
import { Certificate, CertificateAuthority, ConnectionDocument, DragonflyCache, NginxProxy, PostgresDatabase } from "../components";
import type { Settings } from "./settings";

/** The dev platform: a private network, and the cache, database and proxy on it, all under one CA. */
export function devPlatform(settings: Settings, ca: CertificateAuthority, appClient: Certificate): Record<"cache" | "database" | "proxy", pulumi.Output<ConnectionDocument>> {
    const { cache, database, proxy } = settings.docker;
    // Internal: no route out of this network; published ports go through each service's own bridge.
    const backend = new docker.Network("backend", { name: `${pulumi.getProject()}-${pulumi.getStack()}-backend`, internal: true, driver: "bridge" });
    const certificate = { certificateKey: settings.key, certificateValidityDays: settings.leafValidityDays, certificateEarlyRenewalDays: settings.leafEarlyRenewalDays };
    const mutual = (on: boolean) => (on ? { mutualTls: true, clientCaCertPem: ca.certPem, clientCertificate: appClient } : {});

    const cacheService = new DragonflyCache("cache", { ca, network: backend.name, hostPort: cache.hostPort, maxMemory: cache.maxMemory, proactorThreads: cache.proactorThreads, ...certificate, ...mutual(cache.mutualTls) });
    const databaseService = new PostgresDatabase("db", {
        ca,
        network: backend.name,
        hostPort: database.hostPort,
        user: settings.appName,
        database: settings.appName,
        minTlsVersion: database.minTlsVersion,
        ...certificate,
        ...mutual(database.mutualTls),
    });
    const proxyService = new NginxProxy("proxy", {
        ca,
        network: backend.name,
        hostPort: proxy.hostPort,
        httpHostPort: proxy.httpHostPort,
        minTlsVersion: proxy.minTlsVersion,
        upstreams: [{ name: "app", url: proxy.upstreamUrl, websocket: true }],
        ...certificate,
        ...mutual(proxy.mutualTls),
    });
    return { cache: cacheService.connection, database: databaseService.connection, proxy: proxyService.connection };
}
