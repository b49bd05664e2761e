import type { Address } from "@solana/kit";

import { CHAINFERENCE_PROGRAM_ADDRESS, getChainferenceErrorMessage, type ChainferenceError } from "../generated";
import type { TransactionFailure } from "./context";
import { getChainferenceProgramErrorName } from "./program-error-names";

const SYSTEM_PROGRAM_ADDRESS = "11111111111111111111111111111111" as Address;

/** A custom error named by the program that returned it. */
export type ProgramFailure = Readonly<{
  /** `chainference`, `system`, or `other` for a program this SDK has no error table for. */
  program: "chainference" | "system" | "other";
  programAddress: Address;
  /** "Chainference", "System program", or the address. */
  programName: string;
  code: number;
  /** The error's name in its program (`REQUEST_NOT_OPEN`, `RESULT_WITH_NEGATIVE_LAMPORTS`), null when unknown. */
  name: string | null;
  message: string | null;
  /** What the sender can do about it, when there is one thing to say. */
  hint: string | null;
}>;

/** The System program's `SystemError` codes (solana-system-interface), in code order. */
const SYSTEM_ERRORS: readonly (readonly [name: string, message: string, hint: string | null])[] = [
  ["ACCOUNT_ALREADY_IN_USE", "an account with the same address already exists", null],
  [
    "RESULT_WITH_NEGATIVE_LAMPORTS",
    "insufficient lamports: the paying account holds less than the transfer (stake, deposit or rent) it was asked for",
    "fund the paying wallet or send less",
  ],
  ["INVALID_PROGRAM_ID", "cannot assign the account to this program id", null],
  ["INVALID_ACCOUNT_DATA_LENGTH", "cannot allocate account data of this length", null],
  ["MAX_SEED_LENGTH_EXCEEDED", "a seed is longer than 32 bytes", null],
  ["ADDRESS_WITH_SEED_MISMATCH", "the address does not match the one derived from the seed", null],
  ["NONCE_NO_RECENT_BLOCKHASHES", "no recent blockhashes to advance the nonce", null],
  ["NONCE_BLOCKHASH_NOT_EXPIRED", "the stored nonce is still the current blockhash", null],
  ["NONCE_UNEXPECTED_BLOCKHASH_VALUE", "the nonce does not match the transaction's blockhash", null],
];

/**
 * Names a failed transaction's custom error by the program that returned it, never by the code alone:
 * `Custom(1)` from the System program is "insufficient lamports", while Chainference's codes are
 * `0x2000 + n`. Null when the failure carries no custom code or no program.
 *
 * @example
 * describeProgramFailure({ instructionIndex: 0, customCode: 1, programAddress: "11111111111111111111111111111111", reason: "", logs: [] });
 * // { program: "system", name: "RESULT_WITH_NEGATIVE_LAMPORTS", message: "insufficient lamports: …", hint: "fund the paying wallet or send less", … }
 */
export function describeProgramFailure(
  failure: TransactionFailure,
  chainferenceProgram: Address = CHAINFERENCE_PROGRAM_ADDRESS,
): ProgramFailure | null {
  const { customCode: code, programAddress } = failure;
  if (code === null || !programAddress) return null;
  if (programAddress === chainferenceProgram) {
    const name = getChainferenceProgramErrorName(code);
    return {
      program: "chainference",
      programAddress,
      programName: "Chainference",
      code,
      name,
      message: name === null ? null : getChainferenceErrorMessage(code as ChainferenceError),
      hint: null,
    };
  }
  if (programAddress === SYSTEM_PROGRAM_ADDRESS) {
    const [name, message, hint] = SYSTEM_ERRORS[code] ?? [null, null, null];
    return { program: "system", programAddress, programName: "System program", code, name, message, hint };
  }
  return { program: "other", programAddress, programName: programAddress, code, name: null, message: null, hint: null };
}
