/**
 * ElastiCache role-based access control: one user per application with a least-privilege access
 * string, a disabled `default` user, and the user group the replication group takes instead of an AUTH
 * token. RBAC needs in-transit encryption, which this library always has on
 * (docs.aws.amazon.com/AmazonElastiCache/latest/dg/Clusters.RBAC.html).
 */
import * as crypto from "node:crypto";
import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { Problem, show } from "../shared/problems";
import {
    AUTH_TOKEN_LENGTH,
    AUTH_TOKEN_SPECIALS,
    RBAC_APPLICATION_COMMANDS,
    RBAC_DEFAULT_USER_NAME,
    RBAC_DISABLED_ACCESS_STRING,
    RBAC_MAX_ID_LENGTH,
} from "./defaults";

/** Application user names: a letter, then letters, digits, `_` and `-` (they appear in key patterns and ids). */
const USER_NAME = /^[a-z][a-z0-9_-]{0,31}$/;
const HASH_LENGTH = 8;

/** The RBAC arguments (a subset of `ElastiCacheCacheInputs`). */
export interface RbacArgs {
    readonly rbacUsers?: readonly string[];
    readonly rbacAllKeys?: boolean;
    readonly authToken?: unknown;
    readonly authTokenGeneration?: number;
    readonly authTokenUpdateStrategy?: string;
    readonly groupAlreadyHasAuthToken?: boolean;
}

/**
 * An application user's access string: `on`, its keys and Pub/Sub channels, and every command but the
 * `@dangerous` ones. By default the keys and channels are the user's own prefix, `~<user>:*` and
 * `&<user>:*`, so one application can neither read nor delete another's data; `allKeys` widens both
 * to `*` for an application that cannot prefix its keys.
 */
export function applicationAccessString(user: string, allKeys: boolean): string {
    const pattern = allKeys ? "*" : `${user}:*`;
    return `on ~${pattern} &${pattern} ${RBAC_APPLICATION_COMMANDS}`;
}

/**
 * Ids of the user group and users: ElastiCache ids are account-wide per region, so each ends in a
 * hash of project, stack, component name and user (two stacks never collide, a truncated prefix never
 * makes two ids equal) and stays the same on every run. Each matches `RBAC_USER_ID_PATTERN`.
 */
export function rbacIds(scope: { project: string; stack: string; name: string }, users: readonly string[]): { groupId: string; userIds: Record<string, string> } {
    const id = (kind: "g" | "u", user: string) => {
        const hash = crypto.createHash("sha256").update(JSON.stringify([scope.project, scope.stack, scope.name, kind, user])).digest("hex").slice(0, HASH_LENGTH);
        const readable = `${kind}-${scope.name}${user ? `-${user}` : ""}`.toLowerCase().replace(/[^a-z0-9]+/g, "-");
        return `${readable.slice(0, RBAC_MAX_ID_LENGTH - HASH_LENGTH - 1).replace(/-+$/, "")}-${hash}`;
    };
    return { groupId: id("g", ""), userIds: Object.fromEntries([RBAC_DEFAULT_USER_NAME, ...users].map((u) => [u, id("u", u)])) };
}

/**
 * Every problem with the RBAC arguments: names that are valid and distinct, not `default` (this library
 * owns that user, disabled), and no AUTH token argument beside them: the provider's `auth_token` is
 * `ConflictsWith: user_group_ids`, and `auth_token_update_strategy` needs a token
 * (replication_group.go `authTokenUpdateStrategyValidate`).
 */
export function validateRbacArgs(args: RbacArgs): Problem[] {
    if (args.rbacUsers === undefined) {
        return args.rbacAllKeys !== undefined ? [{ path: "rbacAllKeys", message: "`rbacAllKeys`: applies to `rbacUsers`, which is not given; remove it, or list the application users in `rbacUsers`." }] : [];
    }
    const problems: Problem[] = [];
    if (!Array.isArray(args.rbacUsers) || args.rbacUsers.length === 0) {
        return [{ path: "rbacUsers", message: `\`rbacUsers\`: ${show(args.rbacUsers)} names no user; list one name per application, e.g. \`rbacUsers: ["orders"]\`, or leave it out for the single AUTH token.` }];
    }
    const seen = new Set<string>();
    args.rbacUsers.forEach((user, i) => {
        const path = `rbacUsers[${i}]`;
        if (typeof user !== "string" || !USER_NAME.test(user)) {
            problems.push({ path, message: `\`${path}\`: ${show(user)} is not a user name this library takes; use 1 to 32 lower-case letters, digits, \`_\` and \`-\`, starting with a letter, e.g. \`orders\`.` });
        } else if (user === RBAC_DEFAULT_USER_NAME) {
            problems.push({ path, message: `\`${path}\`: \`default\` is the user of connections that do not authenticate; this library keeps it disabled (\`${RBAC_DISABLED_ACCESS_STRING}\`); name the application instead, e.g. \`orders\`.` });
        } else if (seen.has(user)) {
            problems.push({ path, message: `\`${path}\`: ${show(user)} is listed twice; each application gets one user; remove the duplicate.` });
        }
        if (typeof user === "string") seen.add(user);
    });
    const tokenArgs = (["authToken", "authTokenGeneration", "authTokenUpdateStrategy", "groupAlreadyHasAuthToken"] as const).filter((k) => args[k] !== undefined);
    for (const key of tokenArgs) {
        problems.push({
            path: key,
            message: `\`${key}\`: belongs to the single AUTH token, but \`rbacUsers\` is given; a group has a token or a user group, not both (the provider refuses \`auth_token\` beside \`user_group_ids\`); remove \`${key}\`, or remove \`rbacUsers\` to keep the token.`,
        });
    }
    return problems;
}

/** What `rbacUserGroup` made: the group id to give the replication group, and each application's name and password. */
export interface RbacUsers {
    readonly userGroupId: pulumi.Output<string>;
    readonly passwords: Readonly<Record<string, pulumi.Output<string>>>;
}

/**
 * Creates the users (the disabled `default` and one per application, each with a generated password from
 * the alphabet ElastiCache accepts) and the user group holding them. Users and group take the cache's
 * engine, as ElastiCache requires of a group and the replication group that uses it.
 */
export function rbacUserGroup(name: string, engine: string, users: readonly string[], allKeys: boolean, parent: pulumi.Resource): RbacUsers {
    const ids = rbacIds({ project: pulumi.getProject(), stack: pulumi.getStack(), name }, users);
    const password = (user: string) =>
        new random.RandomPassword(`${name}-user-${user}-password`, { length: AUTH_TOKEN_LENGTH, special: true, overrideSpecial: AUTH_TOKEN_SPECIALS }, { parent }).result;
    const passwords: Record<string, pulumi.Output<string>> = {};
    const members = [RBAC_DEFAULT_USER_NAME, ...users].map((user) => {
        const pw = password(user);
        if (user !== RBAC_DEFAULT_USER_NAME) passwords[user] = pulumi.secret(pw);
        return new aws.elasticache.User(
            `${name}-user-${user}`,
            {
                userId: ids.userIds[user]!,
                userName: user,
                engine,
                accessString: user === RBAC_DEFAULT_USER_NAME ? RBAC_DISABLED_ACCESS_STRING : applicationAccessString(user, allKeys),
                authenticationMode: { type: "password", passwords: [pulumi.secret(pw)] },
            },
            { parent },
        );
    });
    const group = new aws.elasticache.UserGroup(`${name}-users`, { userGroupId: ids.groupId, engine, userIds: members.map((m) => m.userId) }, { parent });
    return { userGroupId: group.userGroupId, passwords };
}
