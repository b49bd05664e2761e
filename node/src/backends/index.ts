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
export { createChatStream, type ChatProducer } from "./chat-stream";
export type {
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
  createDefaultLlamaBackend,
  createLlamaBackend,
  defaultEmbeddedThreads,
  type LlamaBackend,
  type LlamaBackendOptions,
  type LlamaLoadProgress,
} from "./llama-backend";
export { createOpenAiBackend, type OpenAiBackendOptions } from "./openai-backend";
export { createSseParser, type SseParser } from "./sse-parser";
