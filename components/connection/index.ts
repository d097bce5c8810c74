export * from "./document";
export * from "./clients";
