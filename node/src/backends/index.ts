// Inference backends: the interface the node runs models through, the embedded llama.cpp and OpenAI-compatible
// implementations, and the backend error family. Runtime loading and wire-format helpers stay internal.
export * from "./backend-error-codes";
export {
  ChainferenceBackendError,
  getBackendErrorName,
  isChainferenceBackendError,
  type BackendErrorCode,
  type BackendErrorContext,
} from "./backend-error";
export { describeBackend, describePlacement } from "./describe-placement";
export { createChatStream, type ChatProducer } from "./chat-stream";
export type {
  BackendPlacement,
  BackendSlotUsage,
  ChatChunk,
  ChatMessage,
  ChatResult,
  ChatRole,
  ChatStream,
  FinishReason,
  InferenceBackend,
  StreamChatRequest,
  TokenUsage,
  UsageSource,
} from "./inference-backend";
export {
  CPU_DEFAULT_SLOTS,
  DEFAULT_PROMPT_TOKENS_PER_STEP,
  createDefaultLlamaBackend,
  createLlamaBackend,
  defaultEmbeddedSlots,
  defaultEmbeddedThreads,
  type LlamaBackend,
  type LlamaBackendOptions,
  type LlamaLoadProgress,
} from "./llama-backend";
export type { LlamaDevice, LlamaGpuMode } from "./llama-runtime";
export { createOpenAiBackend, type OpenAiBackendOptions } from "./openai-backend";
export { fairStartsStrategy, queuedSequenceOf, type FairStartsOptions } from "./fair-batching";
export { createSseParser, type SseParser } from "./sse-parser";
