import type { Address } from "@solana/kit";
import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  checkEligibility,
  checkResponseAddress,
  describeIneligibility,
  type ChainAccount,
  type RequestAccount,
  type Server,
  type ServerKeyring,
} from "@chainference/client";

import type { InferenceBackend } from "../backends/inference-backend";
import type { NodeConfig, ServedModelConfig } from "../config/node-config";
import type { SkipReason } from "./node-events";
import { planOutputBudget, type OutputBudget } from "./output-budget";
import { openRequestPrompt, type OpenedPrompt } from "./request-prompt";
import { findServedModel } from "./served-models";

/** Everything the node knows when it looks at an open request. */
export type ScreenInput = Readonly<{
  request: RequestAccount;
  slot: bigint;
  serverAddress: Address;
  /** This server's account as on-chain now (reputation, active flag, published models). */
  server: Server;
  config: NodeConfig;
  keyring: ServerKeyring;
  backendFor: (model: ServedModelConfig) => InferenceBackend;
  /** Requests locked and not yet settled. */
  activeCount: number;
  /** Answer tokens already queued on `model`'s backend. */
  queuedTokens: (model: ServedModelConfig) => number;
  tokensPerSecond: (model: ServedModelConfig) => number;
  maxChunkPlaintext: number;
  /** The prompt, when an earlier look already opened it. */
  opened?: OpenedPrompt;
  /** Reads one account (the request's response address, which must be free before the node locks). */
  getAccount: (address: Address) => Promise<ChainAccount | null>;
}>;

/** Take it (with what was worked out), or why not. */
export type ScreenDecision =
  | Readonly<{ take: true; model: ServedModelConfig; opened: OpenedPrompt; budget: OutputBudget; streamByteCap: number }>
  | Readonly<{ take: false; reason: SkipReason; detail: string; opened?: OpenedPrompt }>;

/** The protocol default response timeout, for a request that stored 0. */
const DEFAULT_RESPONSE_TIMEOUT_SLOTS = 750n;
/** Template tokens per message not counted by a plain tokenizer count (role markers, separators). */
const TEMPLATE_TOKENS_PER_MESSAGE = 8;

const skip = (reason: SkipReason, detail: string, opened?: OpenedPrompt): ScreenDecision => ({
  take: false,
  reason,
  detail,
  ...(opened ? { opened } : {}),
});

async function estimatePromptTokens(backend: InferenceBackend, opened: OpenedPrompt): Promise<number> {
  const text = opened.payload.messages.map((m) => m.content).join("\n");
  const base = backend.countTokens ? await backend.countTokens(text) : Math.ceil(new TextEncoder().encode(text).length / 4);
  return base + TEMPLATE_TOKENS_PER_MESSAGE * opened.payload.messages.length;
}

/**
 * Decides whether the node takes an open request, checking locally what `lock_request` will check on-chain
 * (allow-list, active, model and revision, prices, reputation filters, prompt cost) and what only the node
 * knows: the request names the canonical response address (its `response_bump`) and nothing occupies it yet
 * (a reused nonce over a response never closed), so the first chunk can land where the client reads it; the
 * prompt opens with its keyring (checked before locking, so an unreadable prompt is never locked),
 * it fits the model's context and the node's size limits, the stake pays for a useful answer
 * (`minOutputTokens`, or fewer when the prompt asks for fewer), the node has a free slot (`concurrency`) and
 * can generate that answer before the deadline behind its queue. Requests a client made unanswerable are
 * never locked, so they cannot cost the server an expiry.
 *
 * @example
 * const decision = await screenRequest({ request, slot, serverAddress, server, config, keyring, ... });
 * if (!decision.take) console.log(decision.reason, decision.detail);
 */
