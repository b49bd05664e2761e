import {
  describeProgramFailure,
  getChainferenceClientErrorName,
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
 * `CHAINFERENCE_ERROR__REQUEST_NOT_OPEN (custom program error 8224)`), never just a number, and only when
 * the Chainference program returned it (a System program error is named as one); a coded error
 * starts with its code's name.
 *
 * @example
 * describeError(e); // "CHAINFERENCE_ERROR__REQUEST_NOT_OPEN (custom program error 8224)"
 */
export function describeError(error: unknown): string {
  if (isTransactionFailed(error)) {
    const { customCode, reason } = error.failure;
    if (customCode === null) return `transaction failed: ${reason}`;
    // Named by the program that returned the code, never by the code alone.
    const failure = describeProgramFailure(error.failure);
    if (failure?.program === "chainference" && failure.name)
      return `CHAINFERENCE_ERROR__${failure.name} (custom program error ${customCode})`;
    if (failure?.program === "system" && failure.name) return `System program ${failure.name}: ${failure.message}`;
    return `custom error ${customCode} from ${failure ? `program ${failure.programAddress}` : "an unknown program"}`;
  }
  if (!(error instanceof Error)) return String(error);
  const label = codeName(error) ?? (error.name && error.name !== "Error" ? error.name : null);
  return label ? `${label}: ${error.message}` : error.message;
}
