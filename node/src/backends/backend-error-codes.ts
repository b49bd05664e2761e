/**
 * Error codes of the provider node's inference layer (backends and the default-model cache): 5000 – 5999, the
 * `BACKEND` area (see the SDK's errors/layers.ts for every layer's range). Never reorder or reuse a code.
 * Retired: 7_000_001 – 7_000_009, the same errors in the same order before the ranges were unified.
 */
export const CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING = 5000;
export const CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT = 5001;
export const CHAINFERENCE_ERROR__BACKEND__UNREACHABLE = 5002;
export const CHAINFERENCE_ERROR__BACKEND__BAD_RESPONSE = 5003;
export const CHAINFERENCE_ERROR__BACKEND__INVALID_STREAM = 5004;
export const CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE = 5005;
export const CHAINFERENCE_ERROR__BACKEND__CONTEXT_OVERFLOW = 5006;
export const CHAINFERENCE_ERROR__BACKEND__CLOSED = 5007;
export const CHAINFERENCE_ERROR__BACKEND__MODEL_FETCH_FAILED = 5008;
export const CHAINFERENCE_ERROR__BACKEND__MODEL_NOT_GGUF = 5009;
export const CHAINFERENCE_ERROR__BACKEND__MODEL_MISMATCH = 5010;
export const CHAINFERENCE_ERROR__BACKEND__NO_CHAT_TEMPLATE = 5011;
export const CHAINFERENCE_ERROR__BACKEND__CONTEXT_UNAVAILABLE = 5012;
