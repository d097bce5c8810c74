import * as aws from "@pulumi/aws";
import { ResourceValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { isSet } from "../values";

export const secretsCustomerManagedKey: ResourceValidationPolicy = {
    name: "secretsmanager-customer-managed-key",
    description: "Secrets Manager secrets are encrypted with a customer-managed KMS key, not the AWS-managed `aws/secretsmanager`.",
    enforcementLevel: "advisory",
    validateResource: validateResourceOfType(aws.secretsmanager.Secret, (secret, _args, reportViolation) => {
        if (isSet(() => secret.kmsKeyId)) {
            return;
        }
        reportViolation(
            "`kmsKeyId` is not set, so the secret is encrypted with the AWS-managed key `aws/secretsmanager`, whose key policy you cannot narrow to the readers of this secret. Set `kmsKeyId` to a customer-managed KMS key (`SecretsManagerSink` creates one unless given `kmsKeyArn`).",
        );
    }),
};

export const secretsPolicies = [secretsCustomerManagedKey];
