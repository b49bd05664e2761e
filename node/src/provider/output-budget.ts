import { maxAffordableOutputTokens } from "@chainference/client";

import { getChunkFrameSize } from "./chunk-size";

/** Inputs of {@link planOutputBudget}: the request's terms, the node's limits and its speed. */
export type OutputBudgetInput = Readonly<{
  stake: bigint;
  /** Prompt ciphertext length: the program's bound on billed prompt tokens, so the worst-case prompt cost. */
  promptBytes: number;
  priceIn: bigint;
  priceOut: bigint;
  /** What the prompt asks for. */
  requestedTokens: number;
  /** The node's per-request cap. */
  maxOutputTokens: number;
  /** Tokens the model's context leaves after the prompt. */
  contextTokensLeft: number;
  /** Stream bytes allowed: min(request's `max_response_bytes`, the node's limit). */
  streamByteCap: number;
  /** Slots until the deadline (the whole response timeout before a lock). */
  slotsLeft: bigint;
  marginSlots: number;
  slotMs: number;
  tokensPerSecond: number;
  /** Tokens other requests will generate on the same backend first (it answers one at a time). */
  queuedTokens: number;
  maxChunkPlaintext: number;
  flushIntervalMs: number;
}>;

/** How much to generate and what to reserve. */
export type OutputBudget = Readonly<{
  /** Answer tokens to ask the backend for. */
  outputTokenCap: number;
  /** What the stake pays for after the worst-case prompt cost. */
  affordableTokens: number;
  /** What the node can generate before the deadline, after the queue and the margin. */
  timeTokens: number;
  /** Stream bytes to pre-fund with the first chunk (`reserve_bytes`). */
  reserveBytes: number;
  /** Which limit decided `outputTokenCap`. */
  limitedBy: "request" | "node" | "stake" | "deadline" | "context";
}>;

/** Bytes a token takes on average in the answer (for the reserve only; never for billing). */
const BYTES_PER_TOKEN_ESTIMATE = 4;

/**
 * The answer budget for one request: the fewest of what the prompt asks, the node's cap, what the stake pays
 * for (assuming the worst-case prompt cost `promptBytes × priceIn`), what the context leaves, and what the
 * node can generate before the deadline at its measured speed behind its queue. The reserve pre-funds the
 * response account for that many tokens at ~4 bytes each plus frame overhead, within the stream cap.
 *
 * @example
 * const { outputTokenCap } = planOutputBudget({ ...terms, requestedTokens: 256 });
 */
export function planOutputBudget(input: OutputBudgetInput): OutputBudget {
  const affordable = maxAffordableOutputTokens({
    stake: input.stake,
    promptTokens: BigInt(input.promptBytes),
    priceIn: input.priceIn,
    priceOut: input.priceOut,
  });
  const affordableTokens = Number(affordable > BigInt(Number.MAX_SAFE_INTEGER) ? BigInt(Number.MAX_SAFE_INTEGER) : affordable);
  const usableSlots = Number(input.slotsLeft) - input.marginSlots;
  const timeTokens = Math.max(0, Math.floor(((usableSlots * input.slotMs) / 1000) * input.tokensPerSecond) - input.queuedTokens);
  const limits = [
    ["request", input.requestedTokens],
    ["node", input.maxOutputTokens],
    ["stake", affordableTokens],
    ["deadline", timeTokens],
    ["context", Math.max(0, input.contextTokensLeft)],
  ] as const;
  const [limitedBy, cap] = limits.reduce((a, b) => (b[1] < a[1] ? b : a));
  const outputTokenCap = Math.max(0, Math.floor(cap));
  const bytes = outputTokenCap * BYTES_PER_TOKEN_ESTIMATE;
  const seconds = outputTokenCap / input.tokensPerSecond;
  const chunks = 1 + Math.ceil(bytes / input.maxChunkPlaintext) + Math.ceil((seconds * 1000) / input.flushIntervalMs);
  const reserveBytes = Math.min(input.streamByteCap, chunks * getChunkFrameSize(Math.ceil(bytes / chunks)));
  return { outputTokenCap, affordableTokens, timeTokens, reserveBytes, limitedBy };
}
