/**
 * Turns any failure into the one line the command prints: program errors by their on-chain NAME and
 * message (never a hex code), SDK and backend errors by their message, plus what to do about it.
 */
import {
  CHAINFERENCE_ERROR__CHAIN__TRANSACTION_NOT_CONFIRMED,
  CHAINFERENCE_ERROR__CRYPTO__CLIENT_KEY_MISMATCH,
  CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID,
  CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE,
  CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW,
  describeProgramFailure,
  getChainferenceErrorMessage,
  getChainferenceProgramErrorName,
  isChainferenceClientError,
  isChainferenceCodedError,
  isRpcFailure,
  isTransactionFailed,
  type ChainferenceError,
} from "@chainference/client";
import { isCliError } from "./cli-error";

/** What to do after each program error a user can cause. */
const PROGRAM_ERROR_HINTS: Readonly<Record<string, string>> = {
  PROTOCOL_PAUSED: "the protocol admin paused new requests; try again later",
  STAKE_TOO_LOW: "raise --stake",
  STAKE_BELOW_PROMPT_COST: "raise --stake or shorten the prompt",
  UNAUTHORIZED: "use the Config admin's --keypair",
  ALREADY_INITIALIZED: "the protocol is already initialized on this cluster",
  REQUEST_NOT_OPEN: "it is locked by a server or already settled; a locked request can be expired after its deadline",
  REQUEST_NOT_LOCKED: "the request is not locked",
  DEADLINE_NOT_REACHED: "wait until its deadline passes",
  ALREADY_RATED: "each completed request can be rated once",
  INVALID_RATING: "ratings are 1 to 5",
  RESPONSE_NOT_COMPLETED: "rate after the request completes",
  CLIENT_MISMATCH: "only the wallet that posted the request may do this; check --keypair",
  MISSING_SIGNER: "check --keypair",
  PRICE_ABOVE_MAX: "raise --max-price",
  INVALID_TIMEOUT: "shorten --timeout",
  FEE_TOO_HIGH: "the fee is capped at 2500 bps (25 %)",
  TIMEOUT_TOO_SHORT: "lengthen --timeout: the protocol refuses deadlines no server could meet",
  NOT_UPGRADE_AUTHORITY: "only the program's upgrade authority (its deployer) may initialize: use its --keypair",
  KEY_EPOCH_MISMATCH: "the server changed its key after the request was posted: post it again",
};

/** What to do after a System program error (its own codes, returned inside our instructions' transfers). */
const SYSTEM_ERROR_HINTS: Readonly<Record<string, string>> = {
  RESULT_WITH_NEGATIVE_LAMPORTS: "fund the --keypair wallet, or lower --stake",
};

/** `NAME: message` for a Chainference program error code, or null for codes the program does not define. */
export function describeProgramError(code: number): string | null {
  const name = getChainferenceProgramErrorName(code);
  if (!name) return null;
  const message = getChainferenceErrorMessage(code as ChainferenceError) ?? name.toLowerCase().replaceAll("_", " ");
  const hint = PROGRAM_ERROR_HINTS[name];
  return `${name}: ${message}${hint ? ` (${hint})` : ""}`;
}

/** SDK error codes a user can cause, with what to do. */
const SDK_ERROR_HINTS: Readonly<Record<number, string>> = {
  [CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW]: "raise --stake",
  [CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE]: "shorten the prompt",
  [CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID]: "pass a Hugging Face id such as org/name to --model",
  [CHAINFERENCE_ERROR__CRYPTO__CLIENT_KEY_MISMATCH]: "use the --keypair that posted the request",
};

const firstLine = (text: string) => text.split("\n")[0]!.trim();

const SYSTEM_ERRORS: Readonly<Record<string, (e: NodeJS.ErrnoException) => string>> = {
  EADDRINUSE: (e) => `port ${(e as { port?: number }).port ?? ""} is already in use: stop the other process or pass another --port`,
  EACCES: (e) => `permission denied: ${e.path ?? e.message}`,
  ENOENT: (e) => `no such file: ${e.path ?? e.message}`,
};

