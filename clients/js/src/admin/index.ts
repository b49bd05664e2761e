export * from "./admin-operations";
export * from "./program-deploy";
