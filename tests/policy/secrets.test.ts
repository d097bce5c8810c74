import { describe, expect, it } from "vitest";
import { SECRET, changed } from "./fixtures";
import { UNKNOWN_STRING, resourcePolicy, validateResource } from "./harness";

describe("secretsmanager-customer-managed-key (advisory)", () => {
    const policy = resourcePolicy("secretsmanager-customer-managed-key");
    const secret = (changes: Record<string, unknown>) => ({ type: "aws:secretsmanager/secret:Secret", name: "connections-cache", props: changed(SECRET, changes) });

    it("is advisory: it warns and does not block", () => {
        expect(policy.enforcementLevel).toBe("advisory");
    });

    it.each([
        ["the sink's secret, under its own key", {}],
        ["a key created in the same run (unknown during preview)", { kmsKeyId: UNKNOWN_STRING }],
    ])("passes %s", async (_title, changes) => {
        expect(await validateResource(policy, secret(changes))).toEqual({ violations: [], notApplicable: false, unknownReads: [] });
    });

    it("reports a secret without kmsKeyId", async () => {
        expect((await validateResource(policy, secret({ kmsKeyId: undefined }))).violations).toEqual([
            "`kmsKeyId` is not set, so the secret is encrypted with the AWS-managed key `aws/secretsmanager`, whose key policy you cannot narrow to the readers of this secret. Set `kmsKeyId` to a customer-managed KMS key (`SecretsManagerSink` creates one unless given `kmsKeyArn`).",
        ]);
    });
});
