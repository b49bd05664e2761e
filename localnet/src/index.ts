// Public surface of @chainference/localnet: the endpoint, and the validator-style JSON form of a transaction
// failure it answers with. The method table, the JSON encoders and the subscription state stay internal.
export { startLocalRpcServer, type LocalRpcServer } from "./rpc-server";
export { rpcTransactionError } from "./transaction-error";
