// Off-chain errors: one factory for every layer, ranges and prefixes per layer (./layers.ts).
export * from "./codes";
export type { ChainferenceClientErrorCode, ChainferenceClientErrorContext, CiphertextKind, TransactionFailure } from "./context";
export {
  ChainferenceClientError,
  getChainferenceClientErrorMessage,
  getChainferenceClientErrorName,
  isChainferenceClientError,
} from "./client-error";
export {
  ChainferenceCodedError,
  defineErrorFamily,
  isChainferenceCodedError,
  type AnyChainferenceCodedError,
  type ErrorContextMap,
  type ErrorFamily,
  type ErrorMessages,
} from "./error-family";
export {
  CHAINFERENCE_ERROR_LAYERS,
  CHAINFERENCE_PROGRAM_ERROR_CODES,
  type ChainferenceErrorLayer,
  type ChainferenceErrorLayerKey,
} from "./layers";
export { getChainferenceProgramErrorName } from "./program-error-names";
export { describeProgramFailure, type ProgramFailure } from "./program-failure";
