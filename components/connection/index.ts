export * from "./document";
export * from "./reader";
export * from "./clients";
