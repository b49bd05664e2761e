/** Transaction failures in the JSON form validators send. */
import type { Json } from "./json-rpc";

/**
 * A transaction failure in the JSON form validators send (`{"InstructionError":[0,{"Custom":12}]}`,
 * `{"InstructionError":[0,"MissingRequiredSignature"]}`, `"BlockhashNotFound"`), which @solana/kit
 * decodes into named errors; LiteSVM reports these as Rust debug text.
 *
 * @example
 * rpcTransactionError({ customCode: 12, instructionIndex: 0, reason: "" }); // { InstructionError: [0, { Custom: 12 }] }
 */
export function rpcTransactionError(failure: { customCode: number | null; instructionIndex: number | null; reason: string }): Json {
  const index = failure.instructionIndex ?? 0;
  if (failure.customCode !== null) return { InstructionError: [index, { Custom: failure.customCode }] };
  const instruction = /^TransactionErrorInstructionError \{ index: \d+, error: (\w+) \}$/.exec(failure.reason);
  if (instruction?.[1]) return { InstructionError: [index, instruction[1]] };
  const withAccount = /^TransactionError(\w+) \{ account_index: (\d+) \}$/.exec(failure.reason);
  if (withAccount?.[1]) return { [withAccount[1]]: { account_index: Number(withAccount[2]) } };
  const fieldless = /^(?:TransactionError)?(\w+)$/.exec(failure.reason);
  return fieldless?.[1] ?? failure.reason;
}
