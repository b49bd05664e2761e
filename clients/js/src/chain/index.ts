// Chain access: one interface, an in-process and a JSON-RPC implementation, and their failures. The runtime-text
// parsers and the embedded chain's constants stay internal.
export { measureTransactionSize, signInstructions } from "./build-transaction";
export type {
  AccountWatch,
  Chain,
  ChainAccount,
  HistoricalTransaction,
  MemcmpFilter,
  ProgramAccountsQuery,
  SendOptions,
  SentTransaction,
} from "./chain";
export { matchesQuery } from "./filters";
export { createLiteSvmChain, type LandedTransaction, type LiteSvmChain, type LiteSvmChainOptions } from "./litesvm-chain";
export {
  RpcRequestFailedError,
  RpcUnreachableError,
  TransactionNotConfirmedError,
  createRpcChain,
  deriveWebSocketUrl,
  isRpcFailure,
  type RpcChainOptions,
} from "./rpc-chain";
export { TransactionFailedError, isTransactionFailed } from "./transaction-error";
