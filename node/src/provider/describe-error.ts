import {
  getChainferenceClientErrorName,
  getChainferenceProgramErrorName,
  isChainferenceClientError,
  isTransactionFailed,
} from "@chainference/client";

import { getBackendErrorName, isChainferenceBackendError } from "../backends/backend-error";
import { getNodeErrorName, isChainferenceNodeError } from "../node-error";

/** The stable name of a coded error of any off-chain layer, e.g. `CHAINFERENCE_ERROR__BACKEND__CLOSED`. */
function codeName(error: unknown): string | null {
  if (isChainferenceClientError(error)) return getChainferenceClientErrorName(error.code);
  if (isChainferenceBackendError(error)) return getBackendErrorName(error.code);
  if (isChainferenceNodeError(error)) return getNodeErrorName(error.code);
  return null;
}

/**
 * One line for a thrown value: a failed transaction names the on-chain error (e.g.
 * `CHAINFERENCE_ERROR__REQUEST_NOT_OPEN (custom program error 32)`), never just a number; a coded error
 * starts with its code's name.
 *
 * @example
 * describeError(e); // "lock failed: CHAINFERENCE_ERROR__REQUEST_NOT_OPEN (custom program error 32)"
 */
export function describeError(error: unknown): string {
  if (isTransactionFailed(error)) {
    const { customCode, reason } = error.failure;
    if (customCode === null) return `transaction failed: ${reason}`;
    const name = getChainferenceProgramErrorName(customCode);
    return `${name ? `CHAINFERENCE_ERROR__${name}` : "program error"} (custom program error ${customCode})`;
  }
  if (!(error instanceof Error)) return String(error);
  const label = codeName(error) ?? (error.name && error.name !== "Error" ? error.name : null);
  return label ? `${label}: ${error.message}` : error.message;
}
