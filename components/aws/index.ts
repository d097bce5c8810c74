export * from "./defaults";
export * from "./elasticache";
export { PrivateNetworkArgs } from "./network";
export * from "./rds";
