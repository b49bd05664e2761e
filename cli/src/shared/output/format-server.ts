/** How servers, prices and reputation read in the terminal. */
import { getServerReputation, type Server } from "@chainference/client";
import { formatSlots, formatSol } from "./units";

/**
 * A price in lamports per 1M tokens as SOL per 1M tokens.
 *
 * @example
 * formatPricePerMillion(500_000_000n); // "0.5"
 */
export function formatPricePerMillion(lamportsPerMillion: bigint): string {
  return formatSol(lamportsPerMillion);
}

/** "0.5 / 2 SOL per 1M tokens (in/out)". */
export function formatPricePair(priceIn: bigint, priceOut: bigint): string {
  return `${formatPricePerMillion(priceIn)} / ${formatPricePerMillion(priceOut)} SOL per 1M tokens (in/out)`;
}

/** One line of a server's on-chain record. */
export function formatReputation(server: Server): string {
  const r = getServerReputation(server);
  const total = r.completed + r.expired;
  const success = total === 0n ? "no history" : `${(r.successBps / 100).toFixed(2)} % success`;
  // Ratings weigh by what the rated answers cost (docs/reputation-system.md): the weight is lamports, not a count.
  const rating =
    r.ratingCount === 0n
      ? "no ratings"
      : `rating ${(r.avgRatingX100 / 100).toFixed(2)} (over ${formatSol(r.ratingCount)} SOL of rated answers)`;
  const first =
    r.avgFirstChunkSlots === null
      ? ""
      : `, first chunk ${r.avgFirstChunkSlots.toFixed(1)} slots (~${formatSlots(r.avgFirstChunkSlots)}) after the lock on average`;
  return `${r.completed} completed, ${r.expired} expired, ${success}, ${rating}, ${r.tokensOut} tokens out, ${formatSol(r.lamportsEarned)} SOL earned${first}`;
}
