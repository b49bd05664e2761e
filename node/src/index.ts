// Public surface of @chainference/node: each module's curated index (every folder's index.ts names what it
// exports; files are never re-exported whole).
export * from "./backends";
export * from "./config";
export * from "./idle";
export * from "./keyring";
export * from "./metrics";
export * from "./models";
export * from "./node-error-codes";
export { ChainferenceNodeError, getNodeErrorName, isChainferenceNodeError, type NodeErrorCode, type NodeErrorContext } from "./node-error";
export * from "./provider";
export * from "./sessions";
