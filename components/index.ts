/** The public API of tls-platform: anything not exported here is internal. */
export * from "./pki";
