/**
 * Connection documents kept in AWS Secrets Manager (SecretsManagerSink: one schema-v1 document per
 * secret, named `<project>/<stack>/<service>`), read through the AWS SDK:
 * - by ARN: what a stack's `connectionSecrets` output names (followed by --stack), and --secret-arn.
 *   Needs secretsmanager:GetSecretValue on each secret and kms:Decrypt through Secrets Manager: the
 *   stack's `connectionSecretsReadPolicy`. An ARN is read in the region it names, whatever AWS_REGION
 *   says: Secrets Manager answers "not found" for an ARN asked in another region.
 * - by name prefix: --secrets-manager-prefix lists the secrets named `<prefix>/...` in the standard
 *   region (AWS_REGION, else the AWS profile's). Needs secretsmanager:ListSecrets too, which IAM cannot
 *   narrow to a prefix.
 * Endpoint: --secrets-manager-endpoint, else the SDK's own variables AWS_ENDPOINT_URL_SECRETS_MANAGER
 * and AWS_ENDPOINT_URL (unless AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true), else the endpoint the stack
 * recorded, else AWS. Credentials: the SDK's default chain. A message never quotes a secret's value.
 */
import type { SecretsManagerClient, SecretsManagerClientConfig } from "@aws-sdk/client-secrets-manager";
import { isLocalHost } from "../../components/shared/hosts";
import { type DocumentV1, InputError, targetFromDocument, validateDocument } from "./documents";
import type { Target } from "./types";

type Env = Readonly<Record<string, string | undefined>>;

/** Makes the SDK client; tests pass one that adds credentials for the emulator. */
export type SecretsManagerClientFactory = (config: SecretsManagerClientConfig) => Promise<SecretsManagerClient>;

export const defaultSecretsManagerClient: SecretsManagerClientFactory = async (config) => {
    // Loaded on first use: runs without Secrets Manager do not pay for the SDK.
    const { SecretsManagerClient } = await import("@aws-sdk/client-secrets-manager");
    return new SecretsManagerClient(config);
};

/** Per request; the SDK retries a failed request (3 attempts in all, its default). */
const CONNECT_TIMEOUT_MS = 5_000;
const REQUEST_TIMEOUT_MS = 15_000;
/** ListSecrets' largest page. */
export const LIST_PAGE_SIZE = 100;

export interface SecretsContext {
    readonly client: SecretsManagerClientFactory;
    readonly env: Env;
    /** --secrets-manager-endpoint */
    readonly endpointFlag?: string;
    /** ListSecrets page size. @default - LIST_PAGE_SIZE */
    readonly pageSize?: number;
}

/** An endpoint override and where it came from, for messages. */
export interface Endpoint {
    readonly url: string;
    readonly from: string;
}

/** An ARN's parts; undefined when `arn` is not a Secrets Manager secret's ARN. */
export function parseSecretArn(arn: string): { partition: string; region: string; account: string; resource: string } | undefined {
    const m = /^arn:(aws[a-z-]*):secretsmanager:([a-z0-9-]+):(\d{12}):secret:(.+)$/.exec(arn);
    return m ? { partition: m[1]!, region: m[2]!, account: m[3]!, resource: m[4]! } : undefined;
}

export function isHttpUrl(value: string): boolean {
    return URL.canParse(value) && /^https?:$/.test(new URL(value).protocol);
}

/** The endpoint requests go to, in the SDK's order of precedence with the flag first; undefined is AWS. */
export function chooseEndpoint(ctx: Pick<SecretsContext, "env" | "endpointFlag">, recorded?: Endpoint): Endpoint | undefined {
    if (ctx.endpointFlag !== undefined) return { url: ctx.endpointFlag, from: "--secrets-manager-endpoint" };
    if (ctx.env.AWS_IGNORE_CONFIGURED_ENDPOINT_URLS?.toLowerCase() !== "true") {
        for (const name of ["AWS_ENDPOINT_URL_SECRETS_MANAGER", "AWS_ENDPOINT_URL"]) {
            const url = ctx.env[name];
            if (!url) continue;
            if (!isHttpUrl(url)) throw new InputError([`${name}: \`${url}\` is not an http(s) URL; unset it, or set e.g. \`http://127.0.0.1:5000\`.`]);
            return { url, from: name };
        }
    }
    // The requests are signed with whatever AWS credentials the verifier holds: an endpoint read from a
    // stack's outputs is followed only to this machine; anywhere else only when given by flag or env.
    if (recorded && !isLocalHost(new URL(recorded.url).hostname)) {
        throw new InputError([
            `${recorded.from} is \`${recorded.url}\`, not on this machine; the verifier sends its AWS credentials only to an endpoint a stack records on loopback. ` +
            `Pass \`--secrets-manager-endpoint ${recorded.url}\` if that emulator is meant.`,
        ]);
    }
    return recorded;
}

