/**
 * Reads what the real `chainference` binary printed: exit status, posted request, settlement amounts
 * and the streamed answer, the same way for every chain the CLI runs against.
 */
import type { Address } from "@solana/kit";
import { expect } from "vitest";
import type { CliResult } from "./cli-process";

/** The command exited 0; otherwise fails with everything it printed. */
export const expectOk = (result: CliResult) => expect(result.code, `stdout:\n${result.stdout}\nstderr:\n${result.stderr}`).toBe(0);

/** Lamports of a settlement line such as `  refund   0.0019 SOL  (1,900,000 lamports ...`. */
export function lamportsOf(output: string, label: string): bigint {
  const match = new RegExp(`^\\s+${label}\\s+[\\d.]+ SOL\\s+\\(([\\d,]+) lamports`, "m").exec(output);
  if (!match) throw new Error(`no '${label}' line in:\n${output}`);
  return BigInt(match[1]!.replaceAll(",", ""));
}

/** The request address of `Posted request <address>`. */
export function postedRequest(output: string): Address {
  const match = /Posted request (\w+)/.exec(output);
  if (!match) throw new Error(`no posted request in:\n${output}`);
  return match[1] as Address;
}

/** The answer `ask` streamed between its "Answer" heading and the settlement, trimmed; undefined if absent. */
export const streamedAnswer = (output: string): string | undefined =>
  /Answer \(decrypted as chunks land\):\n([\s\S]*?)\nSettlement\n/.exec(output)?.[1]?.trim();
