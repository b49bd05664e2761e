import type { RecoveryAction } from "./node-events";

/** What the node knows about a request it finds locked by itself at start. */
export type RecoveryInput = Readonly<{
  slot: bigint;
  deadlineSlot: bigint;
  /** Chunks on-chain (0 when there is no response account). */
  chunksLanded: number;
  isFinal: boolean;
  /** Slots to wait before appending (the recovery quiet period still to run). */
  waitSlots: number;
  marginSlots: number;
  slotMs: number;
  tokensPerSecond: number;
  /** Answer tokens worth generating (the node's `minOutputTokens`, or fewer if the prompt asks for fewer). */
  usefulTokens: number;
}>;

/** The decision and a sentence for the log. */
export type RecoveryPlan = Readonly<{ action: RecoveryAction; detail: string }>;

/** Slots `append_response` (final, empty) plus `complete_request` need to land, at the least. */
const SETTLE_SLOTS = 2n;

/**
 * Crash recovery for one request locked by this server:
 * - past the deadline → `expire` (only `expire_request` can end it now; it refunds the client);
 * - final chunk on-chain → `complete` (settle what was answered);
 * - enough time to generate a useful answer → `resume` (regenerate and continue after the landed chunks);
 * - too little time, but chunks landed → `finalize` (an empty final chunk, then settle what landed);
 * - too little time and nothing landed → `expire` (let it expire; said in the log, never silently).
 *
 * Appending waits `waitSlots` first (the recovery quiet period, see `NodeConfig.recoveryQuietSlots`).
 *
 * @example
 * planRecovery({ slot: 1000n, deadlineSlot: 1500n, chunksLanded: 2, isFinal: false, ... }); // { action: "resume", ... }
 */
export function planRecovery(input: RecoveryInput): RecoveryPlan {
  const slotsLeft = input.deadlineSlot - input.slot;
  if (slotsLeft < 0n)
    return {
      action: "expire",
      detail: `its deadline (slot ${input.deadlineSlot}) passed at slot ${input.slot}; expire_request refunds the client`,
    };
  if (input.isFinal) {
    return slotsLeft >= SETTLE_SLOTS - 1n
      ? { action: "complete", detail: `the answer is on-chain; settling with ${slotsLeft} slots left` }
      : { action: "expire", detail: `the answer is on-chain but only ${slotsLeft} slot(s) remain to settle; it will expire` };
  }
  const wait = input.waitSlots > 0 ? ` after a ${input.waitSlots}-slot quiet period` : "";
  const usableMs = (Number(slotsLeft) - input.waitSlots - input.marginSlots) * input.slotMs;
  const tokens = Math.floor((usableMs / 1000) * input.tokensPerSecond);
  if (tokens >= input.usefulTokens)
    return {
      action: "resume",
      detail: `${slotsLeft} slots left (~${tokens} tokens): regenerating and continuing after chunk ${input.chunksLanded}${wait}`,
    };
  if (input.chunksLanded > 0 && slotsLeft >= SETTLE_SLOTS + BigInt(input.waitSlots))
    return {
      action: "finalize",
      detail: `only ${slotsLeft} slots left: closing the answer with the ${input.chunksLanded} chunk(s) on-chain${wait}`,
    };
  return {
    action: "expire",
    detail: `only ${slotsLeft} slots left${wait ? ` (and ${input.waitSlots} to wait)` : ""} and ${input.chunksLanded > 0 ? "no time to close the answer" : "nothing on-chain"}: letting it expire (expire_request refunds the client)`,
  };
}
