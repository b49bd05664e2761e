import type { Address } from "@solana/kit";
import { decryptResponseStream, fetchResponseAccount, findResponsePda, type RequestAccount } from "@chainference/client";

import type { InferenceBackend } from "../backends/inference-backend";
import type { ServedModelConfig } from "../config/node-config";
import { describeError } from "./describe-error";
import { planOutputBudget } from "./output-budget";
import { planRecovery } from "./recovery-plan";
import { openRequestPrompt, responseKeyFor, type OpenedPrompt } from "./request-prompt";
import { createResponseWriter, NO_LANDED_RESPONSE, type LandedResponse, type WrittenResponse } from "./response-writer";
import { serveLockedRequest, settleAnswered, type ServeContext, type ServeOutcome } from "./serve-request";
import { findServedModel } from "./served-models";
import { billableTokens, countAnswerTokens, countPromptTokens } from "./token-count";

/** What recovery needs beyond the shared context. */
export type RecoverRequestInput = Readonly<{
  request: RequestAccount;
  serverAddress: Address;
  slot: bigint;
  /** No append before this slot (the end of the recovery quiet period). */
  writableFromSlot: bigint;
  backendFor: (model: ServedModelConfig) => InferenceBackend;
  tokensPerSecond: (model: ServedModelConfig) => number;
  queuedTokens: (model: ServedModelConfig) => number;
}>;

/** A recovered request's outcome; `left-to-expire` when the node cannot or should not finish it. */
export type RecoveryOutcome = ServeOutcome | Readonly<{ status: "left-to-expire"; reason: string }>;

const decoder = new TextDecoder();

/** Resolves once the chain reaches `slot` (polling each slot); rejects when the node stops. */
async function waitForSlot(ctx: ServeContext, slot: bigint): Promise<void> {
  while ((await ctx.chain.getSlot()) < slot) {
    ctx.stopSignal.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, ctx.config.slotMs));
  }
  ctx.stopSignal.throwIfAborted();
}

/** The response as an earlier run left it, decrypted with this server's response key. */
async function readLanded(ctx: ServeContext, request: RequestAccount, opened: OpenedPrompt): Promise<LandedResponse> {
  if (!request.hasResponse) return NO_LANDED_RESPONSE;
  const [address] = await findResponsePda({ request: request.address });
  const response = await fetchResponseAccount(ctx.chain, address);
  if (!response) return NO_LANDED_RESPONSE;
  const responseKey = responseKeyFor({ request, dataKey: opened.dataKey, keyring: ctx.keyring() });
  const { plaintext } = decryptResponseStream({
    responseKey,
    requestAddress: request.address,
    stream: response.stream,
    expectFinal: response.isFinal,
  });
  return { chunkCount: response.chunkCount, streamBytes: response.streamLen, plaintext, isFinal: response.isFinal };
}

/**
 * Finishes, after a restart, a request this server had locked: reads what is on-chain (its own chunks, which
 * it can decrypt), decides with {@link planRecovery}, then settles a final answer, closes a partial one,
 * regenerates and continues after the landed chunks (chunk index idempotency makes a duplicate append fail
 * harmlessly and resynchronize), or leaves the request to expire, saying so in the log.
 *
 * @example
 * const outcome = await recoverLockedRequest(ctx, { request, serverAddress, slot, backendFor, tokensPerSecond, queuedTokens });
 */
