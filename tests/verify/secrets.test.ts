import * as net from "node:net";
import {
    CreateSecretCommand, DeleteSecretCommand, type SecretsManagerClient, type SecretsManagerClientConfig, SecretsManagerClient as Client,
} from "@aws-sdk/client-secrets-manager";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { postgresConnection, redisConnection } from "../../components/connection/document";
import { main } from "../../tools/verify/cli";
import { asyncProblemsOf } from "./input-errors";
import {
    describeSdkError, type SecretsContext, type SecretsManagerClientFactory, targetsFromSecretArns, targetsFromSecretPrefix,
} from "../../tools/verify/secrets";
import { type CommandRunner, targetsFromStack } from "../../tools/verify/stack";
import { describeWithServers } from "../harness/requirements";
import { MOTO_ACCOUNT, MOTO_CREDENTIALS, type MotoServer, startMotoServer } from "./moto";

// Reading connection documents from Secrets Manager, against moto's server (a real HTTP implementation
// of the API): by ARN in each ARN's region, by prefix through ListSecrets' pages, the endpoint override
// in the SDK's order, and every way a read fails, each message naming the secret and never its value.

const CA = "-----BEGIN CERTIFICATE-----\nMIIBfake\n-----END CERTIFICATE-----\n";
const KEY = "-----BEGIN PRIVATE KEY-----\nMIGHAgEAMBMGByqGSM49AwEHBG0wawIBAQQgsecretkeymaterial\n-----END PRIVATE KEY-----\n";
const PASSWORD = "Xy7#pQ9&zR2^wT4<vU6>-secret-manager";

const cacheDocument = redisConnection({ host: "cache.internal", port: 6380, password: PASSWORD, serverName: "cache.internal", ca: { type: "pem", pem: CA } });
const databaseDocument = postgresConnection({
    host: "db.internal", port: 5432, username: "app", password: PASSWORD, database: "app", serverName: "db.internal",
    ca: { type: "pem", pem: CA }, clientCertificate: { certPem: CA, privateKeyPem: KEY },
});

/** A port nothing listens on: bound by the kernel's choice, then closed. */
async function closedPort(): Promise<number> {
    const server = net.createServer();
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as net.AddressInfo;
    await new Promise((resolve) => server.close(resolve));
    return port;
}

/** IAM's query API on moto (the SDK's IAM client is not a dependency); moto reads the scope, not the signature. */
async function iam(endpoint: string, params: Record<string, string>): Promise<string> {
    const response = await fetch(`${endpoint}/`, {
        method: "POST",
        headers: {
            "content-type": "application/x-www-form-urlencoded",
            authorization: `AWS4-HMAC-SHA256 Credential=${MOTO_CREDENTIALS.accessKeyId}/20250101/us-east-1/iam/aws4_request, SignedHeaders=host, Signature=0`,
        },
        body: new URLSearchParams({ Version: "2010-05-08", ...params }).toString(),
    });
    const text = await response.text();
    if (!response.ok) throw new Error(`IAM ${params.Action}: HTTP ${response.status}: ${text}`);
    return text;
}

