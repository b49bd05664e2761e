import { ChainferenceCodedError, defineErrorFamily, type ErrorMessages } from "@chainference/client";

import * as codes from "./backend-error-codes";

export * from "./backend-error-codes";

/** Context carried by each backend error code. */
export type BackendErrorContext = {
  /** `hint`: what to do instead of fetching the default model (for a configured `modelPath`). */
  [codes.CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING]: { path: string; hint?: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT]: { path: string; reason: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__UNREACHABLE]: { url: string; reason: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__BAD_RESPONSE]: { url: string; status: number; body: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__INVALID_STREAM]: { url: string; reason: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE]: { reason: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__CONTEXT_OVERFLOW]: { promptTokens: number; contextSize: number };
  [codes.CHAINFERENCE_ERROR__BACKEND__CLOSED]: { backend: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__MODEL_FETCH_FAILED]: { step: string; reason: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__MODEL_NOT_GGUF]: { path: string; magic: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__MODEL_MISMATCH]: { path: string; what: "size" | "sha256"; actual: string; expected: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__NO_CHAT_TEMPLATE]: { path: string; architecture: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__CONTEXT_UNAVAILABLE]: { slots: number; contextSize: number; device: string; reason: string };
};

/** Any backend error code. */
export type BackendErrorCode = keyof BackendErrorContext;

const messages: ErrorMessages<BackendErrorContext> = {
  [codes.CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING]: ({ path, hint }) =>
    `Model file not found at ${path}. ${hint ?? "Run scripts/fetch-model to download the default model into the cache."}`,
  [codes.CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT]: ({ path, reason }) =>
    `Model file ${path} is corrupt or unreadable (${reason}). Delete it and run scripts/fetch-model again.`,
  [codes.CHAINFERENCE_ERROR__BACKEND__UNREACHABLE]: ({ url, reason }) =>
    `Cannot reach the inference backend at ${url} (${reason}). Check that the server is running and the URL is right.`,
  [codes.CHAINFERENCE_ERROR__BACKEND__BAD_RESPONSE]: ({ url, status, body }) =>
    `The inference backend at ${url} answered HTTP ${status}${body ? `: ${body}` : ""}`,
  [codes.CHAINFERENCE_ERROR__BACKEND__INVALID_STREAM]: ({ url, reason }) =>
    `The inference backend at ${url} sent a stream that is not OpenAI-compatible (${reason}).`,
  [codes.CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE]: ({ reason }) =>
    `The llama.cpp runtime could not start from node-llama-cpp's prebuilt binary (${reason}). ` +
    `Run npm install so that @node-llama-cpp/<platform> is present; building from source is disabled.`,
  [codes.CHAINFERENCE_ERROR__BACKEND__CONTEXT_OVERFLOW]: ({ promptTokens, contextSize }) =>
    `The prompt is ${promptTokens} tokens, which leaves no room to answer in a context of ${contextSize} tokens.`,
  [codes.CHAINFERENCE_ERROR__BACKEND__CLOSED]: ({ backend }) => `The ${backend} backend was closed.`,
  [codes.CHAINFERENCE_ERROR__BACKEND__MODEL_FETCH_FAILED]: ({ step, reason }) => `fetch-model: step "${step}" failed: ${reason}`,
  [codes.CHAINFERENCE_ERROR__BACKEND__MODEL_NOT_GGUF]: ({ path, magic }) =>
    `${path} is not a GGUF model file (it starts with ${magic}, not "GGUF"). Point modelPath at a .gguf file (llama.cpp's format).`,
  [codes.CHAINFERENCE_ERROR__BACKEND__MODEL_MISMATCH]: ({ path, what, actual, expected }) =>
    `Model file ${path} is not the configured one: its ${what} is ${actual}, the config expects ${expected}. ` +
    `Point modelPath at the right file, or correct the configured ${what === "size" ? "sizeBytes" : "sha256"}.`,
  [codes.CHAINFERENCE_ERROR__BACKEND__NO_CHAT_TEMPLATE]: ({ path, architecture }) =>
    `Model file ${path} carries no chat template and its architecture (${architecture}) has no known one: it is probably ` +
    `a base model, whose answers to chat prompts would be noise. Serve an instruction-tuned GGUF that embeds its template.`,
  [codes.CHAINFERENCE_ERROR__BACKEND__CONTEXT_UNAVAILABLE]: ({ slots, contextSize, device, reason }) =>
    `Could not create a context of ${slots} slot(s) × ${contextSize} tokens on ${device} (${reason}). ` +
    `Each slot holds its own KV cache: lower backend.slots or the context size, or offload fewer layers (backend.gpuLayers).`,
};

const BACKEND_ERRORS = defineErrorFamily<BackendErrorContext>("backend", codes, messages);

/**
 * Error thrown by the inference layer; `code` is one of the `CHAINFERENCE_ERROR__BACKEND__*` constants.
 *
 * @example
 * throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__CLOSED, { backend: "llama" });
 */
export class ChainferenceBackendError<C extends BackendErrorCode = BackendErrorCode> extends ChainferenceCodedError<
  BackendErrorContext,
  C
> {
  constructor(code: C, context: BackendErrorContext[C], options?: ErrorOptions) {
    super(BACKEND_ERRORS, code, context, options);
  }
}

/**
 * Narrows `error` to a backend error, optionally of one code (by name and code, not `instanceof`).
 *
 * @example
 * if (isChainferenceBackendError(e, CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING)) console.error(e.message);
 */
export const isChainferenceBackendError = BACKEND_ERRORS.is;

/**
 * Stable name of a backend error code.
 *
 * @example
 * getBackendErrorName(CHAINFERENCE_ERROR__BACKEND__UNREACHABLE); // "CHAINFERENCE_ERROR__BACKEND__UNREACHABLE"
 */
export const getBackendErrorName: (code: BackendErrorCode) => string = BACKEND_ERRORS.getName;
