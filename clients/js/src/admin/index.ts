export * from "./admin-operations";
