import * as pulumi from "@pulumi/pulumi";
import { describe, expect, it } from "vitest";
import { installEmulator } from "../emulator";
import { scaledProdConfig, stackConfig } from "./stack";

describe("prod stack scaled out with values AWS would refuse", () => {
    it("stops before creating anything, naming each config key, the value, the range and the fix", async () => {
        const emulator = await installEmulator({ stack: "prod", preview: true });
        pulumi.runtime.setAllConfig(stackConfig("prod", { ...scaledProdConfig().overrides, cacheShards: "0", cacheReplicasPerShard: "6", appName: "default", rdsReadReplicas: "16" }));
        await expect(import("../../index")).rejects.toThrow(
            [
                'stack "prod" config: 4 problems:',
                "  - `tls-platform:cacheShards`: 0 is out of range; ElastiCache takes a whole number of node groups from 1 to 500; default 2.",
                "  - `tls-platform:cacheReplicasPerShard`: 6 is out of range; the provider takes 0 to 5 (replicas_per_node_group); use at least 1 (the default) for failover and Multi-AZ.",
                "  - `tls-platform:appName`: `default` is the user of connections that do not authenticate; this library keeps it disabled (`off -@all`); run `pulumi config set appName orders`.",
                "  - `tls-platform:rdsReadReplicas`: 16 is out of range; RDS for PostgreSQL takes a whole number of read replicas from 0 to 15 per source instance; default 0.",
            ].join("\n"),
        );
        await new Promise((resolve) => setTimeout(resolve, 300));
        expect(emulator.resources).toEqual([]);
    });
});
