/** Which servers can take a request before it is posted, and why the others cannot. */
import {
  checkEligibility,
  describeIneligibility,
  encodePromptPayload,
  fetchServers,
  getServerReputation,
  probeServerLiveness,
  PROMPT_CIPHERTEXT_OVERHEAD,
  type Chain,
  type Ineligibility,
  type ModelEntry,
  type PromptPayload,
  type RequestDraft,
  type Server,
  type ServerLiveness,
  type ServerWithAddress,
} from "@chainference/client";
import { CliError } from "../../shared/errors/cli-error";
import type { Output } from "../../shared/output/output";
import { formatSol } from "../../shared/output/units";
import { formatPricePair } from "../../shared/output/format-server";

/**
 * What the client asks for, besides the prompt: the SDK's {@link RequestDraft} terms (stake in lamports,
 * prices in lamports per 1M tokens, `allowed` absent or empty = any server passing the filters) without the
 * prompt size, plus the answer deadline.
 */
export type AskTerms = Omit<RequestDraft, "promptBytes"> & {
  /** Slots the locking server has to answer; absent = the protocol default. */
  readonly responseTimeoutSlots?: bigint;
  /** Servers the request names at once (1..8); absent = 1, the others stand by for a hand-off. */
  readonly fanOut?: number;
  /** How long a named server has to lock before the hand-off (ms); absent = the SDK's default. */
  readonly handOffWaitMs?: number;
};

export type EligibleServer = ServerWithAddress & { readonly offer: ModelEntry; readonly liveness: ServerLiveness };
export type IneligibleServer = ServerWithAddress & { readonly reasons: readonly Ineligibility[] };

export type EligibilityPreview = {
  /** Servers that pass every check `lock_request` runs, cheapest first (the request names up to 8). */
  readonly eligible: readonly EligibleServer[];
  readonly ineligible: readonly IneligibleServer[];
  /** Prompt ciphertext size the checks assumed. */
  readonly promptBytes: number;
  /** The client named its servers (`--server`): they are used even when they look offline. */
  readonly named: boolean;
};

/** Bytes the encrypted prompt will take on-chain. */
export function promptCiphertextBytes(payload: PromptPayload): number {
  return encodePromptPayload(payload).length + PROMPT_CIPHERTEXT_OVERHEAD;
}

/** The draft `checkEligibility` evaluates for these terms and prompt. */
export function toDraft(terms: AskTerms, promptBytes: number): RequestDraft {
  return {
    model: terms.model,
    revision: terms.revision ?? "",
    maxPriceIn: terms.maxPriceIn,
    maxPriceOut: terms.maxPriceOut,
    minCompleted: terms.minCompleted ?? 0n,
    minSuccessBps: terms.minSuccessBps ?? 0,
    minAvgRating: terms.minAvgRating ?? 0,
    allowed: terms.allowed ?? [],
    promptBytes,
    stake: terms.stake,
  };
}

const byOffer = (a: EligibleServer, b: EligibleServer): number => {
  const price = (s: EligibleServer) => s.offer.priceIn + s.offer.priceOut;
  if (price(a) !== price(b)) return price(a) < price(b) ? -1 : 1;
  return Number(b.server.completed - a.server.completed);
};

/**
 * Runs the on-chain lock checks against every registered server. `--server` addresses that are not
 * registered servers fail with one line.
 *
 * @example
 * const preview = await previewEligibility(chain, terms, payload);
 */
export async function previewEligibility(chain: Chain, terms: AskTerms, payload: PromptPayload): Promise<EligibilityPreview> {
  const servers = await fetchServers(chain);
  const known = new Set(servers.map((s) => s.address));
  const unknown = (terms.allowed ?? []).filter((a) => !known.has(a));
  if (unknown.length > 0) throw new CliError(`--server ${unknown.join(", ")} is not a registered server: see 'chainference servers'`);
  const promptBytes = promptCiphertextBytes(payload);
  const draft = toDraft(terms, promptBytes);
  const passing: (ServerWithAddress & { offer: ModelEntry })[] = [];
  const ineligible: IneligibleServer[] = [];
  for (const s of servers) {
    const verdict = checkEligibility(draft, s.address, s.server);
    if (verdict.eligible) passing.push({ ...s, offer: verdict.offer });
    else ineligible.push({ ...s, reasons: verdict.reasons });
  }
  // Liveness of the servers that pass, probed in parallel (each endpoint gets the probe's timeout at most).
  const currentSlot = passing.length > 0 ? await chain.getSlot() : 0n;
  const eligible = await Promise.all(passing.map(async (s) => ({ ...s, liveness: await probeServerLiveness(s, { currentSlot }) })));
  return { eligible: eligible.sort(byOffer), ineligible, promptBytes, named: (terms.allowed ?? []).length > 0 };
}

