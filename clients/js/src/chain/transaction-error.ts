import { CHAINFERENCE_PROGRAM_ADDRESS } from "../generated";
import {
  CHAINFERENCE_ERROR__CHAIN__TRANSACTION_FAILED,
  ChainferenceClientError,
  isChainferenceClientError,
  type TransactionFailure,
} from "../errors";

/**
 * A transaction that reached the chain and failed: `CHAINFERENCE_ERROR__CHAIN__TRANSACTION_FAILED`, with the
 * decoded failure as its context.
 *
 * @example
 * throw new TransactionFailedError({ instructionIndex: 0, customCode: 0x2020, programAddress: CHAINFERENCE_PROGRAM_ADDRESS, reason: "custom program error: 0x2020", logs });
 */
export class TransactionFailedError extends ChainferenceClientError<typeof CHAINFERENCE_ERROR__CHAIN__TRANSACTION_FAILED> {
  constructor(failure: TransactionFailure) {
    super(CHAINFERENCE_ERROR__CHAIN__TRANSACTION_FAILED, failure);
  }

  /** The decoded failure (the error's context). */
  get failure(): TransactionFailure {
    return this.context;
  }
}

/**
 * True when `e` is a failed transaction, optionally with the given Chainference error code: the code must
 * come from the Chainference program (a System program `Custom(n)` never matches a Chainference code).
 *
 * @example
 * if (isTransactionFailed(e, CHAINFERENCE_ERROR__REQUEST_NOT_OPEN)) return "taken by another server";
 */
export function isTransactionFailed(e: unknown, customCode?: number): e is TransactionFailedError {
  return (
    isChainferenceClientError(e, CHAINFERENCE_ERROR__CHAIN__TRANSACTION_FAILED) &&
    (customCode === undefined || (e.context.customCode === customCode && e.context.programAddress === CHAINFERENCE_PROGRAM_ADDRESS))
  );
}

/** Reads a custom error code out of a runtime error rendered as text (LiteSVM or RPC JSON). */
export function parseCustomCode(text: string): number | null {
  const match = /(?:InstructionErrorCustom\s*\{\s*code:\s*|"Custom":\s*|Custom\()(\d+)/.exec(text);
  return match?.[1] === undefined ? null : Number(match[1]);
}

/** Reads the failing instruction index out of a runtime error rendered as text. */
export function parseInstructionIndex(text: string): number | null {
  const match = /(?:index:\s*|"InstructionError":\s*\[\s*)(\d+)/.exec(text);
  return match?.[1] === undefined ? null : Number(match[1]);
}
