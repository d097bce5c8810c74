import * as crypto from "node:crypto";
import { ACCOUNT, type AwsContext, DEFAULT_REGION } from "./aws";
import { Diagnostics } from "./diagnostics";

type Inputs = Record<string, any>;

/**
 * Plan-time checks of `aws:secretsmanager/secret` (internal/service/secretsmanager/secret.go
 * `resourceSecret`): recovery_window_in_days by validation.Any(IntBetween(7, 30), IntInSlice([0])), whose
 * messages are both reported; the name by secretsmanager/validate.go `validSecretName` (at most 512 of
 * letters, digits and `/_+=.@-`), conflicting with name_prefix; the policy JSON.
 */
export function checkSecret(inputs: Inputs, d: Diagnostics): void {
    const window = inputs.recoveryWindowInDays;
    if (typeof window === "number" && window !== 0 && !(window >= 7 && window <= 30)) {
        d.add(`expected recovery_window_in_days to be in the range (7 - 30), got ${window}`, "recoveryWindowInDays");
        d.add(`expected recovery_window_in_days to be one of [0], got ${window}`, "recoveryWindowInDays");
    }
    const name = inputs.name;
    if (typeof name === "string") {
        if (!/^[0-9A-Za-z/_+=.@-]+$/.test(name)) d.add('only alphanumeric characters and /_+=.@- special characters are allowed in "name"', "name");
        if (name.length > 512) d.add('"name" cannot be greater than 512 characters', "name");
    }
    if (inputs.name !== undefined && inputs.namePrefix !== undefined) d.add('"name": conflicts with name_prefix', "name");
    if (typeof inputs.policy === "string") {
        try {
            JSON.parse(inputs.policy);
        } catch (e) {
            d.add(`"policy" contains an invalid JSON: ${(e as Error).message}`, "policy");
        }
    }
}

/** `aws:secretsmanager/secret`: AWS appends six random characters to a secret's ARN. */
export function secret(name: string, inputs: Inputs, context: AwsContext = { region: DEFAULT_REGION }): Record<string, unknown> {
    const d = new Diagnostics();
    checkSecret(inputs, d);
    d.throwIfAny("aws:secretsmanager/secret:Secret", name);
    const secretName = inputs.name ?? `${name}-${crypto.randomBytes(3).toString("hex")}`;
    const arn = `arn:aws:secretsmanager:${context.region}:${ACCOUNT}:secret:${secretName}-${crypto.randomBytes(3).toString("base64url").slice(0, 6)}`;
    return { ...inputs, id: arn, arn, name: secretName };
}

/** Plan-time checks of `aws:secretsmanager/secretVersion` (secret_version.go `resourceSecretVersion`: secret_id required). */
export function checkSecretVersion(inputs: Inputs, d: Diagnostics): void {
    d.required(inputs, "secretId");
}

export function secretVersion(name: string, inputs: Inputs): Record<string, unknown> {
    const d = new Diagnostics();
    checkSecretVersion(inputs, d);
    d.throwIfAny("aws:secretsmanager/secretVersion:SecretVersion", name);
    const versionId = crypto.randomUUID();
    return { ...inputs, id: `${inputs.secretId}|${versionId}`, arn: inputs.secretId, versionId, versionStages: ["AWSCURRENT"] };
}
