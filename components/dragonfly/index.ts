export * from "./cache";
export { parseMemoryLimit } from "./config";
