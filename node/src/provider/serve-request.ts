import type { TransactionSigner } from "@solana/kit";
import {
  completeRequest,
  computeSettlement,
  findResponsePda,
  getServerKeyringEntry,
  type Chain,
  type RequestAccount,
  type SentTransaction,
  type ServerKeyring,
  type SettlementCounts,
} from "@chainference/client";

import type { InferenceBackend } from "../backends/inference-backend";
import type { NodeConfig } from "../config/node-config";
import type { ChunkRoom } from "./chunk-size";
import type { ClosesAlong } from "./close-sweep";
import { describeError } from "./describe-error";
import { generationSeed } from "./generation-seed";
import type { NodeEvent } from "./node-events";
import { responseKeyFor, type OpenedPrompt } from "./request-prompt";
import { createResponseWriter, type LandedResponse, type ResponseWriter } from "./response-writer";
import { sendWithRetry } from "./send-retry";
import { billableTokens, countAnswerTokens, countPromptTokens } from "./token-count";

/** What every request job needs from the node. */
export type ServeContext = Readonly<{
  chain: Chain;
  operator: TransactionSigner;
  config: NodeConfig;
  keyring: () => ServerKeyring;
  /** Largest chunk plaintext of each transaction shape (alone, beside the lock, beside the settlement). */
  chunkRoom: ChunkRoom;
  /** Responses past the grace period that settlements close in their spare room (the node's close sweep). */
  closesAlong?: ClosesAlong;
  emit: (event: NodeEvent) => void;
  /** Aborted when the node stops without draining: the job leaves the request locked for recovery. */
  stopSignal: AbortSignal;
}>;

/** One locked request to answer. */
export type ServeInput = Readonly<{
  /** The request as it is once locked (deadline, locked key epoch and prices). */
  request: RequestAccount;
  opened: OpenedPrompt;
  backend: InferenceBackend;
  landed: LandedResponse;
  outputTokenCap: number;
  reserveBytes: number;
  streamByteCap: number;
  /** When the lock landed (wall clock and slot), for time to first chunk; null on recovery or with `lock`. */
  lockedAt: Readonly<{ ms: number; slot: bigint }> | null;
  /**
   * The request is still Open: the first chunk's transaction locks it. `request` then carries what the lock
   * will set (the deadline estimated from the current slot, the prices of the offer screening chose), and time
   * to first chunk counts from the start of the job (the decision to take the request).
   */
  lock?: Readonly<{
    /** The lock landed with the first chunk (its transaction's slot). */
    onLocked: (slot: bigint) => void;
    /** See `ResponseWriterOptions.onLockRefused`. */
    onLockRefused: (error: unknown) => Promise<boolean>;
  }>;
}>;

/** How a job ended. */
export type ServeOutcome =
  | Readonly<{ status: "completed"; tokensOut: number; tokensPerSecond: number | null }>
  | Readonly<{ status: "abandoned"; reason: string }>
  | Readonly<{ status: "stopped" }>
  /** With `lock`: the lock never landed (another server took the request, the client cancelled it, …). */
  | Readonly<{ status: "not-locked"; reason: string }>;

type StopReason = "byte-cap" | "diverged" | "deadline" | "write-failed";

const decoder = new TextDecoder();

/** Milliseconds until the node must stop generating to land the final chunk and settle before the deadline. */
async function msUntilCutoff(ctx: ServeContext, request: RequestAccount): Promise<number> {
  const slot = await ctx.chain.getSlot();
  return Number(request.deadlineSlot - slot - BigInt(ctx.config.deadlineMarginSlots)) * ctx.config.slotMs;
}

/**
 * An Open request as it will be once this server's lock lands, for answering it before the lock: the
 * deadline counted from `slot` (the lock lands at or after it, so the real deadline is no earlier), the
 * prices of the offer screening chose (the program locks the same entry: the first with the model id) and the
 * key epoch of the allow-list entry (the lock takes only an entry wrapped for the server's current epoch, and
 * records that epoch: the response key derives from it).
 *
 * @example
 * const request = asLockedBy(open, { slot: await chain.getSlot(), priceIn: model.priceIn, priceOut: model.priceOut, keyEpoch: opened.keyEpoch });
 */
export function asLockedBy(
  request: RequestAccount,
  input: Readonly<{ slot: bigint; priceIn: bigint; priceOut: bigint; keyEpoch: number }>,
): RequestAccount {
  return {
    ...request,
    lockedKeyEpoch: input.keyEpoch,
    lockSlot: input.slot,
    deadlineSlot: input.slot + request.responseTimeout,
    lockedPriceIn: input.priceIn,
    lockedPriceOut: input.priceOut,
  };
}