describe("describeSdkError: what AWS answers, in words that say what to do", () => {
    const request = { action: "GetSecretValue" as const, where: "--stack prod: secret `cache` (arn)", origin: "--stack prod", service: "AWS Secrets Manager in eu-west-1" };
    it.each<[string, object, string]>([
        ["AccessDeniedException", { name: "AccessDeniedException", message: "User: arn:aws:sts::1:assumed-role/x is not authorized", $metadata: { httpStatusCode: 400 } },
            "--stack prod: secret `cache` (arn): access denied (AccessDeniedException): the AWS identity the verifier runs as needs secretsmanager:GetSecretValue on the secret and kms:Decrypt on its key through Secrets Manager, as the stack's `connectionSecretsReadPolicy` output grants."],
        ["UnrecognizedClientException", { name: "UnrecognizedClientException", message: "The security token included in the request is invalid." },
            "--stack prod: AWS Secrets Manager in eu-west-1 did not accept the AWS credentials (UnrecognizedClientException): check AWS_PROFILE or AWS_ACCESS_KEY_ID, and that a session has not expired."],
        ["ExpiredTokenException", { name: "ExpiredTokenException", message: "The security token included in the request is expired" },
            "--stack prod: AWS Secrets Manager in eu-west-1 did not accept the AWS credentials (ExpiredTokenException): check AWS_PROFILE or AWS_ACCESS_KEY_ID, and that a session has not expired."],
        ["CredentialsProviderError", { name: "CredentialsProviderError", message: "Could not load credentials from any providers" },
            "--stack prod: no AWS credentials (Could not load credentials from any providers): set AWS_PROFILE, or AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or run where a role is available (in GitHub Actions, aws-actions/configure-aws-credentials)."],
        ["DecryptionFailure", { name: "DecryptionFailure", message: "Secrets Manager can't decrypt the protected secret text using the provided KMS key." },
            "--stack prod: secret `cache` (arn): Secrets Manager could not decrypt it (DecryptionFailure): the identity needs kms:Decrypt on the secret's key, through Secrets Manager."],
        ["a timeout", { name: "TimeoutError", message: "Connection timed out after 5000 ms" },
            "--stack prod: cannot reach AWS Secrets Manager in eu-west-1 (TimeoutError)."],
        ["a missing region", { name: "Error", message: "Region is missing" },
            "--stack prod: no AWS region to list secrets in: set AWS_REGION (or `region` in the AWS profile)."],
    ])("%s", (_, error, text) => {
        expect(describeSdkError(error, request).text).toBe(text);
    });
});

