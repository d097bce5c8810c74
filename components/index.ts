/** The public API of tls-platform: anything not exported here is internal. */
export * from "./aws";
export * from "./connection";
export * from "./dragonfly";
export * from "./nginx";
export * from "./pki";
export * from "./secrets";
export * from "./postgres";
export { ClientCertificateInput, TlsServiceArgs } from "./shared/service";
