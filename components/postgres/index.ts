import type { TypedComponent } from "../shared/typed";
import { PostgresDatabaseArgs, PostgresDatabase as PostgresDatabaseComponent } from "./database";

export * from "./database";
export { POSTGRES_TLS_VERSIONS, PostgresTlsVersion } from "./config";

// Constructed with literal-union arguments in TypeScript (shared/typed.ts); this local export takes
// precedence over the class's own from `export *`.
export const PostgresDatabase = PostgresDatabaseComponent as TypedComponent<typeof PostgresDatabaseComponent, PostgresDatabaseArgs>;
export type PostgresDatabase = PostgresDatabaseComponent;
