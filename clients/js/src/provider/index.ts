export * from "./open-requests";
export * from "./server-operations";