export async function recoverLockedRequest(ctx: ServeContext, input: RecoverRequestInput): Promise<RecoveryOutcome> {
  const { request } = input;
  const leave = (reason: string): RecoveryOutcome => {
    ctx.emit({ type: "left-to-expire", request: request.address, reason });
    return { status: "left-to-expire", reason };
  };
  const model = findServedModel(ctx.config, request.model, request.revision);
  if (!model) return leave(`the node no longer serves ${request.model}`);
  let opened: OpenedPrompt;
  let landed: LandedResponse;
  try {
    opened = openRequestPrompt({ request, server: input.serverAddress, keyring: ctx.keyring() });
    landed = await readLanded(ctx, request, opened);
  } catch (error) {
    return leave(`cannot read the request or its answer with this keyring: ${describeError(error)}`);
  }
  const useful = Math.min(ctx.config.minOutputTokens, opened.payload.maxTokens);
  const waitSlots = landed.isFinal ? 0 : Math.max(0, Number(input.writableFromSlot - input.slot));
  const plan = planRecovery({
    slot: input.slot,
    deadlineSlot: request.deadlineSlot,
    chunksLanded: landed.chunkCount,
    isFinal: landed.isFinal,
    waitSlots,
    marginSlots: ctx.config.deadlineMarginSlots,
    slotMs: ctx.config.slotMs,
    tokensPerSecond: input.tokensPerSecond(model),
    usefulTokens: useful,
  });
  ctx.emit({ type: "recovering", request: request.address, action: plan.action, chunksLanded: landed.chunkCount, detail: plan.detail });
  const backend = input.backendFor(model);
  const streamByteCap = Math.min(request.maxResponseBytes, ctx.config.maxResponseBytes);
  const startedMs = Date.now();

  if (plan.action !== "expire" && waitSlots > 0) {
    try {
      await waitForSlot(ctx, input.writableFromSlot);
    } catch {
      return { status: "stopped" };
    }
  }
  switch (plan.action) {
    case "expire":
      return leave(plan.detail);
    case "resume": {
      const budget = planOutputBudget({
        stake: request.stake,
        promptBytes: request.promptLen,
        priceIn: request.lockedPriceIn,
        priceOut: request.lockedPriceOut,
        requestedTokens: opened.payload.maxTokens,
        maxOutputTokens: ctx.config.maxOutputTokens,
        contextTokensLeft: model.maxContext,
        streamByteCap,
        slotsLeft: request.deadlineSlot - (input.slot > input.writableFromSlot ? input.slot : input.writableFromSlot),
        marginSlots: ctx.config.deadlineMarginSlots,
        slotMs: ctx.config.slotMs,
        tokensPerSecond: input.tokensPerSecond(model),
        queuedTokens: input.queuedTokens(model),
        maxChunkPlaintext: ctx.chunkRoom.alone,
        flushIntervalMs: ctx.config.flush.intervalMs,
      });
      return serveLockedRequest(ctx, {
        request,
        opened,
        backend,
        landed,
        outputTokenCap: Math.max(1, budget.outputTokenCap),
        reserveBytes: budget.reserveBytes,
        streamByteCap,
        lockedAt: null,
      });
    }
    case "complete":
    case "finalize": {
      const countsFor = async (answer: Uint8Array) =>
        billableTokens({
          promptTokens: await countPromptTokens(backend, opened.payload.messages),
          completionTokens: await countAnswerTokens(backend, decoder.decode(answer), Math.ceil(answer.length / 4)),
          promptBytes: request.promptLen,
          plaintextBytes: answer.length,
        });
      try {
        let plaintext = landed.plaintext;
        let settled: WrittenResponse["settled"] = null;
        if (!landed.isFinal) {
          const writer = createResponseWriter({
            chain: ctx.chain,
            operator: ctx.operator,
            request: request.address,
            responseKey: responseKeyFor({ request, dataKey: opened.dataKey, keyring: ctx.keyring() }),
            landed,
            chunkRoom: ctx.chunkRoom,
            ...(ctx.closesAlong ? { closesAlong: ctx.closesAlong } : {}),
            streamByteCap,
            reserveBytes: 0,
            flush: ctx.config.flush,
            retries: ctx.config.sendRetries,
            retryDelayMs: ctx.config.slotMs,
            stopSignal: ctx.stopSignal,
            onAppended: ({ index, plaintextBytes, isFinal, sent }) => {
              ctx.emit({
                type: "chunk-appended",
                request: request.address,
                index,
                plaintextBytes,
                isFinal,
                slot: sent.slot,
                fee: sent.fee,
              });
            },
          });
          ({ plaintext, settled } = await writer.finish({ request, counts: countsFor }));
        }
        return await settleAnswered(ctx, {
          request,
          tokens: settled?.counts ?? (await countsFor(plaintext)),
          settledWithFinalChunk: settled !== null,
          settledSlot: settled?.sent?.slot ?? null,
          plaintext,
          finishReason: "recovered",
          startedMs,
          firstChunk: null,
          tokensPerSecond: null,
        });
      } catch (error) {
        if (ctx.stopSignal.aborted) return { status: "stopped" };
        return { status: "abandoned", reason: `settling the recovered answer failed: ${describeError(error)}` };
      }
    }
  }
}
