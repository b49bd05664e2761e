import type { Server } from "../generated";

/** A server's on-chain track record, in the units the filters use. */
export type ServerReputation = {
  readonly completed: bigint;
  readonly expired: bigint;
  /** `completed × 10000 / (completed + expired)`; 0 with no history (what `lock_request` checks). */
  readonly successBps: number;
  /** `rating_sum × 100 / rating_count` (100..500); 0 with no ratings (what `lock_request` checks). */
  readonly avgRatingX100: number;
  readonly ratingCount: bigint;
  /** Mean slots from lock to first chunk over completed requests; null with none. */
  readonly avgFirstChunkSlots: number | null;
  /** Mean slots from lock to completion over completed requests; null with none. */
  readonly avgCompleteSlots: number | null;
  readonly tokensOut: bigint;
  readonly lamportsEarned: bigint;
};

/**
 * Reads the reputation counters of a server account the way the program's filters do.
 *
 * @example
 * const { successBps, avgRatingX100 } = getServerReputation(server);
 */
export function getServerReputation(server: Server): ServerReputation {
  const total = server.completed + server.expired;
  return {
    completed: server.completed,
    expired: server.expired,
    successBps: total === 0n ? 0 : Number((server.completed * 10_000n) / total),
    avgRatingX100: server.ratingCount === 0n ? 0 : Number((server.ratingSum * 100n) / server.ratingCount),
    ratingCount: server.ratingCount,
    avgFirstChunkSlots: server.completed === 0n ? null : Number(server.sumFirstChunkSlots) / Number(server.completed),
    avgCompleteSlots: server.completed === 0n ? null : Number(server.sumCompleteSlots) / Number(server.completed),
    tokensOut: server.tokensOut,
    lamportsEarned: server.lamportsEarned,
  };
}
