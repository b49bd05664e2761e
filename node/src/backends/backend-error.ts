import { ChainferenceCodedError, defineErrorFamily, type ErrorMessages } from "@chainference/client";

import * as codes from "./backend-error-codes";

export * from "./backend-error-codes";

/** Context carried by each backend error code. */
export type BackendErrorContext = {
  [codes.CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING]: { path: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT]: { path: string; reason: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__UNREACHABLE]: { url: string; reason: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__BAD_RESPONSE]: { url: string; status: number; body: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__INVALID_STREAM]: { url: string; reason: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE]: { reason: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__CONTEXT_OVERFLOW]: { promptTokens: number; contextSize: number };
  [codes.CHAINFERENCE_ERROR__BACKEND__CLOSED]: { backend: string };
  [codes.CHAINFERENCE_ERROR__BACKEND__MODEL_FETCH_FAILED]: { step: string; reason: string };
};

/** Any backend error code. */
export type BackendErrorCode = keyof BackendErrorContext;

const messages: ErrorMessages<BackendErrorContext> = {
  [codes.CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING]: ({ path }) =>
    `Model file not found at ${path}. Run scripts/fetch-model to download the default model into the cache.`,
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