/** The eligible servers a request may name: all when the client named them with `--server`, else those that do not look offline. */
function usableServers(preview: EligibilityPreview): EligibleServer[] {
  return preview.named ? [...preview.eligible] : preview.eligible.filter((s) => !s.liveness.stale);
}

/**
 * The servers a request may go to, best first: the request names the first `--fan-out` (default 1), the rest
 * stand by for a hand-off. Those that look offline (an endpoint that does not answer, no activity for a day)
 * are left out unless the client named them with `--server`.
 */
export function chooseServers(preview: EligibilityPreview): EligibleServer[] {
  return usableServers(preview);
}

function reputationSummary(server: Server): string {
  const r = getServerReputation(server);
  const rating = r.ratingCount === 0n ? "no ratings" : `rating ${(r.avgRatingX100 / 100).toFixed(2)}`;
  return `${r.completed} completed, ${r.expired} expired, ${rating}`;
}

/**
 * Prints the preview: each eligible server with its price and record, each other server with every reason.
 *
 * @example
 * printEligibility(out, terms, preview);
 */
export function printEligibility(out: Output, terms: AskTerms, preview: EligibilityPreview): void {
  out.line(
    `Eligibility for ${terms.model}${terms.revision ? `@${terms.revision}` : ""} (stake ${formatSol(terms.stake)} SOL, prompt ${preview.promptBytes} bytes encrypted):`,
  );
  if (preview.eligible.length + preview.ineligible.length === 0) out.line("  no servers are registered on this cluster");
  for (const s of preview.eligible) {
    const mark = s.liveness.stale ? "!" : "✓";
    const note = s.liveness.stale ? `looks offline: ${s.liveness.detail}${preview.named ? "" : " (left out)"}` : s.liveness.detail;
    out.line(`  ${mark} ${s.address}  ${formatPricePair(s.offer.priceIn, s.offer.priceOut)}  ${reputationSummary(s.server)}  · ${note}`);
  }
  for (const s of preview.ineligible) out.line(`  ✗ ${s.address}  ${s.reasons.map(describeIneligibility).join("; ")}`);
  const chosen = chooseServers(preview);
  const named = Math.min(terms.fanOut ?? 1, chosen.length);
  if (chosen.length > 0)
    out.line(
      `  (the request names the ${named === 1 ? "cheapest" : `${named} cheapest`}: only ${named === 1 ? "it" : "they"} can read the prompt` +
        `${chosen.length > named ? `; ${chosen.length - named} more ${chosen.length - named === 1 ? "stands" : "stand"} by for a hand-off` : ""})`,
    );
}

/** The preview as JSON. */
export function eligibilityJson(preview: EligibilityPreview) {
  return {
    eligible: preview.eligible.map((s) => ({
      server: s.address,
      operator: s.server.operator,
      priceIn: s.offer.priceIn,
      priceOut: s.offer.priceOut,
      liveness: { state: s.liveness.state, detail: s.liveness.detail },
    })),
    ineligible: preview.ineligible.map((s) => ({ server: s.address, reasons: s.reasons.map(describeIneligibility) })),
  };
}

/** Fails with one line when no server can take the request. */
export function assertSomeEligible(preview: EligibilityPreview, terms: AskTerms): void {
  if (preview.eligible.length > 0 && chooseServers(preview).length === 0)
    throw new CliError(
      `every server that can take a request for ${terms.model} looks offline (${preview.eligible.map((s) => s.liveness.detail).join("; ")}): name one with --server to try anyway`,
    );
  if (preview.eligible.length > 0) return;
  const reasons = [...new Set(preview.ineligible.flatMap((s) => s.reasons.map(describeIneligibility)))];
  const why = preview.ineligible.length === 0 ? "no servers are registered on this cluster" : reasons.join("; ");
  throw new CliError(`no server can take a request for ${terms.model}: ${why} (see 'chainference servers')`);
}
