/**
 * Errors of the provider node's inference layer (backends and the default-model cache).
 *
 * Numeric codes in the reserved range 7_000_000 – 7_000_999 with stable names, a typed context per
 * code, and messages a node operator can act on. Never reorder or reuse a code.
 */
export const CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING = 7_000_001;
export const CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT = 7_000_002;
export const CHAINFERENCE_ERROR__BACKEND__UNREACHABLE = 7_000_003;
export const CHAINFERENCE_ERROR__BACKEND__BAD_RESPONSE = 7_000_004;
export const CHAINFERENCE_ERROR__BACKEND__INVALID_STREAM = 7_000_005;
export const CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE = 7_000_006;
export const CHAINFERENCE_ERROR__BACKEND__CONTEXT_OVERFLOW = 7_000_007;
export const CHAINFERENCE_ERROR__BACKEND__CLOSED = 7_000_008;
export const CHAINFERENCE_ERROR__BACKEND__MODEL_FETCH_FAILED = 7_000_009;

/** Context carried by each backend error code. */
export type BackendErrorContext = {
  [CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING]: { path: string };
  [CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT]: { path: string; reason: string };
  [CHAINFERENCE_ERROR__BACKEND__UNREACHABLE]: { url: string; reason: string };
  [CHAINFERENCE_ERROR__BACKEND__BAD_RESPONSE]: { url: string; status: number; body: string };
  [CHAINFERENCE_ERROR__BACKEND__INVALID_STREAM]: { url: string; reason: string };
  [CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE]: { reason: string };
  [CHAINFERENCE_ERROR__BACKEND__CONTEXT_OVERFLOW]: { promptTokens: number; contextSize: number };
  [CHAINFERENCE_ERROR__BACKEND__CLOSED]: { backend: string };
  [CHAINFERENCE_ERROR__BACKEND__MODEL_FETCH_FAILED]: { step: string; reason: string };
};

/** Any backend error code. */
export type BackendErrorCode = keyof BackendErrorContext;

const NAMES: Record<BackendErrorCode, string> = {
  [CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING]: "CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING",
  [CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT]: "CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT",
  [CHAINFERENCE_ERROR__BACKEND__UNREACHABLE]: "CHAINFERENCE_ERROR__BACKEND__UNREACHABLE",
  [CHAINFERENCE_ERROR__BACKEND__BAD_RESPONSE]: "CHAINFERENCE_ERROR__BACKEND__BAD_RESPONSE",
  [CHAINFERENCE_ERROR__BACKEND__INVALID_STREAM]: "CHAINFERENCE_ERROR__BACKEND__INVALID_STREAM",
  [CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE]: "CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE",
  [CHAINFERENCE_ERROR__BACKEND__CONTEXT_OVERFLOW]: "CHAINFERENCE_ERROR__BACKEND__CONTEXT_OVERFLOW",
  [CHAINFERENCE_ERROR__BACKEND__CLOSED]: "CHAINFERENCE_ERROR__BACKEND__CLOSED",
  [CHAINFERENCE_ERROR__BACKEND__MODEL_FETCH_FAILED]: "CHAINFERENCE_ERROR__BACKEND__MODEL_FETCH_FAILED",
};

type MessageBuilders = { [C in BackendErrorCode]: (context: BackendErrorContext[C]) => string };

const MESSAGES: MessageBuilders = {
  [CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING]: ({ path }) =>
    `Model file not found at ${path}. Run scripts/fetch-model to download the default model into the cache.`,
  [CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT]: ({ path, reason }) =>
    `Model file ${path} is corrupt or unreadable (${reason}). Delete it and run scripts/fetch-model again.`,
  [CHAINFERENCE_ERROR__BACKEND__UNREACHABLE]: ({ url, reason }) =>
    `Cannot reach the inference backend at ${url} (${reason}). Check that the server is running and the URL is right.`,
  [CHAINFERENCE_ERROR__BACKEND__BAD_RESPONSE]: ({ url, status, body }) =>
    `The inference backend at ${url} answered HTTP ${status}${body ? `: ${body}` : ""}`,
  [CHAINFERENCE_ERROR__BACKEND__INVALID_STREAM]: ({ url, reason }) =>
    `The inference backend at ${url} sent a stream that is not OpenAI-compatible (${reason}).`,
  [CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE]: ({ reason }) =>
    `The llama.cpp runtime could not start from node-llama-cpp's prebuilt binary (${reason}). ` +
    `Run npm install so that @node-llama-cpp/<platform> is present; building from source is disabled.`,
  [CHAINFERENCE_ERROR__BACKEND__CONTEXT_OVERFLOW]: ({ promptTokens, contextSize }) =>
    `The prompt is ${promptTokens} tokens, which leaves no room to answer in a context of ${contextSize} tokens.`,
  [CHAINFERENCE_ERROR__BACKEND__CLOSED]: ({ backend }) => `The ${backend} backend was closed.`,
  [CHAINFERENCE_ERROR__BACKEND__MODEL_FETCH_FAILED]: ({ step, reason }) =>
    `fetch-model: step "${step}" failed: ${reason}`,
};

/** Error thrown by the inference layer; `code` is one of the `CHAINFERENCE_ERROR__BACKEND__*` constants. */
export class ChainferenceBackendError<C extends BackendErrorCode = BackendErrorCode> extends Error {
  readonly code: C;
  readonly context: BackendErrorContext[C];

  constructor(code: C, context: BackendErrorContext[C], options?: { cause?: unknown }) {
    super(MESSAGES[code](context), options);
    this.name = NAMES[code];
    this.code = code;
    this.context = context;
  }
}

/**
 * Narrows `error` to a backend error, optionally of one code.
 *
 * @example
 * if (isChainferenceBackendError(e, CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING)) console.error(e.message);
 */
export function isChainferenceBackendError<C extends BackendErrorCode>(
  error: unknown,
  code?: C,
): error is ChainferenceBackendError<C> {
  return error instanceof ChainferenceBackendError && (code === undefined || error.code === code);
}

/** Stable name of a backend error code, e.g. `CHAINFERENCE_ERROR__BACKEND__UNREACHABLE`. */
export function getBackendErrorName(code: BackendErrorCode): string {
  return NAMES[code];
}

/** A short, single-line description of any thrown value, for error contexts. */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    const code = (cause as Error & { code?: unknown }).code;
    const own = typeof code === "string" ? `${code}: ${cause.message}` : cause.message;
    return inner === undefined ? own : `${own}: ${describeCause(inner)}`;
  }
  return String(cause);
}
