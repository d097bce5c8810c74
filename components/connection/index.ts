export * from "./document";
export * from "./reader";
export * from "./clients";
export * from "./clusterClients";
export { isCluster, seedsOf } from "./topology";
