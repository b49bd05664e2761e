// The provider node and the decisions it is made of (each a pure function, tested on its own). The parts that
// only wire a running node together (scheduler, job table, memos, keyring holder, ...) stay internal.
export {
  chunkTransaction,
  getChunkFrameSize,
  getChunkRoom,
  getMaxChunkCiphertextBytes,
  getMaxChunkPlaintextBytes,
  type ChunkRoom,
  type ChunkTransaction,
} from "./chunk-size";
export {
  closableResponses,
  getMaxClosesPerTransaction,
  type ClosesAlong,
  type SweepResult,
  type TakenClose,
  type SweptResponse,
} from "./close-sweep";
export { describeError } from "./describe-error";
export { createEventHub, type EventHub, type WaitOptions } from "./event-hub";
export { decideFlush, type FlushDecision, type FlushState } from "./flush-policy";
export { generationSeed } from "./generation-seed";
export { createModelBackend } from "./model-backends";
export { TRANSIENT_SKIP_REASONS, type NodeEvent, type RecoveryAction, type SkipReason } from "./node-events";
export { keepFromEpoch } from "./key-hygiene";
export { formatNodeEvent } from "./node-log";
export { planOutputBudget, type OutputBudget, type OutputBudgetInput } from "./output-budget";
export { planRecovery, type RecoveryInput, type RecoveryPlan } from "./recovery-plan";
export { openRequestPrompt, responseKeyFor, type OpenedPrompt } from "./request-prompt";
export {
  NO_LANDED_RESPONSE,
  createResponseWriter,
  type LandedResponse,
  type ResponseWriter,
  type ResponseWriterOptions,
  type WrittenResponse,
} from "./response-writer";
export { screenRequest, type ScreenDecision, type ScreenInput } from "./screen-request";
export { isTransientSendError, sendWithRetry, type RetryOptions } from "./send-retry";
export { startProviderNode, type ProviderNode, type ProviderNodeOptions } from "./start-provider-node";
export { billableTokens, type BillableTokens } from "./token-count";
