export * from "./keyring-alignment";
export * from "./keyring-file";
export * from "./rotate-server-key";
