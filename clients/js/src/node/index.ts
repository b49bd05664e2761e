// `@chainference/client/node`: helpers that need Node's file system, kept out of the browser-safe main entry.
export { createFileSessionHistoryStorage } from "./file-history-storage";