export async function screenRequest(input: ScreenInput): Promise<ScreenDecision> {
  const { request, config } = input;
  if (!request.sealed) return skip("prompt-not-sealed", `${request.promptWritten} of ${request.promptLen} prompt bytes written so far`);
  if (input.slot > request.openUntilSlot)
    return skip("open-window-passed", `lockable until slot ${request.openUntilSlot}, now ${input.slot}`);
  const responseAddress = await checkResponseAddress(request);
  if (!responseAddress.canonicalNamed)
    return skip(
      "bad-response-address",
      `response_bump ${request.responseBump} gives ${responseAddress.named ?? "no program address"}, not the canonical response ${responseAddress.canonical} (bump ${responseAddress.canonicalBump})`,
    );
  if (request.promptLen > config.maxPromptBytes)
    return skip("prompt-too-large", `${request.promptLen} bytes, this node takes at most ${config.maxPromptBytes}`);

  const verdict = checkEligibility(
    {
      model: request.model,
      revision: request.revision,
      maxPriceIn: request.maxPriceIn,
      maxPriceOut: request.maxPriceOut,
      minCompleted: request.minCompleted,
      minSuccessBps: request.minSuccessBps,
      minAvgRating: request.minAvgRating,
      allowed: request.allowed.map((a) => a.server),
      promptBytes: request.promptLen,
      stake: request.stake,
    },
    input.serverAddress,
    input.server,
  );
  if (!verdict.eligible) {
    const first = verdict.reasons[0]!;
    return skip(first.reason, verdict.reasons.map(describeIneligibility).join("; "));
  }
  // lock_request takes only a wrap for the server's current key epoch (an older wrap waits for a re-post).
  const entry = request.allowed.find((a) => a.server === input.serverAddress);
  if (entry && entry.keyEpoch !== input.server.keyEpoch)
    return skip("key-epoch-mismatch", `wrapped for key epoch ${entry.keyEpoch}, the server's key is at epoch ${input.server.keyEpoch}`);
  const model = findServedModel(config, request.model, request.revision);
  if (!model)
    return skip("model-not-offered", `the node's config does not serve ${request.model}${request.revision ? `@${request.revision}` : ""}`);

  let opened = input.opened;
  if (!opened) {
    try {
      opened = openRequestPrompt({ request, server: input.serverAddress, keyring: input.keyring });
    } catch (error) {
      return skip("undecryptable-prompt", error instanceof Error ? error.message : String(error));
    }
  }
  const backend = input.backendFor(model);
  let promptTokens: number;
  try {
    promptTokens = await estimatePromptTokens(backend, opened);
  } catch (error) {
    return skip(
      "prompt-exceeds-context",
      `cannot count the prompt's tokens: ${error instanceof Error ? error.message : String(error)}`,
      opened,
    );
  }
  const useful = Math.min(config.minOutputTokens, opened.payload.maxTokens);
  const contextLeft = model.maxContext - promptTokens;
  if (contextLeft < useful)
    return skip(
      "prompt-exceeds-context",
      `about ${promptTokens} prompt tokens leave ${Math.max(0, contextLeft)} of ${model.maxContext} for the answer`,
      opened,
    );
  if (input.activeCount >= config.concurrency)
    return skip("at-capacity", `${input.activeCount} of ${config.concurrency} requests in progress`, opened);

  const streamByteCap = Math.min(request.maxResponseBytes, config.maxResponseBytes);
  const budget = planOutputBudget({
    stake: request.stake,
    promptBytes: request.promptLen,
    priceIn: model.priceIn,
    priceOut: model.priceOut,
    requestedTokens: opened.payload.maxTokens,
    maxOutputTokens: config.maxOutputTokens,
    contextTokensLeft: contextLeft,
    streamByteCap,
    slotsLeft: request.responseTimeout === 0n ? DEFAULT_RESPONSE_TIMEOUT_SLOTS : request.responseTimeout,
    marginSlots: config.deadlineMarginSlots,
    slotMs: config.slotMs,
    tokensPerSecond: input.tokensPerSecond(model),
    queuedTokens: input.queuedTokens(model),
    maxChunkPlaintext: input.maxChunkPlaintext,
    flushIntervalMs: config.flush.intervalMs,
  });
  if (budget.affordableTokens < useful)
    return skip(
      "stake-too-low-for-answer",
      `the stake pays for ${budget.affordableTokens} answer tokens after the prompt, fewer than ${useful}`,
      opened,
    );
  if (budget.timeTokens < useful)
    return skip(
      "deadline-too-short",
      `about ${budget.timeTokens} tokens can be generated before the deadline (behind ${input.queuedTokens(model)} queued), fewer than ${useful}`,
      opened,
    );
  // Last, as it costs a read: the program refuses to create the response over an initialized account
  // (lamports alone do not block it), so a stale response there would make the locked request expire.
  const occupant = await input.getAccount(responseAddress.canonical);
  if (occupant && (occupant.owner === CHAINFERENCE_PROGRAM_ADDRESS || occupant.data.length > 0))
    return skip(
      "stale-response",
      `an account already sits at the response address ${responseAddress.canonical} (a reused nonce whose earlier response was never closed)`,
      opened,
    );
  return { take: true, model, opened, budget, streamByteCap };
}
