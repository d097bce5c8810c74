export * from "./proxy";
export { MinTlsVersion, NginxUpstream } from "./config";