/**
 * Settles a request whose final chunk is on-chain: `complete_request` with the billable counts (unless the
 * final chunk's transaction already settled it: `settledWithFinalChunk`), then the `completed` event (with
 * lamports earned, computed as the program does).
 */
export async function settleAnswered(
  ctx: ServeContext,
  input: Readonly<{
    request: RequestAccount;
    tokens: SettlementCounts;
    /** The final chunk's transaction settled the request: nothing is sent, and its fee is on the chunk's event. */
    settledWithFinalChunk: boolean;
    /** The slot of that transaction (null when unknown: the settlement was found on-chain). */
    settledSlot?: bigint | null;
    plaintext: Uint8Array;
    finishReason: Extract<NodeEvent, { type: "completed" }>["finishReason"];
    startedMs: number;
    firstChunk: Readonly<{ ms: number; slots: bigint }> | null;
    tokensPerSecond: number | null;
  }>,
): Promise<ServeOutcome> {
  const { request, tokens } = input;
  const sent: SentTransaction | null = input.settledWithFinalChunk
    ? null
    : await sendWithRetry(() => completeRequest(ctx.chain, ctx.operator, { request, ...tokens }), {
        retries: ctx.config.sendRetries,
        delayMs: ctx.config.slotMs,
        signal: ctx.stopSignal,
        onRetry: (attempt, error) =>
          ctx.emit({ type: "retry", request: request.address, action: "complete_request", attempt, error: describeError(error) }),
      });
  const { serverPayout } = computeSettlement({
    tokensIn: BigInt(tokens.tokensIn),
    tokensOut: BigInt(tokens.tokensOut),
    priceIn: request.lockedPriceIn,
    priceOut: request.lockedPriceOut,
    stake: request.stake,
    feeBps: request.feeBps,
  });
  ctx.emit({
    type: "completed",
    request: request.address,
    ...tokens,
    text: decoder.decode(input.plaintext),
    finishReason: input.finishReason,
    earnedLamports: serverPayout,
    timeToFirstChunkMs: input.firstChunk?.ms ?? null,
    firstChunkSlots: input.firstChunk?.slots ?? null,
    tokensPerSecond: input.tokensPerSecond,
    durationMs: Date.now() - input.startedMs,
    fee: sent?.fee ?? 0n,
  });
  if (ctx.closesAlong) {
    const [response] = await findResponsePda({ request: request.address });
    ctx.closesAlong.completed(response, sent?.slot ?? input.settledSlot ?? (await ctx.chain.getSlot()));
  }
  return { status: "completed", tokensOut: tokens.tokensOut, tokensPerSecond: input.tokensPerSecond };
}

/**
 * Answers one locked request: generates with the backend (within the output budget, greedy or seeded so a
 * restart reproduces it), streams the text as encrypted chunks, writes the final chunk and settles with
 * honest token counts. Stops generating early, keeping what it has, at the stream cap or when the deadline
 * nears. Abandons (leaving the request to expire and refund the client) when the backend fails or a write
 * fails for good; returns `stopped` without writing more when the node stops.
 *
 * @example
 * const outcome = await serveLockedRequest(ctx, { request, opened, backend, landed: NO_LANDED_RESPONSE, ... });
 */
