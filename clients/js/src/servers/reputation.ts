import type { Server } from "../generated";

/** A server's on-chain track record, in the units the filters use. */
export type ServerReputation = {
  /** Counted completions: those that paid a protocol fee of at least 10,000 lamports. */
  readonly completed: bigint;
  readonly expired: bigint;
  /** Gross lamports clients paid this server (fee included). */
  readonly paidVolume: bigint;
  /** Σ stake of the requests it locked and abandoned. */
  readonly expiredVolume: bigint;
  /** `paid_volume × 10000 / (paid_volume + expired_volume)`; 0 with no history (what `lock_request` checks). */
  readonly successBps: number;
  /** Cost-weighted `rating_sum × 100 / rating_count` (100..500); 0 with no paid ratings (what `lock_request` checks). */
  readonly avgRatingX100: number;
  /** Lamports paid for the rated responses (each rating weighs its response's cost). */
  readonly ratingCount: bigint;
  /** Lamports the server holds as bond (slashed to the client of each lock it abandons). */
  readonly bond: bigint;
  /** Mean slots from lock to first chunk over counted completions; null with none. */
  readonly avgFirstChunkSlots: number | null;
  /** Mean slots from lock to completion over counted completions; null with none. */
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
  const total = server.paidVolume + server.expiredVolume;
  return {
    completed: server.completed,
    expired: server.expired,
    paidVolume: server.paidVolume,
    expiredVolume: server.expiredVolume,
    bond: server.bond,
    successBps: total === 0n ? 0 : Number((server.paidVolume * 10_000n) / total),
    avgRatingX100: server.ratingCount === 0n ? 0 : Number((server.ratingSum * 100n) / server.ratingCount),
    ratingCount: server.ratingCount,
    avgFirstChunkSlots: server.completed === 0n ? null : Number(server.sumFirstChunkSlots) / Number(server.completed),
    avgCompleteSlots: server.completed === 0n ? null : Number(server.sumCompleteSlots) / Number(server.completed),
    tokensOut: server.tokensOut,
    lamportsEarned: server.lamportsEarned,
  };
}
