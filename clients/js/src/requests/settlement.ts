/** Tokens are priced per million. */
export const TOKENS_PER_PRICE_UNIT = 1_000_000n;
/** Basis points in 100 %. */
export const BPS = 10_000n;

/** What a completed request pays, computed exactly as the program does. */
export type Settlement = {
  /** Lamports charged to the stake: `min(stake, ceil(in·priceIn/1e6) + ceil(out·priceOut/1e6))`. */
  readonly cost: bigint;
  /** Protocol fee: `floor(cost · feeBps / 10000)`. */
  readonly fee: bigint;
  /** What the server's operator receives: `cost − fee`. */
  readonly serverPayout: bigint;
  /** What goes back to the client from the stake: `stake − cost` (the request's rent comes back too). */
  readonly refund: bigint;
};

const ceilDiv = (a: bigint, b: bigint): bigint => (a + b - 1n) / b;

/**
 * Price of `tokens` at `pricePerMillion` lamports per 1,000,000 tokens, rounded up.
 *
 * @example
 * tokenCost(500n, 2_000_000n); // 1_000n lamports
 */
export function tokenCost(tokens: bigint, pricePerMillion: bigint): bigint {
  return ceilDiv(tokens * pricePerMillion, TOKENS_PER_PRICE_UNIT);
}

/**
 * The settlement `complete_request` performs, for previews, the provider node's stake checks and tests.
 *
 * @example
 * computeSettlement({ tokensIn: 20n, tokensOut: 500n, priceIn: 1_000_000n, priceOut: 2_000_000n, stake: 10_000_000n, feeBps: 1000 });
 * // { cost: 1_020n, fee: 102n, serverPayout: 918n, refund: 9_998_980n }
 */
export function computeSettlement(input: {
  readonly tokensIn: bigint;
  readonly tokensOut: bigint;
  readonly priceIn: bigint;
  readonly priceOut: bigint;
  readonly stake: bigint;
  readonly feeBps: number;
}): Settlement {
  const raw = tokenCost(input.tokensIn, input.priceIn) + tokenCost(input.tokensOut, input.priceOut);
  const cost = raw < input.stake ? raw : input.stake;
  const fee = (cost * BigInt(input.feeBps)) / BPS;
  return { cost, fee, serverPayout: cost - fee, refund: input.stake - cost };
}

/**
 * Largest number of output tokens a stake pays for after the prompt, at the given prices.
 *
 * @example
 * maxAffordableOutputTokens({ stake: 1_000_000n, promptTokens: 100n, priceIn: 0n, priceOut: 1_000_000n }); // 1_000_000n
 */
export function maxAffordableOutputTokens(input: {
  readonly stake: bigint;
  readonly promptTokens: bigint;
  readonly priceIn: bigint;
  readonly priceOut: bigint;
}): bigint {
  const left = input.stake - tokenCost(input.promptTokens, input.priceIn);
  if (left <= 0n) return 0n;
  if (input.priceOut === 0n) return BigInt(Number.MAX_SAFE_INTEGER);
  return (left * TOKENS_PER_PRICE_UNIT) / input.priceOut;
}
