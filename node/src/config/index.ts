export * from "./cluster-url";
export * from "./home-path";
export * from "./keypair-file";
export * from "./node-config";
export * from "./solana-cli-config";
export * from "./solana-settings";
