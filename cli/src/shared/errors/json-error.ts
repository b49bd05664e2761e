/** The JSON document a `--json` command prints on stdout when it fails, so scripts always get one document. */
import {
  describeProgramFailure,
  getChainferenceClientErrorName,
  isChainferenceClientError,
  isChainferenceCodedError,
  isRpcFailure,
  isTransactionFailed,
} from "@chainference/client";
import { getNodeErrorName, isChainferenceNodeError } from "@chainference/node";
import { USAGE_EXIT_CODE, isCliError } from "./cli-error";

/** `{ "error": { "message", "code", "exitCode" } }`: `message` is the line printed on stderr. */
export type JsonErrorDocument = { readonly error: { readonly message: string; readonly code: string; readonly exitCode: number } };

/**
 * A stable machine-readable code for `e`: a Chainference program error's NAME (a System program error's
 * `SYSTEM_PROGRAM__NAME`), an off-chain error's code name, a system
 * error's errno code, `USAGE` for bad flags and input, else a broad class (`TRANSACTION_FAILED`, `RPC_FAILURE`, `ERROR`).
 *
 * @example
 * errorCode(usageError("--stake must be an amount of SOL such as 0.01")); // "USAGE"
 */
export function errorCode(e: unknown): string {
  if (isCliError(e)) return e.exitCode === USAGE_EXIT_CODE ? "USAGE" : "ERROR";
  if (isTransactionFailed(e)) {
    // Chainference errors by their bare NAME; another program's as PROGRAM__NAME (never by the code alone).
    const failure = describeProgramFailure(e.failure);
    if (failure?.program === "chainference" && failure.name) return failure.name;
    if (failure?.program === "system" && failure.name) return `SYSTEM_PROGRAM__${failure.name}`;
    return "TRANSACTION_FAILED";
  }
  if (isRpcFailure(e)) return "RPC_FAILURE";
  if (isChainferenceClientError(e)) return getChainferenceClientErrorName(e.code);
  if (isChainferenceNodeError(e)) return getNodeErrorName(e.code);
  if (isChainferenceCodedError(e)) return `${e.name}_${e.code}`;
  const errno = (e as { code?: unknown } | null)?.code;
  if (e instanceof Error && typeof errno === "string") return errno;
  return "ERROR";
}

/**
 * The failure as one JSON document.
 *
 * @example
 * jsonErrorDocument("unknown option '--bogus'", "USAGE", 2);
 * // { error: { message: "unknown option '--bogus'", code: "USAGE", exitCode: 2 } }
 */
export function jsonErrorDocument(message: string, code: string, exitCode: number): JsonErrorDocument {
  return { error: { message, code, exitCode } };
}
