// Chain access: one interface, the JSON-RPC implementation, and their failures. The runtime-text parsers stay
// internal; the in-process LiteSVM chain (a native binary, Node only) is the `@chainference/client/litesvm` entry.
export { abortableSleep } from "./abortable-sleep";
export { measureTransactionSize, signInstructions, type SignedTransaction } from "./build-transaction";
export type {
  AccountWatch,
  Chain,
  ChainAccount,
  HistoricalTransaction,
  MemcmpFilter,
  ProgramAccountsQuery,
  SendOptions,
  SentTransaction,
  SignatureQuery,
} from "./chain";
export { matchesQuery } from "./filters";
export { MAX_SIGNATURES_PER_PAGE, fetchTransactions, listSignaturesForAddress, signatureQuery } from "./signature-history";
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