describeWithServers("connection documents from Secrets Manager, read from moto's server", ["moto"], () => {
    let moto: MotoServer;
    /** Commands sent, by class name, to prove what was asked (pagination, no ListSecrets for ARNs). */
    const sent: string[] = [];
    const arns: Record<string, string> = {};
    let recording: SecretsManagerClientFactory;
    const ctx = (env: Record<string, string | undefined> = {}, more: Partial<SecretsContext> = {}): SecretsContext => ({
        client: recording, env: { AWS_ENDPOINT_URL_SECRETS_MANAGER: moto.endpoint, ...env }, ...more,
    });
    const create = async (region: string, name: string, value: { SecretString?: string; SecretBinary?: Uint8Array }) => {
        const client = moto.client(region);
        try {
            return (await client.send(new CreateSecretCommand({ Name: name, ...value }))).ARN!;
        } finally {
            client.destroy();
        }
    };

    beforeAll(async () => {
        moto = await startMotoServer();
        recording = async (config: SecretsManagerClientConfig) => {
            const client = new Client({ ...config, credentials: MOTO_CREDENTIALS });
            const send = client.send.bind(client) as (command: object) => Promise<unknown>;
            (client as { send: unknown }).send = (command: object) => {
                sent.push(command.constructor.name);
                return send(command);
            };
            return client as SecretsManagerClient;
        };
        arns.cache = await create("eu-west-1", "tls-platform/prod/cache", { SecretString: JSON.stringify(cacheDocument) });
        arns.database = await create("us-east-2", "tls-platform/prod/database", { SecretString: JSON.stringify(databaseDocument) });
        for (let i = 0; i < 5; i++) await create("eu-west-1", `tls-platform/paged/s${i}`, { SecretString: JSON.stringify({ ...cacheDocument, host: `cache-${i}.internal` }) });
        // Not under `tls-platform/paged/`, though a plain prefix match on "tls-platform/paged" would take them.
        await create("eu-west-1", "tls-platform/paged-old/s0", { SecretString: "{}" });
        await create("eu-west-1", "tls-platform/pagedx", { SecretString: "{}" });
        arns.notJson = await create("eu-west-1", "bad/not-json", { SecretString: `hunter2-${PASSWORD}` });
        arns.jsonString = await create("eu-west-1", "bad/json-string", { SecretString: JSON.stringify(PASSWORD) });
        arns.array = await create("eu-west-1", "bad/array", { SecretString: JSON.stringify([cacheDocument]) });
        arns.invalid = await create("eu-west-1", "bad/invalid", { SecretString: JSON.stringify({ ...cacheDocument, port: 0, tls: { ...cacheDocument.tls, minVersion: "TLSv1.1" } }) });
        arns.binary = await create("eu-west-1", "bad/binary", { SecretBinary: Buffer.from(PASSWORD) });
        arns.deleted = await create("eu-west-1", "bad/deleted", { SecretString: JSON.stringify(cacheDocument) });
        const client = moto.client("eu-west-1");
        await client.send(new DeleteSecretCommand({ SecretId: arns.deleted, RecoveryWindowInDays: 7 }));
        client.destroy();
    }, 60_000);

    afterAll(async () => {
        await moto?.stop();
    });

    it("reads each ARN in the region the ARN names, whatever AWS_REGION says, with GetSecretValue only", async () => {
        sent.length = 0;
        const targets = await targetsFromSecretArns([{ arn: arns.cache! }, { arn: arns.database!, name: "prod/database" }], "--secret-arn", ctx({ AWS_REGION: "ap-south-1" }));
        expect(targets.map((t) => [t.name, t.service, `${t.host}:${t.port}`, t.expectMutualTls])).toEqual([
            ["tls-platform/prod/cache", "redis", "cache.internal:6380", false],
            ["prod/database", "postgres", "db.internal:5432", true],
        ]);
        expect(targets[0]!.password).toBe(PASSWORD);
        expect(targets[1]!.clientCertificate).toEqual({ certPem: CA, privateKeyPem: KEY });
        expect(sent).toEqual(["GetSecretValueCommand", "GetSecretValueCommand"]);
        expect(arns.database).toMatch(new RegExp(`^arn:aws:secretsmanager:us-east-2:${MOTO_ACCOUNT}:secret:tls-platform/prod/database-[A-Za-z0-9]{6}$`));
    });

    it("lists a prefix page by page, keeps only names under `<prefix>/`, and names targets by secret name", async () => {
        sent.length = 0;
        const targets = await targetsFromSecretPrefix("tls-platform/paged", ctx({ AWS_REGION: "eu-west-1" }, { pageSize: 2 }));
        expect(targets.map((t) => [t.name, t.host])).toEqual([0, 1, 2, 3, 4].map((i) => [`tls-platform/paged/s${i}`, `cache-${i}.internal`]));
        expect(sent.filter((c) => c === "ListSecretsCommand")).toHaveLength(3);
        expect(sent.filter((c) => c === "GetSecretValueCommand")).toHaveLength(5);
    });

    it("lists in AWS_REGION: the same prefix in another region has no secrets", async () => {
        expect(await asyncProblemsOf(targetsFromSecretPrefix("tls-platform/paged", ctx({ AWS_REGION: "us-east-2" })))).toEqual([
            `--secrets-manager-prefix tls-platform/paged: Secrets Manager at ${moto.endpoint} (from AWS_ENDPOINT_URL_SECRETS_MANAGER) has no secret named \`tls-platform/paged/...\`; ` +
            "a stack's secrets are named `<project>/<stack>/<service>`, e.g. `tls-platform/prod/cache`.",
        ]);
    });

    describe("the endpoint: --secrets-manager-endpoint, then AWS_ENDPOINT_URL_SECRETS_MANAGER, then AWS_ENDPOINT_URL, then the stack's record", () => {
        let dead: string;
        beforeAll(async () => {
            dead = `http://127.0.0.1:${await closedPort()}`;
        });
        const read = (env: Record<string, string | undefined>, flag: string | undefined, recorded: string | undefined) =>
            targetsFromSecretArns([{ arn: arns.cache! }], "--secret-arn", { client: recording, env, endpointFlag: flag }, recorded ? { url: recorded, from: "stack prod's `connectionSecrets.endpoint`" } : undefined);

        it.each<[string, (moto: string, dead: string) => [Record<string, string | undefined>, string | undefined, string | undefined]]>([
            ["the flag over both variables and the record", (m, d) => [{ AWS_ENDPOINT_URL_SECRETS_MANAGER: d, AWS_ENDPOINT_URL: d }, m, d]],
            ["AWS_ENDPOINT_URL_SECRETS_MANAGER over AWS_ENDPOINT_URL and the record", (m, d) => [{ AWS_ENDPOINT_URL_SECRETS_MANAGER: m, AWS_ENDPOINT_URL: d }, undefined, d]],
            ["AWS_ENDPOINT_URL over the record", (m, d) => [{ AWS_ENDPOINT_URL: m }, undefined, d]],
            ["the record when no variable is set", (m) => [{}, undefined, m]],
            ["the record when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true", (m, d) => [{ AWS_ENDPOINT_URL: d, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: "true" }, undefined, m]],
        ])("%s", async (_, setup) => {
            const [env, flag, recorded] = setup(moto.endpoint, dead);
            expect((await read(env, flag, recorded)).map((t) => t.name)).toEqual(["tls-platform/prod/cache"]);
        });

        it("names the endpoint it could not reach, and where that endpoint came from, once", async () => {
            expect(await asyncProblemsOf(targetsFromSecretArns([{ arn: arns.cache! }, { arn: arns.database! }], "--secret-arn", { client: recording, env: { AWS_ENDPOINT_URL: dead } }))).toEqual([
                `--secret-arn: cannot reach Secrets Manager at ${dead} (from AWS_ENDPOINT_URL) (ECONNREFUSED).`,
            ]);
        });

        it("follows a stack's recorded endpoint only to this machine: its AWS credentials go nowhere else unasked", async () => {
            const elsewhere = "http://secrets.attacker.example:4566";
            expect(await asyncProblemsOf(read({}, undefined, elsewhere))).toEqual([
                `stack prod's \`connectionSecrets.endpoint\` is \`${elsewhere}\`, not on this machine; the verifier sends its AWS credentials only to an endpoint a stack records on loopback. ` +
                `Pass \`--secrets-manager-endpoint ${elsewhere}\` if that emulator is meant.`,
            ]);
            // Said explicitly, the same place is used; the flag wins and the record is not followed.
            expect((await read({}, moto.endpoint, elsewhere)).map((t) => t.name)).toEqual(["tls-platform/prod/cache"]);
        });

        it("refuses a variable that is not a URL, naming it", async () => {
            expect(await asyncProblemsOf(read({ AWS_ENDPOINT_URL_SECRETS_MANAGER: "localhost:4566" }, undefined, undefined))).toEqual([
                "AWS_ENDPOINT_URL_SECRETS_MANAGER: `localhost:4566` is not an http(s) URL; unset it, or set e.g. `http://127.0.0.1:5000`.",
            ]);
        });
    });

    it("reports every secret that is not a valid document together, without quoting a value", async () => {
        const bad = ["notJson", "jsonString", "array", "invalid", "binary"];
        const problems = await asyncProblemsOf(targetsFromSecretArns(bad.map((k) => ({ arn: arns[k]!, label: k })), "--stack prod", ctx()));
        const expected = "expected one connection document (schema v1), as the SecretsManagerSink writes it";
        expect(problems).toEqual([
            `--stack prod: secret \`notJson\` (${arns.notJson}): is not JSON (value hidden); ${expected}.`,
            `--stack prod: secret \`jsonString\` (${arns.jsonString}): holds JSON that is not an object (value hidden); ${expected}.`,
            `--stack prod: secret \`array\` (${arns.array}): holds JSON that is not an object (value hidden); ${expected}.`,
            `--stack prod: secret \`invalid\` (${arns.invalid}): \`port\` is 0; expected a whole number from 1 to 65535.`,
            `--stack prod: secret \`invalid\` (${arns.invalid}): \`tls.minVersion\` is "TLSv1.1"; expected \`TLSv1.2\` or \`TLSv1.3\`.`,
            `--stack prod: secret \`binary\` (${arns.binary}): holds binary data (SecretBinary), not text; ${expected}.`,
        ]);
        expect(problems.join("\n")).not.toContain(PASSWORD);
    });

    it("names a secret that does not exist, and one scheduled for deletion", async () => {
        const unknown = arns.cache!.replace(/-[A-Za-z0-9]{6}$/, "-zzzzzz");
        expect(await asyncProblemsOf(targetsFromSecretArns([{ arn: unknown }, { arn: arns.deleted! }], "--secret-arn", ctx()))).toEqual([
            `--secret-arn: secret ${unknown}: not found (ResourceNotFoundException): it was deleted, or the ARN names another account or region; \`pulumi up\` of its stack writes it again.`,
            `--secret-arn: secret ${arns.deleted}: is scheduled for deletion; restore it with \`aws secretsmanager restore-secret\`, or run \`pulumi up\` of its stack.`,
        ]);
    });

    it("--stack follows `connectionSecrets` to the stack's recorded endpoint, naming targets stack/service", async () => {
        const calls: string[] = [];
        const run: CommandRunner = async (file, args) => {
            calls.push([file, ...args].join(" "));
            const outputs = { caCertPem: CA, appClientPrivateKeyPem: "[secret]", connectionSecrets: { pathPrefix: "tls-platform/prod", secretArns: { cache: arns.cache, database: arns.database }, endpoint: moto.endpoint } };
            return { code: 0, stdout: JSON.stringify(outputs), stderr: "" };
        };
        const targets = await targetsFromStack("prod", run, { client: recording, env: {} });
        expect(calls).toEqual(["pulumi stack output --json --stack prod"]);
        expect(targets.map((t) => [t.name, t.host])).toEqual([["prod/cache", "cache.internal"], ["prod/database", "db.internal"]]);
    });

    it("exits 2 with each problem on stderr, and no value of any secret, when a secret is not a document", async () => {
        let stdout = "";
        let stderr = "";
        const code = await main(["--secret-arn", arns.cache!, "--secret-arn", arns.invalid!, "--secrets-manager-endpoint", moto.endpoint], {
            stdout: (t) => (stdout += t),
            stderr: (t) => (stderr += t),
            env: {},
            secretsManagerClient: moto.clientFactory,
        });
        expect(code).toBe(2);
        expect(stdout).toBe("");
        expect(stderr.trimEnd().split("\n")).toEqual([
            `tls-platform-verify: --secret-arn: secret ${arns.invalid}: \`port\` is 0; expected a whole number from 1 to 65535.`,
            `tls-platform-verify: --secret-arn: secret ${arns.invalid}: \`tls.minVersion\` is "TLSv1.1"; expected \`TLSv1.2\` or \`TLSv1.3\`.`,
        ]);
        expect(stderr).not.toContain(PASSWORD);
    });
});

