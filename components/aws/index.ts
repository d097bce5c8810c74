import type { TypedComponent } from "../shared/typed";
import { ElastiCacheCacheArgs, ElastiCacheCache as ElastiCacheCacheComponent } from "./elasticache";
import { RdsPostgresArgs, RdsPostgres as RdsPostgresComponent } from "./rds";

export * from "./defaults";
export * from "./elasticache";
export { PrivateNetworkArgs } from "./network";
export * from "./rds";

// Constructed with literal-union arguments in TypeScript (shared/typed.ts); these local exports take
// precedence over the classes' own from `export *`.
export const ElastiCacheCache = ElastiCacheCacheComponent as TypedComponent<typeof ElastiCacheCacheComponent, ElastiCacheCacheArgs>;
export type ElastiCacheCache = ElastiCacheCacheComponent;
export const RdsPostgres = RdsPostgresComponent as TypedComponent<typeof RdsPostgresComponent, RdsPostgresArgs>;
export type RdsPostgres = RdsPostgresComponent;
