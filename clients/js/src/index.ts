// Public surface of @chainference/client: the generated program client, then each module's curated index
// (every folder's index.ts names what it exports; files are never re-exported whole).
export * from "./generated";
export * from "./admin";
export * from "./chain";
export * from "./crypto";
export * from "./errors";
export { fetchProtocolConfig } from "./protocol-config";
export * from "./provider";
export * from "./requests";
export * from "./servers";
