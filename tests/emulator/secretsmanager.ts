import * as crypto from "node:crypto";
import { Diagnostics } from "./diagnostics";

type Inputs = Record<string, any>;
const ACCOUNT = "123456789012";
const REGION = "us-east-1";

/** `aws:secretsmanager/secret`: AWS appends six random characters to a secret's ARN. */
export function secret(name: string, inputs: Inputs): Record<string, unknown> {
    const d = new Diagnostics();
    const window = inputs.recoveryWindowInDays;
    if (window !== undefined && window !== 0 && !(window >= 7 && window <= 30)) {
        d.add(`expected recovery_window_in_days to be one of [0, 7-30], got ${window}`);
    }
    if (inputs.name !== undefined && !/^[A-Za-z0-9/_+=.@-]{1,512}$/.test(inputs.name)) {
        d.add(`invalid secret name ${JSON.stringify(inputs.name)}`);
    }
    d.throwIfAny("aws:secretsmanager/secret:Secret", name);
    const secretName = inputs.name ?? `${name}-${crypto.randomBytes(3).toString("hex")}`;
    const arn = `arn:aws:secretsmanager:${REGION}:${ACCOUNT}:secret:${secretName}-${crypto.randomBytes(3).toString("base64url").slice(0, 6)}`;
    return { ...inputs, id: arn, arn, name: secretName };
}

export function secretVersion(name: string, inputs: Inputs): Record<string, unknown> {
    const d = new Diagnostics();
    d.required(inputs, "secretId");
    d.throwIfAny("aws:secretsmanager/secretVersion:SecretVersion", name);
    const versionId = crypto.randomUUID();
    return { ...inputs, id: `${inputs.secretId}|${versionId}`, arn: inputs.secretId, versionId, versionStages: ["AWSCURRENT"] };
}