const NETWORK_CODES = new Set(["ECONNREFUSED", "ECONNRESET", "ENOTFOUND", "EAI_AGAIN", "ETIMEDOUT", "EHOSTUNREACH", "ENETUNREACH"]);
const REJECTED_CREDENTIALS = new Set(["UnrecognizedClientException", "InvalidClientTokenId", "InvalidSignatureException", "SignatureDoesNotMatch", "ExpiredTokenException"]);

interface SdkError {
    readonly name?: string;
    readonly message?: string;
    readonly code?: string;
    readonly $metadata?: { readonly httpStatusCode?: number };
}

/**
 * What went wrong, in words that say what to do. `secret` problems concern one secret; the others
 * (credentials, region, network) are the same for every request and are reported once.
 */
export function describeSdkError(
    error: unknown,
    request: { action: "GetSecretValue" | "ListSecrets"; where: string; origin: string; service: string },
): { scope: "secret" | "client"; text: string } {
    const e = (error ?? {}) as SdkError;
    const name = e.name ?? "Error";
    const message = (e.message ?? String(error)).split("\n")[0]!.slice(0, 200);
    const status = e.$metadata?.httpStatusCode;
    const { where, origin, service } = request;
    if (name === "ResourceNotFoundException") {
        return { scope: "secret", text: `${where}: not found (ResourceNotFoundException): it was deleted, or the ARN names another account or region; \`pulumi up\` of its stack writes it again.` };
    }
    if (name === "InvalidRequestException" && /delet/i.test(message)) {
        return { scope: "secret", text: `${where}: is scheduled for deletion; restore it with \`aws secretsmanager restore-secret\`, or run \`pulumi up\` of its stack.` };
    }
    if (name === "DecryptionFailure") {
        return { scope: "secret", text: `${where}: Secrets Manager could not decrypt it (DecryptionFailure): the identity needs kms:Decrypt on the secret's key, through Secrets Manager.` };
    }
    if (name === "AccessDeniedException" || (status === 403 && !REJECTED_CREDENTIALS.has(name))) {
        const needs = request.action === "ListSecrets"
            ? "secretsmanager:ListSecrets to find secrets by prefix (or give the secrets' ARNs with --secret-arn, which needs only read access to them)"
            : "secretsmanager:GetSecretValue on the secret and kms:Decrypt on its key through Secrets Manager, as the stack's `connectionSecretsReadPolicy` output grants";
        const why = name === "AccessDeniedException" ? name : `HTTP ${status}`;
        return { scope: request.action === "ListSecrets" ? "client" : "secret", text: `${where}: access denied (${why}): the AWS identity the verifier runs as needs ${needs}.` };
    }
    if (REJECTED_CREDENTIALS.has(name)) {
        return { scope: "client", text: `${origin}: ${service} did not accept the AWS credentials (${name}): check AWS_PROFILE or AWS_ACCESS_KEY_ID, and that a session has not expired.` };
    }
    if (name === "CredentialsProviderError") {
        return { scope: "client", text: `${origin}: no AWS credentials (${message}): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available (in GitHub Actions, aws-actions/configure-aws-credentials).` };
    }
    if (/region is missing/i.test(message)) {
        return { scope: "client", text: `${origin}: no AWS region to list secrets in: set AWS_REGION (or \`region\` in the AWS profile).` };
    }
    if ((e.code && NETWORK_CODES.has(e.code)) || name === "TimeoutError") {
        return { scope: "client", text: `${origin}: cannot reach ${service} (${e.code ?? name}).` };
    }
    return { scope: "secret", text: `${where}: ${request.action} failed: ${name}: ${message}` };
}

/** The one connection document a secret holds, or every problem with it; its value is never quoted. */
export function targetFromSecretString(name: string, where: string, secretString: string | undefined): Target {
    const expected = "expected one connection document (schema v1), as the SecretsManagerSink writes it";
    if (secretString === undefined) throw new InputError([`${where}: holds binary data (SecretBinary), not text; ${expected}.`]);
    let value: unknown;
    try {
        value = JSON.parse(secretString);
    } catch {
        // JSON.parse's message quotes the text: not repeated here.
        throw new InputError([`${where}: is not JSON (value hidden); ${expected}.`]);
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
        throw new InputError([`${where}: holds JSON that is not an object (value hidden); ${expected}.`]);
    }
    const problems = validateDocument(value, where);
    if (problems.length > 0) throw new InputError(problems);
    return targetFromDocument(name, value as DocumentV1);
}

