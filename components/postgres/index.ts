export * from "./database";
export { POSTGRES_TLS_VERSIONS, PostgresTlsVersion } from "./config";
