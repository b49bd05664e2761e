/** The request terms flags, parsed into {@link AskTerms}. */
import { isAddress, type Address } from "@solana/kit";
import type { TermsFlags } from "./terms-options";
import { validateModelId } from "@chainference/client";
import type { AskTerms } from "./eligibility";
import { usageError } from "../../shared/errors/cli-error";
import { durationToSlots, parseDuration, parseInteger, parseSol } from "../../shared/output/units";

/** Lamports per 1M tokens the program accepts at most: `--max-price` defaults to it (the stake is the real cap). */
export const MAX_PRICE_PER_MILLION = 1_000_000_000_000n;
export const DEFAULT_MAX_TOKENS = 256;

/**
 * Validates the terms flags; every problem is one line naming the flag.
 *
 * @example
 * const terms = parseTerms(flags, DEFAULT_MODEL.hfId);
 */
export function parseTerms(flags: TermsFlags, defaultModel: string): AskTerms {
  const model = flags.model ?? defaultModel;
  const problem = validateModelId(model);
  if (problem) throw usageError(`--model '${model}' is not a Hugging Face id (org/name): ${problem}`);
  const allowed = (flags.server ?? []).flatMap((s) => s.split(",")).filter(Boolean);
  for (const a of allowed) if (!isAddress(a)) throw usageError(`--server '${a}' is not a base58 account address`);
  if (new Set(allowed).size > 8) throw usageError("--server names at most 8 servers");
  const stake = parseSol(flags.stake, "--stake");
  if (stake === 0n) throw usageError("--stake must be more than 0 SOL");
  const maxPrice = flags.maxPrice === undefined ? MAX_PRICE_PER_MILLION : parseSol(flags.maxPrice, "--max-price");
  const minSuccess = flags.minSuccess === undefined ? undefined : Number(flags.minSuccess);
  if (minSuccess !== undefined && !(minSuccess >= 0 && minSuccess <= 100))
    throw usageError(`--min-success must be a percentage from 0 to 100, got '${flags.minSuccess}'`);
  const minRating = flags.minRating === undefined ? undefined : Number(flags.minRating);
  if (minRating !== undefined && !(minRating >= 0 && minRating <= 5))
    throw usageError(`--min-rating must be from 0 to 5 stars, got '${flags.minRating}'`);
  const fanOut = flags.fanOut === undefined ? undefined : parseInteger(flags.fanOut, "--fan-out", { min: 1, max: 8 });
  const handOffWaitMs = flags.handOffWait === undefined ? undefined : parseDuration(flags.handOffWait, "--hand-off-wait");
  if (handOffWaitMs !== undefined && handOffWaitMs < 500)
    throw usageError(
      `--hand-off-wait must be at least 500ms (a server needs time to see and lock the request), got '${flags.handOffWait}'`,
    );
  return {
    model,
    ...(fanOut === undefined ? {} : { fanOut }),
    ...(handOffWaitMs === undefined ? {} : { handOffWaitMs }),
    ...(flags.revision ? { revision: flags.revision } : {}),
    stake,
    maxPriceIn: maxPrice,
    maxPriceOut: maxPrice,
    ...(flags.minCompleted === undefined ? {} : { minCompleted: BigInt(parseInteger(flags.minCompleted, "--min-completed")) }),
    ...(minSuccess === undefined ? {} : { minSuccessBps: Math.round(minSuccess * 100) }),
    ...(minRating === undefined ? {} : { minAvgRating: Math.round(minRating * 100) }),
    ...(allowed.length > 0 ? { allowed: [...new Set(allowed)] as Address[] } : {}),
    ...(flags.timeout === undefined ? {} : { responseTimeoutSlots: durationToSlots(parseDuration(flags.timeout, "--timeout")) }),
  };
}

/** `--max-tokens` and `--temperature`. */
export function parseGeneration(flags: { maxTokens?: string; temperature?: string }): { maxTokens: number; temperature?: number } {
  const maxTokens =
    flags.maxTokens === undefined ? DEFAULT_MAX_TOKENS : parseInteger(flags.maxTokens, "--max-tokens", { min: 1, max: 32_768 });
  if (flags.temperature === undefined) return { maxTokens };
  const temperature = Number(flags.temperature);
  if (!(temperature >= 0 && temperature <= 2)) throw usageError(`--temperature must be from 0 to 2, got '${flags.temperature}'`);
  return { maxTokens, temperature };
}
