import * as aws from "@pulumi/aws";
import { PolicyResource, ResourceValidationPolicy, StackValidationPolicy, validateResourceOfType } from "@pulumi/policy";
import { UNKNOWN, describe, read, referencedResources, show } from "../values";

/** `rds.force_ssl` is PostgreSQL's (and SQL Server's) switch; MySQL and MariaDB use `require_secure_transport`. */
const FORCE_SSL_ENGINES = ["postgres"];
const FORCE_SSL = "rds.force_ssl";

export const rdsStorageEncrypted: ResourceValidationPolicy = {
    name: "rds-storage-encrypted",
    description: "RDS instances encrypt their storage, snapshots and backups.",
    enforcementLevel: "mandatory",
    validateResource: validateResourceOfType(aws.rds.Instance, (instance, _args, reportViolation) => {
        const encrypted = read(() => instance.storageEncrypted);
        if (encrypted === true || encrypted === UNKNOWN) {
            return;
        }
        reportViolation(
            `\`storageEncrypted\` ${describe(encrypted)}${encrypted === undefined ? " (RDS's default is unencrypted)" : ""}: the database files, snapshots and backups would be readable by anyone who gets the volumes. Set \`storageEncrypted: true\` (with \`kmsKeyId\` for a customer-managed key); an existing instance is replaced, so move its data through an encrypted snapshot copy.`,
        );
    }),
};

/** The `rds.force_ssl` value a parameter group sets, or undefined when it does not set one. */
function forceSslValue(group: PolicyResource): unknown {
    const setting = read(() => ((group.props.parameters ?? []) as Array<{ name: string; value: string }>).find((p) => p.name === FORCE_SSL));
    if (setting === UNKNOWN) {
        return UNKNOWN;
    }
    return setting === undefined ? undefined : read(() => setting.value);
}

/** Every problem with the parameter group attached to one PostgreSQL instance, as messages. */
function forceSslProblems(instance: PolicyResource, resources: readonly PolicyResource[]): string[] {
    const groups = referencedResources(instance, "parameterGroupName", aws.rds.ParameterGroup, resources, ["name", "id"]);
    if (groups.length === 0) {
        const name = read(() => instance.props.parameterGroupName as string | undefined);
        if (name === UNKNOWN) {
            return [];
        }
        if (name === undefined || name === "") {
            return [
                `\`parameterGroupName\` is not set, so the instance gets the engine's default parameter group, whose \`${FORCE_SSL}\` depends on the engine version. Attach an \`aws.rds.ParameterGroup\` that sets \`${FORCE_SSL}\` to \`1\`.`,
            ];
        }
        return [
            `\`parameterGroupName\` is ${show(name)}, a parameter group that is not in this stack, so its \`${FORCE_SSL}\` cannot be checked. Manage the group in this stack with \`${FORCE_SSL}\` set to \`1\`.`,
        ];
    }
    return groups.flatMap((group) => {
        const value = forceSslValue(group);
        if (value === "1" || value === UNKNOWN) {
            return [];
        }
        return [
            `\`parameterGroupName\` is the parameter group \`${group.name}\`, whose \`${FORCE_SSL}\` ${describe(value)}: the instance would accept unencrypted connections. Add \`{ name: "${FORCE_SSL}", value: "1" }\` to its \`parameters\`.`,
        ];
    });
}

export const rdsForceSsl: StackValidationPolicy = {
    name: "rds-force-ssl",
    description: "RDS PostgreSQL instances have a parameter group with `rds.force_ssl=1` attached, so the server refuses unencrypted connections.",
    enforcementLevel: "mandatory",
    validateStack: (args, reportViolation) => {
        const instances = args.resources.filter((r) => r.isType(aws.rds.Instance));
        if (instances.length === 0) {
            args.notApplicable("The stack has no RDS instance");
        }
        for (const instance of instances) {
            const engine = read(() => instance.props.engine as string | undefined);
            if (typeof engine === "string" && !FORCE_SSL_ENGINES.includes(engine)) {
                continue;
            }
            for (const message of forceSslProblems(instance, args.resources)) {
                reportViolation(message, instance.urn);
            }
        }
    },
};

export const rdsPolicies = [rdsStorageEncrypted, rdsForceSsl];