describeWithServers("no access: moto with IAM switched on, an identity without Secrets Manager permissions", ["moto"], () => {
    let moto: MotoServer;
    let arn: string;
    let reader: SecretsManagerClientFactory;

    beforeAll(async () => {
        // Requests after the first three are checked against IAM: the secret, the user and its key are made before.
        moto = await startMotoServer({ env: { INITIAL_NO_AUTH_ACTION_COUNT: "3" } });
        const admin = moto.client("eu-west-1");
        arn = (await admin.send(new CreateSecretCommand({ Name: "tls-platform/prod/cache", SecretString: JSON.stringify(cacheDocument) }))).ARN!;
        admin.destroy();
        await iam(moto.endpoint, { Action: "CreateUser", UserName: "no-policy" });
        const key = await iam(moto.endpoint, { Action: "CreateAccessKey", UserName: "no-policy" });
        const credentials = { accessKeyId: /<AccessKeyId>(.+?)</.exec(key)![1]!, secretAccessKey: /<SecretAccessKey>(.+?)</.exec(key)![1]! };
        reader = async (config) => new Client({ ...config, credentials });
    }, 60_000);

    afterAll(async () => {
        await moto?.stop();
    });

    it("GetSecretValue: names the secret and the permissions the stack's read policy grants", async () => {
        // moto answers a denied JSON-protocol request with an XML body the SDK cannot parse, so only the
        // status arrives (AWS itself answers AccessDeniedException; see describeSdkError's table above).
        const problems = await asyncProblemsOf(targetsFromSecretArns([{ arn, label: "cache" }], "--stack prod", { client: reader, env: { AWS_ENDPOINT_URL: moto.endpoint } }));
        expect(problems).toEqual([
            `--stack prod: secret \`cache\` (${arn}): access denied (HTTP 403): the AWS identity the verifier runs as needs secretsmanager:GetSecretValue on the secret and kms:Decrypt on its key through Secrets Manager, as the stack's \`connectionSecretsReadPolicy\` output grants.`,
        ]);
    });

    it("ListSecrets: names the permission a prefix needs, and the way around it", async () => {
        const problems = await asyncProblemsOf(targetsFromSecretPrefix("tls-platform/prod", { client: reader, env: { AWS_ENDPOINT_URL: moto.endpoint, AWS_REGION: "eu-west-1" } }));
        expect(problems).toEqual([
            "--secrets-manager-prefix tls-platform/prod: access denied (HTTP 403): the AWS identity the verifier runs as needs secretsmanager:ListSecrets to find secrets by prefix " +
            "(or give the secrets' ARNs with --secret-arn, which needs only read access to them).",
        ]);
    });
});
