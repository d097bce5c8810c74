import * as pulumi from "@pulumi/pulumi";
import { Certificate, CertificateAuthority, SecretsManagerSink } from "./components";
import { devPlatform } from "./program/dev";
import { prodPlatform } from "./program/prod";
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

const documents = settings.platform === "docker" ? devPlatform(settings, ca, appClient) : prodPlatform(settings);
const secretsPathPrefix = `${pulumi.getProject()}/${stack}`;
const sink =
    settings.secrets.sink === "aws-secrets-manager"
        ? new SecretsManagerSink("connections", {
              documents,
              pathPrefix: secretsPathPrefix,
              recoveryWindowInDays: settings.secrets.recoveryWindowDays,
              endpoint: settings.secrets.endpoint,
              // A local emulator accepts any region; requests only need one to be signed.
              region: settings.secrets.region ?? (settings.secrets.endpoint ? "us-east-1" : undefined),
              readerRoleName: settings.secrets.appRoleName,
          })
        : undefined;

/**
 * Each service's connection document (schema v1), as one secret output when the sink is
 * `stack-outputs`: `pulumi stack output connections --show-secrets --json`.
 */
export const connections = sink ? undefined : pulumi.secret(documents);
/** With the Secrets Manager sink: each service's secret ARN, and the policy that reads exactly them. */
export const connectionSecretArns = sink?.secretArns;
export const connectionSecretsReadPolicy = sink?.readPolicyJson;
/**
 * With the Secrets Manager sink: where the documents are, and nothing secret, so that a reader finds
 * them from `pulumi stack output --json` alone (`tls-platform-verify --stack` does). The ARNs name
 * account and region and are exactly what the read policy grants; `endpoint` is there only when the
 * stack writes to an emulator instead of AWS.
 */
export const connectionSecrets = sink && {
    pathPrefix: secretsPathPrefix,
    secretArns: sink.secretArns,
    ...(settings.secrets.endpoint ? { endpoint: settings.secrets.endpoint } : {}),
};
