import * as client from "@chainference/client";

/** The generated client's `CHAINFERENCE_ERROR__*` constant name of a program error code (codes 0..999). */
function programErrorName(code: number): string | null {
  for (const [name, value] of Object.entries(client)) {
    if (value === code && name.startsWith("CHAINFERENCE_ERROR__") && typeof value === "number" && value < 1000) return name;
  }
  return null;
}

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
    const name = programErrorName(customCode);
    return `${name ?? "program error"} (custom program error ${customCode})`;
  }
  if (error instanceof Error) return error.name && error.name !== "Error" ? `${error.name}: ${error.message}` : error.message;
  return String(error);
}
