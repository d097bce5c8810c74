import { describe, expect, it } from "vitest";
import { UNKNOWN_STRING, resourcePolicy, validateResource } from "../policy/harness";

// The policy rule for RBAC users and groups (policy/rules/elasticache.ts): no way in without
// authenticating, neither through a `default` user of one's own that is on, nor through AWS's open one.

const policy = resourcePolicy("elasticache-rbac-default-user-disabled");
const user = (props: Record<string, unknown>) => ({ type: "aws:elasticache/user:User", name: "cache-user-default", props: { userId: "u-cache-default-1a2b3c4d", engine: "valkey", ...props } });
const group = (userIds: unknown) => ({ type: "aws:elasticache/userGroup:UserGroup", name: "cache-users", props: { userGroupId: "g-cache-1a2b3c4d", engine: "valkey", userIds } });

describe("elasticache-rbac-default-user-disabled (mandatory)", () => {
    it.each([
        ["ElastiCacheCache's disabled default user", user({ userName: "default", accessString: "off -@all" })],
        ["a default user switched on, then off", user({ userName: "default", accessString: "on ~* +@all off" })],
        ["an application user that is on", user({ userName: "orders", accessString: "on ~orders:* &orders:* +@all -@dangerous" })],
        ["an access string not known until the update", user({ userName: "default", accessString: UNKNOWN_STRING })],
        ["a group of the library's own users", group(["u-cache-default-1a2b3c4d", "u-cache-app-1a2b3c4d"])],
    ])("passes %s", async (_title, resource) => {
        expect((await validateResource(policy, resource)).violations).toEqual([]);
    });

    it.each([
        [
            "a default user that is on",
            user({ userName: "default", accessString: "on ~* +@all nopass" }),
            "The user named `default` has access string `on ~* +@all nopass`, which leaves it on: every connection that does not authenticate gets its rights. Set its access string to `off -@all` (ElastiCacheCache's rbacUsers does).",
        ],
        [
            "a group holding AWS's open default user",
            group(["default", "u-cache-app-1a2b3c4d"]),
            "`userIds` holds `default`, AWS's own default user (`on ~* +@all nopass`): any client that reaches the port can read and write every key without a password. Put a user named `default` of your own, with access string `off -@all`, in its place.",
        ],
    ])("reports %s", async (_title, resource, message) => {
        expect((await validateResource(policy, resource)).violations).toEqual([message]);
    });
});
