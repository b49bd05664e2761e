// Public surface of @chainference/node: one re-export per module.
export * from "./backends";
export * from "./config";
export * from "./keyring";
export * from "./metrics";
export * from "./models";
export * from "./node-error";
export * from "./provider";
