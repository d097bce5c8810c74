import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { installEmulator, rejectedBeforeCreating, valueOf, type ProviderEmulator } from "../emulator";

let emulator: ProviderEmulator;
let c: typeof import("../../components");
const SECRET = "aws:secretsmanager/secret:Secret";
const VERSION = "aws:secretsmanager/secretVersion:SecretVersion";

beforeAll(async () => {
    emulator = await installEmulator({ stack: "prod" });
    c = await import("../../components");
});

const documents = () => ({
    cache: c.redisConnection({ host: "cache.example", port: 6379, password: "t#k&n", ca: { type: "public-roots" } }),
    database: c.postgresConnection({ host: "db.example", port: 5432, username: "app", password: "p", database: "app", ca: { type: "pem", pem: "-----BEGIN CERTIFICATE-----\n" } }),
});

describe("SecretsManagerSink", () => {
    it("writes one secret per service under the project/stack path, encrypted with a rotating customer-managed key", async () => {
        const sink = new c.SecretsManagerSink("conn", { documents: documents(), pathPrefix: "tls-platform/prod" });
        const arns = await Promise.all(Object.values(sink.secretArns).map(valueOf));
        const key = emulator.get("aws:kms/key:Key", "conn-key");
        expect(key.inputs).toMatchObject({ enableKeyRotation: true, deletionWindowInDays: 30 });
        for (const service of ["cache", "database"]) {
            expect(emulator.get(SECRET, `conn-${service}`).inputs).toMatchObject({ name: `tls-platform/prod/${service}`, kmsKeyId: key.state.arn, recoveryWindowInDays: 30 });
            const version = await emulator.waitFor(VERSION, `conn-${service}`);
            expect(version.secretInputs).toContain("secretString");
            expect(JSON.parse(version.inputs.secretString)).toEqual((documents() as Record<string, unknown>)[service]);
        }
        const policy = JSON.parse(await valueOf(sink.readPolicyJson));
        expect(policy.Statement[0]).toEqual({ Sid: "ReadConnectionSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: arns });
        // The key's region exactly, never a wildcard: a StringLike `secretsmanager.*` would let Secrets Manager in any region decrypt.
        const region = /^arn:aws:kms:([^:]+):/.exec(key.state.arn)![1];
        expect(policy.Statement[1]).toEqual({
            Sid: "DecryptThroughSecretsManagerOnly",
            Effect: "Allow",
            Action: "kms:Decrypt",
            Resource: key.state.arn,
            Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
        });
    });

    it("attaches the read policy to the application's role when given one", async () => {
        const sink = new c.SecretsManagerSink("withrole", { documents: documents(), pathPrefix: "tls-platform/prod2", readerRoleName: "app-role", kmsKeyArn: "arn:aws:kms:us-east-1:123456789012:key/abc" });
        const policy = await valueOf(sink.readPolicyJson);
        const attached = await emulator.waitFor("aws:iam/rolePolicy:RolePolicy", "withrole-read");
        expect(attached.inputs).toEqual({ role: "app-role", policy });
        expect(attached.provider ?? "").not.toMatch(/-endpoint::/);
        expect(JSON.parse(policy).Statement[1].Condition).toEqual({ StringEquals: { "kms:ViaService": "secretsmanager.us-east-1.amazonaws.com" } });
        expect(emulator.resources.find((r) => r.name === "withrole-key")).toBeUndefined();
    });

    it("sends Secrets Manager and KMS to an endpoint override, e.g. a local emulator for a dev stack", async () => {
        const sink = new c.SecretsManagerSink("local", { documents: documents(), pathPrefix: "tls-platform/dev", endpoint: "http://127.0.0.1:4566", region: "us-east-1", recoveryWindowInDays: 0, allowImmediateDeletion: true });
        await valueOf(sink.secretArns.cache!);
        const provider = emulator.get("pulumi:providers:aws", "local-endpoint");
        expect(JSON.parse(provider.inputs.endpoints)).toEqual([{ secretsmanager: "http://127.0.0.1:4566", kms: "http://127.0.0.1:4566" }]);
        expect(emulator.get(SECRET, "local-cache").provider).toMatch(/local-endpoint::/);
        expect(emulator.get(SECRET, "local-cache").inputs.recoveryWindowInDays).toBe(0);
    });

    it("names the region of a key given by ARN in kms:ViaService, exactly", async () => {
        const sink = new c.SecretsManagerSink("eu", { documents: documents(), pathPrefix: "tls-platform/eu", kmsKeyArn: "arn:aws:kms:eu-west-1:123456789012:key/abc" });
        const policy = JSON.parse(await valueOf(sink.readPolicyJson));
        expect(policy.Statement[1].Condition).toEqual({ StringEquals: { "kms:ViaService": "secretsmanager.eu-west-1.amazonaws.com" } });
    });

    it("refuses a role policy with an endpoint override before creating anything: it would reach real IAM, not the emulator", async () => {
        const args = { documents: documents(), pathPrefix: "tls-platform/dev", endpoint: "http://127.0.0.1:4566", region: "us-east-1", readerRoleName: "app-role" };
        const error = await rejectedBeforeCreating(emulator, () => new c.SecretsManagerSink("local-role", args));
        expect(error.message).toContain(
            "`readerRoleName`: `app-role` is given together with `endpoint` `http://127.0.0.1:4566`; only Secrets Manager and KMS go to the endpoint, so the role policy would be written to real IAM, granting secrets that exist only there; omit `readerRoleName` for a local endpoint, or drop `endpoint` to use AWS.",
        );
    });

    it("keeps the document out of plaintext: the secret string reaches the provider as a secret", async () => {
        const sink = new c.SecretsManagerSink("plain", { documents: { cache: pulumi.output(documents().cache) }, pathPrefix: "tls-platform/p3" });
        await valueOf(sink.secretArns.cache!);
        expect((await emulator.waitFor(VERSION, "plain-cache")).secretInputs).toEqual(["secretString"]);
    });
});

describe("bad input", () => {
    it.each<[string, Record<string, unknown>, string[]]>([
        [
            "a recovery window of 0 without the opt-in",
            { recoveryWindowInDays: 0 },
            ["`recoveryWindowInDays`: 0 is outside 7-30 days; a deleted connection secret must stay recoverable for a week at least, so use 7 to 30 (default 30), or 0 with `allowImmediateDeletion: true` on a throwaway stack."],
        ],
        [
            "a recovery window above 30 days",
            { recoveryWindowInDays: 45 },
            ["`recoveryWindowInDays`: 45 is outside 7-30 days; a deleted connection secret must stay recoverable for a week at least, so use 7 to 30 (default 30), or 0 with `allowImmediateDeletion: true` on a throwaway stack."],
        ],
        ["a path with a space", { pathPrefix: "tls platform" }, ["`pathPrefix`: `tls platform` is not a usable secret path; use letters, digits and / _ + = . @ -, without a leading or trailing slash, e.g. `tls-platform/prod`."]],
        ["an endpoint without a region", { endpoint: "http://127.0.0.1:4566" }, ['`region`: an `endpoint` override needs a region to sign requests for; set e.g. `region: "us-east-1"`.']],
        ["an endpoint that is not a URL", { endpoint: "localhost:4566", region: "us-east-1" }, ["`endpoint`: `localhost:4566` is not an http(s) URL; use e.g. `http://127.0.0.1:4566`."]],
        [
            "a KMS key that is not an ARN (the policy's kms:ViaService needs its region)",
            { kmsKeyArn: "1234abcd-12ab-34cd-56ef-1234567890ab" },
            ["`kmsKeyArn`: `1234abcd-12ab-34cd-56ef-1234567890ab` is not a KMS key ARN with a region, which the read policy's kms:ViaService condition needs; pass the key's ARN, e.g. `arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab`."],
        ],
    ])("rejects %s", (_, extra, messages) => {
        expect(c.validateSecretsManagerSinkArgs({ pathPrefix: "tls-platform/prod", ...extra }).map((p) => p.message)).toEqual(messages);
        expect(() => new c.SecretsManagerSink(`bad-${Math.random()}`, { documents: {}, pathPrefix: "tls-platform/prod", ...extra })).toThrow(messages[0]);
    });
});
