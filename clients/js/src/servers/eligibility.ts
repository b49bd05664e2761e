import type { Address } from "@solana/kit";
import type { ModelEntry, Server } from "../generated";
import { tokenCost } from "../requests/settlement";
import { getServerReputation } from "./reputation";

/** The terms of a request before it is posted: what `lock_request` will check against each server. */
export type RequestDraft = {
  readonly model: string;
  /** Pinned revision; empty or absent = any. */
  readonly revision?: string;
  readonly maxPriceIn: bigint;
  readonly maxPriceOut: bigint;
  readonly minCompleted?: bigint;
  readonly minSuccessBps?: number;
  /** Minimum average rating × 100 (e.g. 400 = 4.0 stars). */
  readonly minAvgRating?: number;
  /** Allowed server accounts; absent or empty = any server passing the filters. */
  readonly allowed?: readonly Address[];
  /** Prompt ciphertext length in bytes (the program's bound on tokens_in). */
  readonly promptBytes: number;
  readonly stake: bigint;
};

/** Why a server cannot lock a draft request, named after the on-chain error it would hit. */
export type Ineligibility =
  | { readonly reason: "not-allowed" }
  | { readonly reason: "inactive" }
  | { readonly reason: "model-not-offered"; readonly model: string; readonly revision: string }
  | { readonly reason: "price-above-max"; readonly priceIn: bigint; readonly priceOut: bigint }
  | { readonly reason: "not-enough-completed"; readonly completed: bigint; readonly required: bigint }
  | { readonly reason: "success-rate-too-low"; readonly successBps: number; readonly required: number }
  | { readonly reason: "rating-too-low"; readonly avgRatingX100: number; readonly required: number }
  | { readonly reason: "stake-below-prompt-cost"; readonly promptCost: bigint; readonly stake: bigint };

export type Eligibility =
  { readonly eligible: true; readonly offer: ModelEntry } | { readonly eligible: false; readonly reasons: readonly Ineligibility[] };

/** The server's offer for `model` (and `revision` when pinned), as `lock_request` matches it. */
export function findModelOffer(server: Server, model: string, revision = ""): ModelEntry | undefined {
  return server.models.find((m) => m.hfId === model && (revision === "" || m.revision === revision));
}

/**
 * Which servers could lock a draft request, and for each that cannot, every reason why. Mirrors the
 * checks `lock_request` runs on-chain, so a preview never promises what the program refuses.
 *
 * @example
 * const verdict = checkEligibility(draft, serverAddress, server);
 * if (!verdict.eligible) console.log(verdict.reasons.map(describeIneligibility));
 */
export function checkEligibility(draft: RequestDraft, serverAddress: Address, server: Server): Eligibility {
  const reasons: Ineligibility[] = [];
  const allowed = draft.allowed ?? [];
  if (allowed.length > 0 && !allowed.includes(serverAddress)) reasons.push({ reason: "not-allowed" });
  if (!server.active) reasons.push({ reason: "inactive" });
  const revision = draft.revision ?? "";
  const offer = findModelOffer(server, draft.model, revision);
  if (!offer) reasons.push({ reason: "model-not-offered", model: draft.model, revision });
  else {
    if (offer.priceIn > draft.maxPriceIn || offer.priceOut > draft.maxPriceOut)
      reasons.push({ reason: "price-above-max", priceIn: offer.priceIn, priceOut: offer.priceOut });
    const promptCost = tokenCost(BigInt(draft.promptBytes), offer.priceIn);
    if (promptCost > draft.stake) reasons.push({ reason: "stake-below-prompt-cost", promptCost, stake: draft.stake });
  }
  const reputation = getServerReputation(server);
  const minCompleted = draft.minCompleted ?? 0n;
  if (reputation.completed < minCompleted)
    reasons.push({ reason: "not-enough-completed", completed: reputation.completed, required: minCompleted });
  const minSuccess = draft.minSuccessBps ?? 0;
  if (reputation.successBps < minSuccess)
    reasons.push({ reason: "success-rate-too-low", successBps: reputation.successBps, required: minSuccess });
  const minRating = draft.minAvgRating ?? 0;
  if (reputation.avgRatingX100 < minRating)
    reasons.push({ reason: "rating-too-low", avgRatingX100: reputation.avgRatingX100, required: minRating });
  return reasons.length === 0 && offer ? { eligible: true, offer } : { eligible: false, reasons };
}

/**
 * One line a user understands for an ineligibility reason.
 *
 * @example
 * describeIneligibility({ reason: "inactive" }); // "server is not active"
 */
export function describeIneligibility(i: Ineligibility): string {
  switch (i.reason) {
    case "not-allowed":
      return "not on the request's allow-list";
    case "inactive":
      return "server is not active";
    case "model-not-offered":
      return `does not serve ${i.model}${i.revision ? `@${i.revision}` : ""}`;
    case "price-above-max":
      return `price ${i.priceIn}/${i.priceOut} lamports per 1M tokens (in/out) is above the maximum`;
    case "not-enough-completed":
      return `${i.completed} completed inferences, ${i.required} required`;
    case "success-rate-too-low":
      return `success rate ${(i.successBps / 100).toFixed(2)} % below ${(i.required / 100).toFixed(2)} %`;
    case "rating-too-low":
      return `average rating ${(i.avgRatingX100 / 100).toFixed(2)} below ${(i.required / 100).toFixed(2)}`;
    case "stake-below-prompt-cost":
      return `stake ${i.stake} lamports does not cover the prompt (${i.promptCost} lamports)`;
  }
}
