import * as crypto from "node:crypto";
import { FINAL_SNAPSHOT_UNIQUE_LENGTH } from "./defaults";

/**
 * The instance inputs whose change makes the provider replace an RDS instance, as this component
 * sets them (hashicorp/terraform-provider-aws internal/service/rds/instance.go: `engine`, `db_name`,
 * `username`, `kms_key_id` and `storage_encrypted` are ForceNew; the others it could set are not).
 */
export interface ReplacingInputs {
    readonly engine: string;
    readonly dbName: string;
    readonly username: string;
    readonly kmsKeyId: string;
    readonly storageEncrypted: boolean;
}

/**
 * The final snapshot's identifier: the prefix, a hyphen, and 8 hex characters drawn from the
 * project, stack and component name and every input that replaces the instance. A replacement (a new
 * key, database name or user) therefore brings a new identifier, so the instance being deleted never
 * names a snapshot an earlier one left (RDS would refuse the deletion, DBSnapshotAlreadyExists, and
 * the replacement with it); two stacks in one account never share one; and an update in place keeps
 * it, so there is no diff on every run. Derived, not random: the project's emulated providers serve
 * no random id resource, and a derived name needs no state. The one collision left is returning to
 * exactly the inputs of an instance deleted before, whose snapshot still exists.
 */
export function finalSnapshotIdentifier(prefix: string, scope: { project: string; stack: string; name: string }, inputs: ReplacingInputs): string {
    const canonical = JSON.stringify([scope.project, scope.stack, scope.name, inputs.engine, inputs.dbName, inputs.username, inputs.kmsKeyId, inputs.storageEncrypted]);
    return `${prefix}-${crypto.createHash("sha256").update(canonical).digest("hex").slice(0, FINAL_SNAPSHOT_UNIQUE_LENGTH)}`;
}
