export * from "./build-transaction";
export * from "./chain";
export * from "./filters";
export * from "./litesvm-chain";
export * from "./rpc-chain";
export * from "./transaction-error";
