// Public surface of @chainference/localnet: the endpoint and the validator-style error form it answers with.
export { rpcTransactionError, startLocalRpcServer, type LocalRpcServer } from "./rpc-server";
