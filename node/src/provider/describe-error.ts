import * as client from "@chainference/client";

/**
 * One line for a thrown value; a failed transaction names the on-chain error (e.g.
 * `CHAINFERENCE_ERROR__REQUEST_NOT_OPEN (custom program error 32)`), never just a number.
 *
 * @example
 * describeError(e); // "lock failed: CHAINFERENCE_ERROR__REQUEST_NOT_OPEN (custom program error 32)"
 */
export function describeError(error: unknown): string {
  if (client.isTransactionFailed(error)) {
    const { customCode, reason } = error.failure;
    if (customCode === null) return `transaction failed: ${reason}`;
    const name = client.getChainferenceProgramErrorName(customCode);
    return `${name ? `CHAINFERENCE_ERROR__${name}` : "program error"} (custom program error ${customCode})`;
  }
  if (error instanceof Error) return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
