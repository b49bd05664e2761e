import type { Address } from "@solana/kit";
import { tokenCost, type PromptPayload } from "@chainference/client";
import { encryptSessionFrame, sessionAnswerCost, type SessionEvent, type SessionFinishReason } from "@chainference/client/sessions";

import type { InferenceBackend } from "../backends/inference-backend";
import type { SessionServeConfig } from "../config/node-config";
import { describeError } from "../provider/describe-error";
import { generationSeed } from "../provider/generation-seed";
import { billableTokens, countAnswerTokens, countPromptTokens } from "../provider/token-count";
import type { SessionEntry } from "./session-book";
import type { SessionView } from "./session-ledger";

/** How one answer ended, for the node's log and metrics. */
export type AnswerOutcome = Readonly<{
  finishReason: SessionFinishReason | "payment-timeout" | "failed" | "disconnected";
  tokensIn: number;
  tokensOut: number;
  /** What this answer's final bill asked (0 when it ended before one). */
  lamports: bigint;
  chunks: number;
  /** Ask received → first chunk written (ms), null without a chunk. */
  firstChunkMs: number | null;
  durationMs: number;
  text: string;
}>;

/** One answer to stream. */
export type AnswerInput = Readonly<{
  session: Address;
  answer: number;
  entry: SessionEntry;
  view: SessionView;
  payload: PromptPayload;
  /** Bytes of the prompt plaintext (the bound of `tokens_in`). */
  promptBytes: number;
  frameKey: Uint8Array;
  backend: InferenceBackend;
  sessions: SessionServeConfig;
  maxOutputTokens: number;
  defaultTemperature: number;
  /** Writes one event; false once the client is gone. */
  send: (event: SessionEvent) => boolean;
  /** Fires when the client disconnects or the node stops. */
  signal: AbortSignal;
  startedMs: number;
}>;

/**
 * Resolves true once `entry.paid.lamports ≥ lamports`, false after `timeoutMs` or when `signal` fires.
 *
 * @example
 * if (!(await waitForPayment(entry, need, 30_000, signal))) fail("payment_timeout");
 */
export function waitForPayment(entry: SessionEntry, lamports: bigint, timeoutMs: number, signal: AbortSignal): Promise<boolean> {
  if (entry.paid.lamports >= lamports) return Promise.resolve(true);
  return new Promise((resolve) => {
    const finish = (paid: boolean) => {
      clearTimeout(timer);
      entry.waiters.delete(check);
      signal.removeEventListener("abort", onAbort);
      resolve(paid);
    };
    const check = () => {
      if (entry.paid.lamports >= lamports) finish(true);
    };
    const onAbort = () => finish(false);
    const timer = setTimeout(() => finish(false), timeoutMs);
    entry.waiters.add(check);
    signal.addEventListener("abort", onAbort, { once: true });
  });
}

/**
 * Streams one answer: runs the model through the backend (greedy unless the prompt sets a temperature), encrypts
 * every text piece as a chunk, bills after a chunk once `billStepLamports` are unbilled, pauses (a `paused` event)
 * while the next chunk would put unpaid work above the credit window, and ends with an empty final chunk, the
 * final bill (backend token counts bounded by the prompt bytes and the answer bytes) and `done`.
 *
 * Unpaid work never exceeds the credit window: before each chunk the node checks
 * `arrears + base + promptReserve + cost(tokens so far) − paid ≤ window`, and the final bill is capped at
 * `paid + window − arrears`.
 *
 * @example
 * const outcome = await streamAnswer({ session, answer, entry, view, payload, promptBytes, frameKey, backend, … });
 */