export async function serveLockedRequest(ctx: ServeContext, input: ServeInput): Promise<ServeOutcome> {
  const { request, opened, backend } = input;
  const startedMs = Date.now();
  const generation = new AbortController();
  let stopReason: StopReason | null = null;
  let writeError: unknown = null;
  let firstChunk: { ms: number; slots: bigint } | null = null;
  const stop = (reason: StopReason) => {
    if (stopReason === null) stopReason = reason;
    generation.abort(new Error(`generation stopped: ${reason}`));
  };

  const cutoffMs = await msUntilCutoff(ctx, request);
  if (cutoffMs <= 0) {
    const reason = `no time left before the deadline (slot ${request.deadlineSlot})`;
    return input.lock ? { status: "not-locked", reason } : { status: "abandoned", reason };
  }
  const cutoff = setTimeout(() => stop("deadline"), cutoffMs);
  const onNodeStop = () => generation.abort(ctx.stopSignal.reason);
  ctx.stopSignal.addEventListener("abort", onNodeStop, { once: true });
  const writer: ResponseWriter = createResponseWriter({
    chain: ctx.chain,
    operator: ctx.operator,
    request: request.address,
    responseKey: responseKeyFor({ request, dataKey: opened.dataKey, keyring: ctx.keyring() }),
    landed: input.landed,
    chunkRoom: ctx.chunkRoom,
    ...(ctx.closesAlong ? { closesAlong: ctx.closesAlong } : {}),
    ...(input.lock
      ? {
          lockWithFirstChunk: { x25519Key: getServerKeyringEntry(ctx.keyring(), opened.keyEpoch).publicKey },
          onLockRefused: input.lock.onLockRefused,
        }
      : {}),
    streamByteCap: input.streamByteCap,
    reserveBytes: input.reserveBytes,
    flush: ctx.config.flush,
    retries: ctx.config.sendRetries,
    retryDelayMs: ctx.config.slotMs,
    stopSignal: ctx.stopSignal,
    onAppended: ({ index, plaintextBytes, isFinal, locked, sent }) => {
      if (locked) input.lock?.onLocked(sent.slot);
      if (index === 0 && input.lockedAt) firstChunk = { ms: Date.now() - input.lockedAt.ms, slots: sent.slot - input.lockedAt.slot };
      if (index === 0 && locked) firstChunk = { ms: Date.now() - startedMs, slots: 0n };
      ctx.emit({ type: "chunk-appended", request: request.address, index, plaintextBytes, isFinal, slot: sent.slot, fee: sent.fee });
    },
    onRetry: (attempt, error) =>
      ctx.emit({ type: "retry", request: request.address, action: "append_response", attempt, error: describeError(error) }),
    onFailure: (error) => {
      writeError = error;
      stop("write-failed");
    },
  });

  let pieces = 0;
  let firstTextMs: number | null = null;
  let lastTextMs = 0;
  let result: Awaited<ReturnType<InferenceBackend["streamChat"]>["result"]> | null = null;
  try {
    const stream = backend.streamChat({
      messages: opened.payload.messages,
      maxTokens: input.outputTokenCap,
      temperature: opened.payload.temperature ?? ctx.config.defaultTemperature,
      seed: generationSeed(request.address),
      signal: generation.signal,
    });
    for await (const { text } of stream) {
      firstTextMs ??= Date.now();
      lastTextMs = Date.now();
      pieces += 1;
      writer.push(text);
      if (writer.saturated()) stop("byte-cap");
      else if (writer.diverged()) stop("diverged");
      if (stopReason !== null) break;
    }
    if (stopReason === null) result = await stream.result;
  } catch (error) {
    if (!ctx.stopSignal.aborted && stopReason === null) {
      clearTimeout(cutoff);
      writer.dispose();
      const reason = `backend failed: ${describeError(error)}`;
      return writer.locked() ? { status: "abandoned", reason } : { status: "not-locked", reason };
    }
  } finally {
    clearTimeout(cutoff);
    ctx.stopSignal.removeEventListener("abort", onNodeStop);
  }
  if (ctx.stopSignal.aborted) {
    writer.dispose();
    return writer.locked() ? { status: "stopped" } : { status: "not-locked", reason: "the node stopped before the lock" };
  }
  const failed = (error: unknown): ServeOutcome =>
    writer.locked()
      ? { status: "abandoned", reason: `writing the answer failed: ${describeError(error)}` }
      : { status: "not-locked", reason: describeError(error) };
  if (stopReason === "write-failed") {
    writer.dispose();
    return failed(writeError);
  }

  const promptTokens = result?.usage.promptTokens ?? (await countPromptTokens(backend, opened.payload.messages));
  let completionTokens = 0;
  const countsFor = async (answer: Uint8Array): Promise<SettlementCounts> => {
    // The backend's count covers the answer only when the answer is exactly what this run generated.
    const generatedAll = result !== null && !writer.diverged() && writer.acceptedBytes() === answer.length;
    completionTokens = generatedAll ? result!.usage.completionTokens : await countAnswerTokens(backend, decoder.decode(answer), pieces);
    return billableTokens({ promptTokens, completionTokens, promptBytes: request.promptLen, plaintextBytes: answer.length });
  };
  let written;
  try {
    written = await writer.finish({ request, counts: countsFor });
  } catch (error) {
    if (ctx.stopSignal.aborted) return { status: "stopped" };
    return failed(error);
  }
  const tokens = written.settled?.counts ?? (await countsFor(written.plaintext));
  const generationSeconds = firstTextMs === null ? 0 : (lastTextMs - firstTextMs) / 1000;
  const tokensPerSecond = generationSeconds > 0 && completionTokens > 1 ? (completionTokens - 1) / generationSeconds : null;
  const finishReason =
    stopReason === null
      ? (result?.finishReason ?? "stop")
      : stopReason === "diverged"
        ? "recovered"
        : (stopReason as "byte-cap" | "deadline");
  try {
    return await settleAnswered(ctx, {
      request,
      tokens,
      settledWithFinalChunk: written.settled !== null,
      settledSlot: written.settled?.sent?.slot ?? null,
      plaintext: written.plaintext,
      finishReason,
      startedMs,
      firstChunk,
      tokensPerSecond,
    });
  } catch (error) {
    if (ctx.stopSignal.aborted) return { status: "stopped" };
    return { status: "abandoned", reason: `complete_request failed: ${describeError(error)}` };
  }
}
