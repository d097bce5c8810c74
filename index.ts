import * as pulumi from "@pulumi/pulumi";
import { Certificate, CertificateAuthority } from "./components";
import { devPlatform } from "./program/dev";
import { readSettings } from "./program/settings";

// The root program: the only place that reads config. Everything it builds comes from components/.
const stack = pulumi.getStack();
const settings = readSettings(new pulumi.Config(), stack, new pulumi.Config("aws").get("region"));

const ca = new CertificateAuthority("platform-ca", settings.ca);

/** The application's client certificate, for services that demand mutual TLS. */
const appClient = new Certificate("app-client", {
    ca,
    purpose: "client",
    commonName: settings.appName,
    validityDays: settings.leafValidityDays,
    earlyRenewalDays: settings.leafEarlyRenewalDays,
    ...settings.key,
});

/** The trust bundle every client of this stack's services verifies against. */
export const caCertPem = ca.certPem;
export const caValidityEndTime = ca.validityEndTime;
export const appClientCertPem = appClient.certPem;
export const appClientPrivateKeyPem = appClient.privateKeyPem;
export const appClientValidityEndTime = appClient.validityEndTime;

/**
 * Each service's connection document (secret): read them with
 * `pulumi stack output connections --show-secrets --json`.
 */
export const connections = settings.platform === "docker" ? pulumi.secret(devPlatform(settings, ca, appClient)) : undefined;
