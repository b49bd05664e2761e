/** Where a transaction failed, decoded so callers can name the program error. */
export type TransactionFailure = {
  /** Index of the failing instruction, when the runtime says which one. */
  readonly instructionIndex: number | null;
  /** `Custom(n)` program error code, when the failure is a custom error. */
  readonly customCode: number | null;
  /** The runtime's own description (e.g. `MissingRequiredSignature`). */
  readonly reason: string;
  readonly logs: readonly string[];
};

/** A transaction that reached the chain and failed. */
export class TransactionFailedError extends Error {
  override readonly name = "TransactionFailedError";
  constructor(readonly failure: TransactionFailure) {
    super(
      failure.customCode !== null
        ? `transaction failed: custom program error ${failure.customCode} (instruction ${failure.instructionIndex ?? "?"})`
        : `transaction failed: ${failure.reason}`,
    );
  }
}

/** True when `e` is a failed transaction, optionally with the given custom program error code. */
export function isTransactionFailed(e: unknown, customCode?: number): e is TransactionFailedError {
  return e instanceof TransactionFailedError && (customCode === undefined || e.failure.customCode === customCode);
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
