import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { encryptionKeyArn } from "../aws/network";
import { ConnectionDocument } from "../connection/document";
import { Problem, show, throwIfProblems } from "../shared/problems";

/** AWS's limits: 0 deletes at once, otherwise 7–30 days (aws secretsmanager DeleteSecret). */
export const MIN_RECOVERY_WINDOW_DAYS = 7;
export const MAX_RECOVERY_WINDOW_DAYS = 30;
export const DEFAULT_RECOVERY_WINDOW_DAYS = 30;
/** Secrets Manager's secret-name alphabet. */
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]+$/;

export interface SecretsManagerSinkArgs {
    /** One connection document per service, keyed by service name (`cache`, `database`, `proxy`). */
    readonly documents: Record<string, pulumi.Input<ConnectionDocument>>;
    /** Secret names are `<pathPrefix>/<service>`, e.g. `tls-platform/prod/cache`: per project, per stack. */
    readonly pathPrefix: string;
    /**
     * The customer-managed KMS key that encrypts the secrets.
     * @default - a new key with rotation on
     */
    readonly kmsKeyArn?: pulumi.Input<string>;
    /**
     * Days a deleted secret can be restored: 7 to 30.
     * @default - 30 days
     */
    readonly recoveryWindowInDays?: number;
    /**
     * Allow `recoveryWindowInDays: 0` (delete at once), for throwaway stacks only.
     * @default - false
     */
    readonly allowImmediateDeletion?: boolean;
    /**
     * IAM role (name) of the application: it gets a policy reading exactly these secrets and
     * decrypting with the key only through Secrets Manager in the secrets' region. Not allowed with
     * `endpoint`: the policy would go to real IAM (only Secrets Manager and KMS are redirected) and grant
     * secrets that exist only in the emulator.
     * @default - no policy attached (the policy document is still an output)
     */
    readonly readerRoleName?: pulumi.Input<string>;
    /**
     * A Secrets Manager endpoint to use instead of AWS, e.g. a local emulator at
     * `http://127.0.0.1:4566` for a dev stack (KMS is sent there too). Needs `region`.
     * @default - AWS itself, through the program's default provider
     */
    readonly endpoint?: string;
    /**
     * Region for the endpoint override.
     * @default - the default provider's region
     */
    readonly region?: string;
}

/** Every problem with a sink's arguments (pure). */
export function validateSecretsManagerSinkArgs(args: Omit<SecretsManagerSinkArgs, "documents"> & { documents?: unknown }): Problem[] {
    const problems: Problem[] = [];
    const window = args.recoveryWindowInDays ?? DEFAULT_RECOVERY_WINDOW_DAYS;
    const immediate = window === 0 && args.allowImmediateDeletion === true;
    if (!immediate && !(Number.isInteger(window) && window >= MIN_RECOVERY_WINDOW_DAYS && window <= MAX_RECOVERY_WINDOW_DAYS)) {
        problems.push({
            path: "recoveryWindowInDays",
            message: `\`recoveryWindowInDays\`: ${show(window)} is outside ${MIN_RECOVERY_WINDOW_DAYS}-${MAX_RECOVERY_WINDOW_DAYS} days; a deleted connection secret must stay recoverable for a week at least, so use ${MIN_RECOVERY_WINDOW_DAYS} to ${MAX_RECOVERY_WINDOW_DAYS} (default ${DEFAULT_RECOVERY_WINDOW_DAYS}), or 0 with \`allowImmediateDeletion: true\` on a throwaway stack.`,
        });
    }
    if (!SECRET_NAME.test(args.pathPrefix) || args.pathPrefix.startsWith("/") || args.pathPrefix.endsWith("/")) {
        problems.push({
            path: "pathPrefix",
            message: `\`pathPrefix\`: ${show(args.pathPrefix)} is not a usable secret path; use letters, digits and / _ + = . @ -, without a leading or trailing slash, e.g. \`tls-platform/prod\`.`,
        });
    }
    if (typeof args.kmsKeyArn === "string" && arnRegion(args.kmsKeyArn) === undefined) {
        problems.push({
            path: "kmsKeyArn",
            message: notKeyArnMessage(args.kmsKeyArn),
        });
    }
    if (args.endpoint !== undefined) {
        if (!URL.canParse(args.endpoint) || !/^https?:$/.test(new URL(args.endpoint).protocol)) {
            problems.push({ path: "endpoint", message: `\`endpoint\`: ${show(args.endpoint)} is not an http(s) URL; use e.g. \`http://127.0.0.1:4566\`.` });
        }
        if (args.region === undefined) {
            problems.push({ path: "region", message: "`region`: an `endpoint` override needs a region to sign requests for; set e.g. `region: \"us-east-1\"`." });
        }
        if (args.readerRoleName !== undefined) {
            problems.push({
                path: "readerRoleName",
                message: `\`readerRoleName\`: ${typeof args.readerRoleName === "string" ? show(args.readerRoleName) : "a role"} is given together with \`endpoint\` ${show(args.endpoint)}; only Secrets Manager and KMS go to the endpoint, so the role policy would be written to real IAM, granting secrets that exist only there; omit \`readerRoleName\` for a local endpoint, or drop \`endpoint\` to use AWS.`,
            });
        }
    }
    return problems;
}

