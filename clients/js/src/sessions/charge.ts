/**
 * The client's charge check: before signing a voucher it recomputes the most the node may ask from the session's
 * snapshotted prices and what it can count itself (prompt bytes sent, answer bytes decrypted), with the program's
 * ceiling math (`token_cost`).
 */
import type { Address } from "@solana/kit";

import { CHAINFERENCE_ERROR__SESSION__CHARGE_REJECTED, ChainferenceClientError } from "../errors";
import { tokenCost } from "../requests/settlement";
import type { Voucher } from "./voucher";

/** Cumulative totals of a session (what a voucher carries). */
export type SessionTotals = Readonly<{ lamports: bigint; tokens: bigint; answers: number }>;

/** No answer paid yet. */
export const ZERO_SESSION_TOTALS: SessionTotals = Object.freeze({ lamports: 0n, tokens: 0n, answers: 0 });

/** Per-million prices snapshotted in the Session account at open. */
export type SessionPrices = Readonly<{ priceIn: bigint; priceOut: bigint }>;

/** A bill of the node: cumulative session totals asked for, and the token counts of the answer in progress. */
export type SessionBill = SessionTotals & Readonly<{ tokensIn: number; tokensOut: number }>;

/**
 * `⌈tokensIn·priceIn/10^6⌉ + ⌈tokensOut·priceOut/10^6⌉`: one answer's cost, as the program computes a token cost.
 *
 * @example
 * ```ts
 * sessionAnswerCost({ tokensIn: 30, tokensOut: 500, priceIn: 1_000_000n, priceOut: 5_000_000n }); // 2_530n
 * ```
 */
export function sessionAnswerCost({
  tokensIn,
  tokensOut,
  priceIn,
  priceOut,
}: SessionPrices & { tokensIn: number; tokensOut: number }): bigint {
  return tokenCost(BigInt(tokensIn), priceIn) + tokenCost(BigInt(tokensOut), priceOut);
}

/** What the client knows while an answer streams. */
export type SessionChargeInput = SessionPrices &
  Readonly<{
    session: Address;
    answer: number;
    /** The totals the client had signed for when this answer started. */
    base: SessionTotals;
    /** Bytes of the prompt plaintext it sent (bounds `tokensIn`). */
    promptBytes: number;
    /** Bytes of answer plaintext it decrypted so far (bounds `tokensOut`). */
    receivedBytes: number;
    bill: SessionBill;
  }>;

/**
 * The voucher to sign for `bill`, after checking that the bill asks no more than the client's own count allows:
 * `tokensIn ≤ promptBytes`, `tokensOut ≤ receivedBytes`, `lamports ≤ base + sessionAnswerCost(tokensIn, tokensOut)`,
 * `tokens ≤ base + tokensIn + tokensOut`, `answers ≤ base + 1`. Throws `CHAINFERENCE_ERROR__SESSION__CHARGE_REJECTED`
 * naming the first field over its bound.
 *
 * @example
 * ```ts
 * const voucher = checkSessionCharge({ session, answer, base, promptBytes, receivedBytes, priceIn, priceOut, bill });
 * const signed = signVoucher({ voucher, voucherSecret: keys.voucherSecret });
 * ```
 */
export function checkSessionCharge(input: SessionChargeInput): Voucher {
  const { session, answer, base, bill } = input;
  const reject = (field: "lamports" | "tokens" | "answers" | "tokensIn" | "tokensOut", billed: bigint, allowed: bigint): never => {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__SESSION__CHARGE_REJECTED, { session, answer, field, billed, allowed });
  };
  const tokensIn = BigInt(bill.tokensIn);
  const tokensOut = BigInt(bill.tokensOut);
  if (tokensIn < 0n || tokensIn > BigInt(input.promptBytes)) reject("tokensIn", tokensIn, BigInt(input.promptBytes));
  if (tokensOut < 0n || tokensOut > BigInt(input.receivedBytes)) reject("tokensOut", tokensOut, BigInt(input.receivedBytes));
  const maxLamports = base.lamports + sessionAnswerCost({ ...input, tokensIn: bill.tokensIn, tokensOut: bill.tokensOut });
  if (bill.lamports > maxLamports) reject("lamports", bill.lamports, maxLamports);
  const maxTokens = base.tokens + tokensIn + tokensOut;
  if (bill.tokens > maxTokens) reject("tokens", bill.tokens, maxTokens);
  if (bill.answers > base.answers + 1) reject("answers", BigInt(bill.answers), BigInt(base.answers + 1));
  return { session, lamports: bill.lamports, tokens: bill.tokens, answers: bill.answers };
}