/**
 * The one line printed for `e`.
 *
 * @example
 * describeError(new TransactionFailedError({ customCode: 0x200c, programAddress: CHAINFERENCE_PROGRAM_ADDRESS, instructionIndex: 0, reason: "", logs: [] }));
 * // "transaction failed: PROTOCOL_PAUSED: The protocol is paused (the protocol admin paused new requests; try again later)"
 */
export function describeError(e: unknown): string {
  if (isCliError(e)) return firstLine(e.message);
  if (isTransactionFailed(e)) {
    const { reason } = e.failure;
    // Named by the program that returned the code, never by the code alone.
    const failure = describeProgramFailure(e.failure);
    if (failure?.program === "chainference") {
      const program = describeProgramError(failure.code);
      if (program) return `transaction failed: ${program}`;
    }
    if (failure?.program === "system") {
      const hint = failure.name ? SYSTEM_ERROR_HINTS[failure.name] : undefined;
      return `transaction failed: System program error ${failure.name ?? failure.code}${failure.message ? `: ${failure.message}` : ""}${hint ? ` (${hint})` : ""}`;
    }
    if (failure) {
      const from = failure.program === "chainference" ? "the Chainference program" : `program ${failure.programAddress}`;
      return `transaction failed: custom error ${failure.code} from ${from}`;
    }
    // Checked before the wallet's balance: a created or resized account left below its rent-exempt
    // minimum reads "insufficient funds" too, but no amount of SOL in the wallet fixes it.
    const rent = /InsufficientFundsForRent\W*\{?\W*account_index\W*(\d+)|account \((\d+)\) with insufficient funds for rent/i.exec(reason);
    if (rent)
      return `transaction failed: account #${rent[1] ?? rent[2]} would hold less than its rent-exempt minimum (the runtime's InsufficientFundsForRent: an account created or resized with too few lamports, not the wallet's balance)`;
    if (/InsufficientFunds|insufficient (funds|lamports)|AccountNotFound/i.test(reason))
      return "transaction failed: the wallet has too little SOL for this transaction and its fee: fund the --keypair wallet";
    return `transaction failed: ${firstLine(reason)}`;
  }
  if (isRpcFailure(e)) return firstLine(e.message);
  if (isChainferenceClientError(e, CHAINFERENCE_ERROR__CHAIN__TRANSACTION_NOT_CONFIRMED))
    return `${firstLine(e.message)} (it may still land: check the signature before retrying)`;
  if (isChainferenceCodedError(e)) {
    const hint = SDK_ERROR_HINTS[e.code];
    return `${firstLine(e.message)}${hint ? ` (${hint})` : ""}`;
  }
  const errno = e as NodeJS.ErrnoException;
  if (e instanceof Error && typeof errno.code === "string" && SYSTEM_ERRORS[errno.code]) return SYSTEM_ERRORS[errno.code]!(errno);
  if (e instanceof Error) return firstLine(e.message) || e.name;
  return String(e);
}

/** Everything `--verbose` adds: the stack, the cause chain and a failed transaction's logs. */
export function describeErrorDetails(e: unknown): string[] {
  const lines: string[] = [];
  let current: unknown = e;
  for (let depth = 0; current !== undefined && depth < 5; depth++) {
    if (current instanceof Error) {
      lines.push(...(current.stack ?? `${current.name}: ${current.message}`).split("\n"));
      if (isTransactionFailed(current) && current.failure.logs.length > 0)
        lines.push("program logs:", ...current.failure.logs.map((l) => `  ${l}`));
      current = current.cause;
      if (current !== undefined) lines.push("caused by:");
    } else {
      lines.push(String(current));
      break;
    }
  }
  return lines;
}