export async function streamAnswer(input: AnswerInput): Promise<AnswerOutcome> {
  const { entry, view, sessions, send, session, answer } = input;
  const window = sessions.creditWindowLamports;
  const base = entry.paid;
  entry.billed = base;
  const reserve = tokenCost(BigInt(input.promptBytes), view.priceIn);
  const encoder = new TextEncoder();
  const generation = new AbortController();
  const onAbort = () => generation.abort(input.signal.reason);
  input.signal.addEventListener("abort", onAbort, { once: true });

  let chunk = 0;
  let pieces = 0;
  let bytes = 0;
  let text = "";
  let billedOut = 0;
  let firstChunkMs: number | null = null;
  let cut: "cut" | "payment-timeout" | "disconnected" | null = null;
  const ended = (finishReason: AnswerOutcome["finishReason"], tokensIn = 0, tokensOut = 0, lamports = 0n): AnswerOutcome => ({
    finishReason,
    tokensIn,
    tokensOut,
    lamports,
    chunks: chunk,
    firstChunkMs,
    durationMs: Date.now() - input.startedMs,
    text,
  });
  const bill = (tokensIn: number, tokensOut: number, cap: bigint | null): bigint => {
    const uncapped = base.lamports + sessionAnswerCost({ tokensIn, tokensOut, priceIn: view.priceIn, priceOut: view.priceOut });
    const lamports = cap !== null && uncapped > cap ? (cap > entry.billed.lamports ? cap : entry.billed.lamports) : uncapped;
    entry.billed = { lamports, tokens: base.tokens + BigInt(tokensIn + tokensOut), answers: base.answers + 1 };
    billedOut = tokensOut;
    send({ type: "bill", ...entry.billed, tokensIn, tokensOut });
    return lamports;
  };
  const unpaidAfter = (tokensOut: number) =>
    entry.arrears + base.lamports + reserve + tokenCost(BigInt(tokensOut), view.priceOut) - entry.paid.lamports;

  let result: Awaited<ReturnType<InferenceBackend["streamChat"]>["result"]> | null = null;
  try {
    const stream = input.backend.streamChat({
      messages: input.payload.messages,
      maxTokens: Math.max(1, Math.min(input.payload.maxTokens, input.maxOutputTokens)),
      temperature: input.payload.temperature ?? input.defaultTemperature,
      seed: (generationSeed(session) ^ answer) >>> 0,
      signal: generation.signal,
    });
    for await (const { text: piece } of stream) {
      const pieceBytes = encoder.encode(piece);
      const tokensOut = Math.min(pieces + 1, bytes + pieceBytes.length);
      if (base.lamports + reserve + tokenCost(BigInt(tokensOut), view.priceOut) > view.deposit) {
        cut = "cut";
        break;
      }
      if (unpaidAfter(tokensOut) > window) {
        if (billedOut < Math.min(pieces, bytes)) bill(0, Math.min(pieces, bytes), null);
        send({ type: "paused", unpaidLamports: unpaidAfter(tokensOut), creditWindowLamports: window });
        const need = entry.arrears + base.lamports + reserve + tokenCost(BigInt(tokensOut), view.priceOut) - window;
        if (!(await waitForPayment(entry, need, sessions.paymentTimeoutMs, input.signal))) {
          cut = input.signal.aborted ? "disconnected" : "payment-timeout";
          break;
        }
      }
      const frame = encryptSessionFrame({
        frameKey: input.frameKey,
        session,
        answer,
        direction: "answer",
        chunk,
        isFinal: false,
        plaintext: pieceBytes,
      });
      if (!send({ type: "chunk", chunk, final: false, frame, tokens: tokensOut })) {
        cut = "disconnected";
        break;
      }
      firstChunkMs ??= Date.now() - input.startedMs;
      chunk += 1;
      pieces += 1;
      bytes += pieceBytes.length;
      text += piece;
      const unbilled = tokenCost(BigInt(tokensOut), view.priceOut) - tokenCost(BigInt(billedOut), view.priceOut);
      if (unbilled > 0n && unbilled >= sessions.billStepLamports) bill(0, tokensOut, null);
    }
    if (cut === null) result = await stream.result;
    else generation.abort(new Error(`answer ended: ${cut}`));
  } catch (error) {
    input.signal.removeEventListener("abort", onAbort);
    if (input.signal.aborted) return ended("disconnected");
    send({ type: "error", code: "backend_failed", message: `the model failed: ${describeError(error)}` });
    return ended("failed");
  }
  input.signal.removeEventListener("abort", onAbort);
  if (cut === "disconnected") return ended("disconnected");
  if (cut === "payment-timeout") {
    send({
      type: "error",
      code: "payment_timeout",
      message: `no voucher within ${sessions.paymentTimeoutMs} ms while unpaid work reached the credit window ${window}`,
    });
    return ended("payment-timeout");
  }

  const promptTokens = result?.usage.promptTokens ?? (await countPromptTokens(input.backend, input.payload.messages));
  const completionTokens = result && cut === null ? result.usage.completionTokens : await countAnswerTokens(input.backend, text, pieces);
  const counted = billableTokens({ promptTokens, completionTokens, promptBytes: input.promptBytes, plaintextBytes: bytes });
  const tokensOut = Math.max(counted.tokensOut, billedOut);
  const finalFrame = encryptSessionFrame({
    frameKey: input.frameKey,
    session,
    answer,
    direction: "answer",
    chunk,
    isFinal: true,
    plaintext: new Uint8Array(0),
  });
  if (!send({ type: "chunk", chunk, final: true, frame: finalFrame, tokens: tokensOut })) return ended("disconnected");
  chunk += 1;
  const cap = entry.paid.lamports + window - entry.arrears;
  const lamports = bill(counted.tokensIn, tokensOut, cap) - base.lamports;
  const finishReason: SessionFinishReason = cut ?? result?.finishReason ?? "stop";
  send({ type: "done", finishReason, tokensIn: counted.tokensIn, tokensOut, lamports });
  return ended(finishReason, counted.tokensIn, tokensOut, lamports);
}
