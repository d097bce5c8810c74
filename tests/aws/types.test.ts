import { describe, expect, it } from "vitest";
import type { ElastiCacheCacheArgs, PostgresDatabaseArgs, RdsPostgresArgs } from "../../components";
import type * as components from "../../components";

// Type-level: the AWS and service choice arguments are literal unions. `tsc --noEmit -p
// tsconfig.json` checks this file: each `@ts-expect-error` fails the typecheck if its line compiles.

const network = { vpcId: "vpc-0123456789abcdef0", subnetIds: ["subnet-0123456789abcdef0"] };
const ca = { certPem: "", privateKeyPem: "" };

describe("AWS and service choice arguments are literal unions", () => {
    it("compiles the allowed values and refuses typos (checked by tsc)", () => {
        const good = [
            { ...network, engine: "redis", authTokenUpdateStrategy: "ROTATE", transitEncryptionMigration: "preferred" } satisfies ElastiCacheCacheArgs,
            { ...network, caBundlePem: "", storageType: "io2", iops: 1000, caCertIdentifier: "rds-ca-ecc384-g1" } satisfies RdsPostgresArgs,
            { ca, network: "n", minTlsVersion: "TLSv1.3" } satisfies PostgresDatabaseArgs,
        ];
        // @ts-expect-error a typo of "valkey"
        const engine: ElastiCacheCacheArgs = { ...network, engine: "valky" };
        // @ts-expect-error DELETE would leave the cache without a password
        const strategy: ElastiCacheCacheArgs = { ...network, authTokenUpdateStrategy: "DELETE" };
        // @ts-expect-error magnetic storage is not offered
        const storage: RdsPostgresArgs = { ...network, caBundlePem: "", storageType: "standard" };
        // @ts-expect-error the expired CA
        const rdsCa: RdsPostgresArgs = { ...network, caBundlePem: "", caCertIdentifier: "rds-ca-2019" };
        // @ts-expect-error TLS 1.1 is not a minimum PostgreSQL is offered
        const tls: PostgresDatabaseArgs = { ca, network: "n", minTlsVersion: "TLSv1.1" };
        // The constructors take the same unions.
        const construct = (c: typeof components) => {
            // @ts-expect-error a typo of "valkey", in the constructor's arguments
            new c.ElastiCacheCache("x", { ...network, engine: "valky" });
            // @ts-expect-error in RdsPostgres's constructor
            new c.RdsPostgres("x", { ...network, caBundlePem: "", storageType: "gp2" });
            // @ts-expect-error in PostgresDatabase's constructor
            new c.PostgresDatabase("x", { ca, network: "n", minTlsVersion: "TLSv1" });
        };
        expect(typeof construct).toBe("function");
        expect(good).toHaveLength(3);
        expect([engine, strategy, storage, rdsCa, tls]).toHaveLength(5);
    });
});