function notKeyArnMessage(value: string): string {
    return `\`kmsKeyArn\`: ${show(value)} is not a KMS key ARN with a region, which the read policy's kms:ViaService condition needs; pass the key's ARN, e.g. \`arn:aws:kms:eu-west-1:123456789012:key/1234abcd-12ab-34cd-56ef-1234567890ab\`.`;
}

/** `arn:aws:kms:eu-west-1:123456789012:key/…` → `eu-west-1`; undefined when it is no ARN with a region in the `aws` or `aws-us-gov` partition. */
export function arnRegion(arn: string): string | undefined {
    return /^arn:aws(?:-us-gov)?:[a-z0-9-]+:([a-z]{2}(?:-[a-z]+)+-\d+):/.exec(arn)?.[1];
}

/**
 * The IAM policy that reads exactly `secretArns` and decrypts with the key only when Secrets Manager in
 * the key's region asks on the caller's behalf (`kms:ViaService` with StringEquals, no wildcard: AWS's
 * condition-key docs, docs.aws.amazon.com/kms/latest/developerguide/conditions-kms.html#conditions-kms-via-service).
 * The region is the key's own: Secrets Manager uses a key only in its own region. Pure.
 */
export function readPolicyDocument(secretArns: readonly string[], kmsKeyArn: string): Record<string, unknown> {
    const region = arnRegion(kmsKeyArn);
    if (region === undefined) {
        throw new Error(notKeyArnMessage(kmsKeyArn));
    }
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "ReadConnectionSecrets", Effect: "Allow", Action: ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"], Resource: [...secretArns] },
            {
                Sid: "DecryptThroughSecretsManagerOnly",
                Effect: "Allow",
                Action: "kms:Decrypt",
                Resource: kmsKeyArn,
                Condition: { StringEquals: { "kms:ViaService": `secretsmanager.${region}.amazonaws.com` } },
            },
        ],
    };
}

/**
 * Writes each connection document into AWS Secrets Manager as JSON, one secret per service under a
 * per-project, per-stack path, encrypted with a customer-managed KMS key, and gives the application's
 * role read access to exactly these secrets.
 */
export class SecretsManagerSink extends pulumi.ComponentResource {
    /** Secret ARN per service. */
    public readonly secretArns: Record<string, pulumi.Output<string>>;
    /** Secret name per service. */
    public readonly secretNames: Record<string, string>;
    public readonly kmsKeyArn: pulumi.Output<string>;
    /** An IAM policy document (JSON) granting read of exactly these secrets. */
    public readonly readPolicyJson: pulumi.Output<string>;

    constructor(name: string, args: SecretsManagerSinkArgs, opts?: pulumi.ComponentResourceOptions) {
        super("tls-platform:index:SecretsManagerSink", name, {}, opts);
        throwIfProblems(`SecretsManagerSink "${name}"`, validateSecretsManagerSinkArgs(args));

        const provider = args.endpoint
            ? new aws.Provider(
                  `${name}-endpoint`,
                  {
                      region: args.region as aws.Region,
                      endpoints: [{ secretsmanager: args.endpoint, kms: args.endpoint }],
                      skipCredentialsValidation: true,
                      skipRequestingAccountId: true,
                      skipMetadataApiCheck: true,
                      skipRegionValidation: true,
                  },
                  { parent: this },
              )
            : undefined;
        const childOpts = { parent: this, provider };
        const kmsKeyArn = encryptionKeyArn(name, args.kmsKeyArn, `${args.pathPrefix} connection secrets`, childOpts);

        this.secretArns = {};
        this.secretNames = {};
        for (const [service, document] of Object.entries(args.documents)) {
            const secretName = `${args.pathPrefix}/${service}`;
            const secret = new aws.secretsmanager.Secret(
                `${name}-${service}`,
                {
                    name: secretName,
                    description: `Connection document (schema v1) for ${service}`,
                    kmsKeyId: kmsKeyArn,
                    recoveryWindowInDays: args.recoveryWindowInDays ?? DEFAULT_RECOVERY_WINDOW_DAYS,
                },
                childOpts,
            );
            new aws.secretsmanager.SecretVersion(
                `${name}-${service}`,
                { secretId: secret.id, secretString: pulumi.secret(pulumi.jsonStringify(pulumi.output(document))) },
                childOpts,
            );
            this.secretArns[service] = secret.arn;
            this.secretNames[service] = secretName;
        }

        this.kmsKeyArn = kmsKeyArn;
        this.readPolicyJson = pulumi.all([Object.values(this.secretArns), kmsKeyArn]).apply(([arns, key]) => {
            try {
                return JSON.stringify(readPolicyDocument(arns, key));
            } catch (e) {
                throw new pulumi.ResourceError((e as Error).message, this);
            }
        });
        if (args.readerRoleName) {
            // Always the program's default provider, never the endpoint override (refused together above).
            new aws.iam.RolePolicy(`${name}-read`, { role: args.readerRoleName, policy: this.readPolicyJson }, { parent: this });
        }
        this.registerOutputs({ secretArns: this.secretArns, kmsKeyArn: this.kmsKeyArn, readPolicyJson: this.readPolicyJson });
    }
}
