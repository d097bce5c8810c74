export * from "./proxy";
export { MinTlsVersion, NginxHsts, NginxUpstream } from "./config";
export { HSTS_TWO_YEARS } from "./defaults";
