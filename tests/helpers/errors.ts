/**
 * `expectProgramError(promise, CHAINFERENCE_ERROR__X)`: the transaction must fail with exactly that
 * custom program error code, returned by our program (not by a program it called), and (like every transaction) conserve lamports: a failed transaction
 * only charges the fee.
 */
import { expect } from "vitest";
import * as generated from "../../clients/js/src/generated";
import { expectOnlyFeeCharged } from "./lamports";
import { PROGRAM_ADDRESS, TransactionFailedError } from "./svm";

const NAMES = new Map<number, string>(
  Object.entries(generated)
    .filter(([name, value]) => name.startsWith("CHAINFERENCE_ERROR__") && typeof value === "number")
    .map(([name, value]) => [value as number, name]),
);

/** `CHAINFERENCE_ERROR__INVALID_PDA (6)`. */
export function errorName(code: number | undefined): string {
  if (code === undefined) return "no custom code";
  return `${NAMES.get(code) ?? "UNKNOWN_CODE"} (${code})`;
}

/** Awaits a rejection with custom program error `code`; returns the error for further checks. */
export async function expectProgramError(
  promise: Promise<unknown>,
  code: generated.ChainferenceError | number,
): Promise<TransactionFailedError> {
  let error: unknown;
  try {
    await promise;
  } catch (e) {
    error = e;
  }
  if (error === undefined) throw new Error(`expected ${errorName(code)}, but the transaction succeeded`);
  if (!(error instanceof TransactionFailedError)) throw error;
  expect(errorName(error.customCode), `program error (${error.reason})\n${error.report.logs.join("\n")}`).toBe(errorName(code));
  // The code is ours only if our program returned it (the innermost failing program the logs name).
  const failed = error.report.logs.map((line) => /^Program (\w+) failed/.exec(line)?.[1]).find((p) => p !== undefined);
  expect(failed, "the program that returned the error").toBe(PROGRAM_ADDRESS);
  expectOnlyFeeCharged(error.report);
  return error;
}
