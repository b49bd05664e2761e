import { getCompiledTransactionMessageDecoder, type Address, type Transaction } from "@solana/kit";

/** `Program <address> failed: ...`: the runtime's line for a program that returned an error. */
const FAILED_LINE = /^Program (\w{32,44}) failed/;

/**
 * The program of each top-level instruction of a signed transaction, in order (static keys: programs are
 * never loaded from lookup tables).
 *
 * @example
 * const programs = instructionPrograms(transaction); // [ComputeBudget…, CFsSY…]
 */
export function instructionPrograms(transaction: Transaction): readonly Address[] {
  const message = getCompiledTransactionMessageDecoder().decode(transaction.messageBytes);
  // We sign legacy and v0 messages only (`signInstructions`); a v1 message names no programs here.
  if (message.version === 1) return [];
  return message.instructions.map((ix) => message.staticAccounts[ix.programAddressIndex]!);
}

/**
 * The program that returned a transaction's instruction error: the innermost program whose failure the
 * logs report (the first `Program X failed` line: a System transfer that failed inside our instruction is
 * the System program's error, not ours), else the failing top-level instruction's program; null for a
 * transaction-level error.
 *
 * @example
 * failingProgram({ instructionIndex: 0, logs, programs: instructionPrograms(tx) }); // "11111111111111111111111111111111"
 */
export function failingProgram(input: {
  readonly instructionIndex: number | null;
  readonly logs: readonly string[];
  readonly programs: readonly Address[];
}): Address | null {
  if (input.instructionIndex === null) return null;
  for (const line of input.logs) {
    const match = FAILED_LINE.exec(line);
    if (match) return match[1] as Address;
  }
  return input.programs[input.instructionIndex] ?? null;
}
