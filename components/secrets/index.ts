export * from "./secretsManager";
