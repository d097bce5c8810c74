export * from "./certificate";
export * from "./certificateAuthority";
export * from "./defaults";
export { KeyArgs } from "./keys";