/** One client per region for the duration of `fn`, all closed afterwards. */
async function withClients<T>(ctx: SecretsContext, endpoint: Endpoint | undefined, fn: (clientFor: (region: string | undefined) => Promise<SecretsManagerClient>) => Promise<T>): Promise<T> {
    const clients = new Map<string, Promise<SecretsManagerClient>>();
    const clientFor = (region: string | undefined) => {
        const key = region ?? "";
        if (!clients.has(key)) {
            clients.set(key, ctx.client({
                ...(region ? { region } : {}),
                ...(endpoint ? { endpoint: endpoint.url } : {}),
                requestHandler: { connectionTimeout: CONNECT_TIMEOUT_MS, requestTimeout: REQUEST_TIMEOUT_MS },
            }));
        }
        return clients.get(key)!;
    };
    try {
        return await fn(clientFor);
    } finally {
        const settled = await Promise.allSettled(clients.values());
        settled.forEach((c) => c.status === "fulfilled" && c.value.destroy());
    }
}

const serviceName = (endpoint: Endpoint | undefined, region: string | undefined) =>
    endpoint ? `Secrets Manager at ${endpoint.url} (from ${endpoint.from})` : `AWS Secrets Manager${region ? ` in ${region}` : ""}`;

/** A secret to read: its ARN, and optionally the target's name and a label for messages. */
export interface SecretRef {
    readonly arn: string;
    /** @default - the secret's name */
    readonly name?: string;
    /** e.g. the service it is the document of. */
    readonly label?: string;
}

/**
 * Targets from the secrets at `refs`, each read in its ARN's region. `origin` names the source in
 * messages (`--stack prod`); `recorded` is the endpoint the stack wrote to, if any.
 */
export async function targetsFromSecretArns(refs: readonly SecretRef[], origin: string, ctx: SecretsContext, recorded?: Endpoint): Promise<Target[]> {
    const endpoint = chooseEndpoint(ctx, recorded);
    const { GetSecretValueCommand } = await import("@aws-sdk/client-secrets-manager");
    return withClients(ctx, endpoint, async (clientFor) => {
        const results = await Promise.allSettled(refs.map(async (ref) => {
            const region = parseSecretArn(ref.arn)?.region;
            const where = `${origin}: secret ${ref.label ? `\`${ref.label}\` (${ref.arn})` : ref.arn}`;
            let secret;
            try {
                secret = await (await clientFor(region)).send(new GetSecretValueCommand({ SecretId: ref.arn }));
            } catch (e) {
                throw describeSdkError(e, { action: "GetSecretValue", where, origin, service: serviceName(endpoint, region) });
            }
            return targetFromSecretString(ref.name ?? secret.Name ?? ref.arn, where, secret.SecretString);
        }));
        const problems = new Set<string>();
        for (const r of results) {
            if (r.status === "fulfilled") continue;
            const reason = r.reason as InputError | { text: string };
            (reason instanceof InputError ? reason.problems : [reason.text]).forEach((p) => problems.add(p));
        }
        if (problems.size > 0) throw new InputError([...problems]);
        return results.map((r) => (r as PromiseFulfilledResult<Target>).value);
    });
}

/** Targets from every secret named `<prefix>/...` in the standard region, named by secret name. */
export async function targetsFromSecretPrefix(prefix: string, ctx: SecretsContext): Promise<Target[]> {
    const origin = `--secrets-manager-prefix ${prefix}`;
    const endpoint = chooseEndpoint(ctx);
    const region = ctx.env.AWS_REGION || undefined;
    const { ListSecretsCommand } = await import("@aws-sdk/client-secrets-manager");
    const found = await withClients(ctx, endpoint, async (clientFor) => {
        const client = await clientFor(region);
        const secrets: Array<{ name: string; arn: string }> = [];
        let nextToken: string | undefined;
        do {
            let page;
            try {
                // The `name` filter matches a prefix without regard to case: the exact prefix is checked below.
                page = await client.send(new ListSecretsCommand({ Filters: [{ Key: "name", Values: [`${prefix}/`] }], MaxResults: ctx.pageSize ?? LIST_PAGE_SIZE, NextToken: nextToken }));
            } catch (e) {
                throw new InputError([describeSdkError(e, { action: "ListSecrets", where: origin, origin, service: serviceName(endpoint, region) }).text]);
            }
            for (const s of page.SecretList ?? []) {
                if (s.Name?.startsWith(`${prefix}/`) && s.ARN) secrets.push({ name: s.Name, arn: s.ARN });
            }
            nextToken = page.NextToken;
        } while (nextToken);
        return secrets;
    });
    if (found.length === 0) {
        throw new InputError([`${origin}: ${serviceName(endpoint, region)} has no secret named \`${prefix}/...\`; a stack's secrets are named \`<project>/<stack>/<service>\`, e.g. \`tls-platform/prod/cache\`.`]);
    }
    found.sort((a, b) => a.name.localeCompare(b.name));
    return targetsFromSecretArns(found.map((s) => ({ arn: s.arn, name: s.name })), origin, ctx);
}
