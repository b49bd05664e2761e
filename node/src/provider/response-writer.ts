import type { Address, ReadonlyUint8Array, TransactionSigner } from "@solana/kit";
import {
  appendResponseChunk,
  CHAINFERENCE_ERROR__CHUNK_INDEX_MISMATCH,
  CHAINFERENCE_ERROR__REQUEST_NOT_OPEN,
  decryptResponseStream,
  encryptResponseChunk,
  fetchResponseAccount,
  findResponsePda,
  isTransactionFailed,
  measureTransactionSize,
  responseChunkInstructions,
  TRANSACTION_SIZE_LIMIT,
  type Chain,
  type ResponseChunkInput,
  type SentTransaction,
  type SettledRequest,
  type SettlementCounts,
} from "@chainference/client";

import type { FlushPolicy } from "../config/node-config";
import { chunkTransaction, getChunkFrameSize, type ChunkRoom } from "./chunk-size";
import type { ClosesAlong, TakenClose } from "./close-sweep";
import { decideFlush } from "./flush-policy";
import { sendWithRetry } from "./send-retry";

/** What is already on-chain for a request (nothing for a fresh lock). */
export type LandedResponse = Readonly<{ chunkCount: number; streamBytes: number; plaintext: Uint8Array; isFinal: boolean }>;

/** A response with nothing on-chain yet. */
export const NO_LANDED_RESPONSE: LandedResponse = Object.freeze({
  chunkCount: 0,
  streamBytes: 0,
  plaintext: new Uint8Array(),
  isFinal: false,
});

export type ResponseWriterOptions = Readonly<{
  chain: Chain;
  operator: TransactionSigner;
  request: Address;
  responseKey: Uint8Array;
  landed: LandedResponse;
  /** Largest chunk plaintext of each transaction shape. */
  chunkRoom: ChunkRoom;
  /**
   * The request is still Open: the first chunk's transaction locks it (`lock_request` before the append), so
   * the lock costs no transaction of its own and the first visible chunk lands with it.
   */
  lockWithFirstChunk?: Readonly<{ x25519Key: ReadonlyUint8Array }>;
  /**
   * The transaction carrying the lock failed with a program error that is not this writer's own earlier
   * landing: return true to send it once more (e.g. after topping up a slashed bond), false to give up.
   */
  onLockRefused?: (error: unknown) => Promise<boolean>;
  /**
   * Earlier responses past the grace period to close in the spare room of the settlement's transaction (never at
   * the cost of answer bytes: only what fits after the final chunk).
   */
  closesAlong?: ClosesAlong;
  /** Stream bytes (frames included) the response may reach. */
  streamByteCap: number;
  /** `reserve_bytes` of the first append (pre-funded stream size). */
  reserveBytes: number;
  flush: FlushPolicy;
  retries: number;
  retryDelayMs: number;
  /** Aborted when the node stops: nothing more is sent. */
  stopSignal: AbortSignal;
  onAppended?: (chunk: {
    index: number;
    plaintextBytes: number;
    isFinal: boolean;
    /** The transaction also locked the request (the first chunk of a fresh lock). */
    locked: boolean;
    /** The transaction also settled the request (the final chunk). */
    settled: boolean;
    sent: SentTransaction;
  }) => void;
  onRetry?: (attempt: number, error: unknown) => void;
  /** A background write failed for good: generation should stop. */
  onFailure?: (error: unknown) => void;
}>;

/** How `finish` settles the request in the final chunk's transaction. */
export type SettleWithFinalChunk = Readonly<{
  request: SettledRequest;
  /** The counts to settle the complete answer with (called once, when the answer is known). */
  counts: (answer: Uint8Array) => Promise<SettlementCounts>;
}>;

/** The answer as written, and its settlement when the final chunk's transaction carried it. */
export type WrittenResponse = Readonly<{
  plaintext: Uint8Array;
  chunkCount: number;
  streamBytes: number;
  /**
   * Null when the request still needs `complete_request`; `counts` null when the settlement was found on-chain
   * (a resend after its confirmation was lost) rather than sent by this call.
   */
  settled: Readonly<{ counts: SettlementCounts | null; sent: SentTransaction | null }> | null;
  /** Whether this writer's transactions locked the request (with `lockWithFirstChunk`, false until the first chunk lands). */
  locked: boolean;
}>;

/** Writes generated text to the response account as encrypted chunks, by time and size. */
export type ResponseWriter = Readonly<{
  /** Adds generated text (in order). Text past the stream cap is dropped and `saturated` becomes true. */
  push(text: string): void;
  /** No more text fits in the response: stop generating. */
  saturated(): boolean;
  /** The regenerated text differs from what an earlier run put on-chain: stop generating. */
  diverged(): boolean;
  /** Bytes of generated text accepted for the answer so far. */
  acceptedBytes(): number;
  /**
   * Writes what is left and the final chunk (an empty final chunk when nothing is left); with `settle`, the
   * final chunk's transaction also settles the request.
   */
  finish(settle?: SettleWithFinalChunk): Promise<WrittenResponse>;
  /** The lock landed (always true without `lockWithFirstChunk`). */
  locked(): boolean;
  /** Stops the interval timer (after a failure or a stop). */
  dispose(): void;
}>;

const encoder = new TextEncoder();

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
}

const equalPrefix = (a: Uint8Array, b: Uint8Array, length: number): boolean => {
  for (let i = 0; i < length; i++) if (a[i] !== b[i]) return false;
  return true;
};

/** Moves `cut` back to the start of a UTF-8 character, but not below `floor`. */
function charStart(bytes: Uint8Array, cut: number, floor: number): number {
  let at = cut;
  while (at > floor && at < bytes.length && ((bytes[at] ?? 0) & 0xc0) === 0x80) at--;
  return at;
}

/** A chunk's end: at a character boundary when one exists after `start`, else `cut` (progress first). */
function chunkEnd(bytes: Uint8Array, cut: number, start: number): number {
  const at = charStart(bytes, cut, start);
  return at > start ? at : cut;
}

/** Stream bytes needed to write `bytes` of plaintext as chunks of at most `max`, the last one final (an estimate when chunk rooms differ: the final chunk's is smaller). */
const framedSize = (bytes: number, max: number): number => {
  const full = Math.max(0, Math.ceil(bytes / max) - 1);
  return full * getChunkFrameSize(max) + getChunkFrameSize(bytes - full * max);
};

/** `close_response` adds its response's address and an 8-byte instruction: at least this many bytes each. */
const MIN_CLOSE_BYTES = 40;

/**
 * Takes as many due responses as fit in the settlement transaction's room after the final chunk, measured on the
 * exact instructions; what does not fit goes back. `firstClose` is the index the first close takes in the
 * transaction (the chunk's own instructions come before).
 */
async function takeClosesThatFit(
  along: ClosesAlong,
  operator: TransactionSigner,
  chunk: ResponseChunkInput,
): Promise<{ closes: TakenClose[]; firstClose: number }> {
  const instructions = (closes: readonly TakenClose[]) =>
    responseChunkInstructions(operator, { ...chunk, closeResponses: closes.map((c) => c.address) });
  const alone = await instructions([]);
  const spare = TRANSACTION_SIZE_LIMIT - measureTransactionSize(alone, operator);
  const taken = await along.take(Math.floor(spare / MIN_CLOSE_BYTES));
  const fits = [...taken];
  while (fits.length > 0 && measureTransactionSize(await instructions(fits), operator) > TRANSACTION_SIZE_LIMIT) fits.pop();
  along.release(taken.slice(fits.length), "retry");
  return { closes: fits, firstClose: alone.length };
}

/**
 * Creates the writer of one request's answer. Chunks go out one at a time in index order: the first as soon
 * as there is text, then whenever a full chunk is buffered or `flush.intervalMs` has passed. Retries of a
 * transient failure resend the identical ciphertext (each encryption draws a fresh random nonce, so even a
 * regenerated chunk after a crash never reuses a (key, nonce); resending the same bytes keeps retries idempotent). A `ChunkIndexMismatch` means the chain is ahead of the writer
 * (a resend after a lost confirmation, or another run of this node): the writer re-reads and decrypts the
 * stream, checks it is a prefix of the generated text, and continues from the next index.
 *
 * On recovery `landed` holds what an earlier run wrote; regenerated text (deterministic: temperature 0 or a
 * seed derived from the request) must reproduce it, else `diverged()` turns true.
 *
 * @example
 * const writer = createResponseWriter({ chain, operator, request, responseKey, landed: NO_LANDED_RESPONSE, ... });
 * for await (const { text } of stream) writer.push(text);
 * const { plaintext } = await writer.finish();
 */
export function createResponseWriter(options: ResponseWriterOptions): ResponseWriter {
  const { chunkRoom, streamByteCap: cap } = options;
  const maxChunk = chunkRoom.alone;
  let onChain = options.landed.plaintext;
  let chunkCount = options.landed.chunkCount;
  let streamBytes = options.landed.streamBytes;
  let final = options.landed.isFinal;
  let generated: Uint8Array = new Uint8Array();
  let accepted = 0;
  let isSaturated = final;
  let isDiverged = false;
  let lastFlushAt = 0;
  let writing: Promise<void> | null = null;
  let failure: { error: unknown } | null = null;
  let finishing = false;
  /** Set when a partial write would leave too little room for the rest: the rest waits for `finish`. */
  let holdForFinish = false;
  let timer: NodeJS.Timeout | null = null;
  let piecesGenerated = 0;
  let lockPending = options.lockWithFirstChunk !== undefined && options.landed.chunkCount === 0;
  let settledOnChain = false;
  /** Room for the next chunk's plaintext in a transaction that does (not) also settle. */
  const roomFor = (complete: boolean): number => chunkRoom[chunkTransaction(lockPending, complete)];

  const pending = (): number => Math.max(0, accepted - onChain.length);

  const checkPrefix = (): void => {
    const common = Math.min(onChain.length, accepted);
    if (!equalPrefix(onChain, generated, common)) isDiverged = true;
  };

  const append = async (
    plaintext: Uint8Array,
    isFinal: boolean,
    complete?: Readonly<{ request: SettledRequest; counts: SettlementCounts }>,
  ): Promise<SentTransaction | null> => {
    options.stopSignal.throwIfAborted();
    const index = chunkCount;
    const lock = lockPending;
    const ciphertext = encryptResponseChunk({
      responseKey: options.responseKey,
      requestAddress: options.request,
      index,
      isFinal,
      plaintext,
    });
    const input = {
      request: options.request,
      chunkIndex: index,
      isFinal,
      ciphertext,
      reserveBytes: index === 0 ? Math.max(options.reserveBytes, ciphertext.length + 2) : 0,
      ...(lock && options.lockWithFirstChunk ? { lock: options.lockWithFirstChunk } : {}),
      ...(complete ? { complete: { request: complete.request, ...complete.counts } } : {}),
    };
    const send = (closes: readonly TakenClose[] = []) =>
      sendWithRetry(
        () => appendResponseChunk(options.chain, options.operator, { ...input, closeResponses: closes.map((c) => c.address) }),
        {
          retries: options.retries,
          delayMs: options.retryDelayMs,
          signal: options.stopSignal,
          ...(options.onRetry ? { onRetry: options.onRetry } : {}),
        },
      );
    /** The settlement with closes along when some fit; a failing close never costs the settlement (resent without). */
    const sendSettlement = async (): Promise<SentTransaction> => {
      const along = options.closesAlong;
      if (!along) return send();
      const { closes, firstClose } = await takeClosesThatFit(along, options.operator, input);
      if (closes.length === 0) return send();
      try {
        const sent = await send(closes);
        along.release(closes, "closed", options.request);
        return sent;
      } catch (error) {
        const closeFailed = isTransactionFailed(error) && (error.failure.instructionIndex ?? -1) >= firstClose;
        along.release(closes, closeFailed ? "drop" : "retry");
        if (!closeFailed) throw error;
        return send();
      }
    };
    try {
      let sent: SentTransaction;
      try {
        sent = complete ? await sendSettlement() : await send();
      } catch (error) {
        if (!lock || !isTransactionFailed(error) || isTransactionFailed(error, CHAINFERENCE_ERROR__REQUEST_NOT_OPEN)) throw error;
        if (!(await options.onLockRefused?.(error))) throw error;
        sent = await send();
      }
      onChain = concat(onChain, plaintext);
      chunkCount = index + 1;
      streamBytes += ciphertext.length + 2;
      final = isFinal;
      lockPending = false;
      if (complete) settledOnChain = true;
      lastFlushAt = Date.now();
      options.onAppended?.({ index, plaintextBytes: plaintext.length, isFinal, locked: lock, settled: complete !== undefined, sent });
      return sent;
    } catch (error) {
      // Perhaps a resend of a transaction that landed after all: the append's ChunkIndexMismatch, the lock's
      // RequestNotOpen, or, once a settlement closed the request, any program error of its append (the request
      // account is gone). The resync adopts the chain's state only when it extends this writer's text.
      const landedEarlier =
        isTransactionFailed(error, CHAINFERENCE_ERROR__CHUNK_INDEX_MISMATCH) ||
        (lock && isTransactionFailed(error, CHAINFERENCE_ERROR__REQUEST_NOT_OPEN)) ||
        (complete !== undefined && isTransactionFailed(error) && error.failure.customCode !== null);
      if (!landedEarlier) throw error;
      await resync(error);
      return null;
    }
  };

  /** The chain holds more than this writer knows: adopt it when it is a prefix of (or extends) the text. */
  const resync = async (cause: unknown): Promise<void> => {
    const [responseAddress] = await findResponsePda({ request: options.request });
    const response = await fetchResponseAccount(options.chain, responseAddress);
    if (!response) throw cause;
    let plaintext: Uint8Array;
    try {
      ({ plaintext } = decryptResponseStream({
        responseKey: options.responseKey,
        requestAddress: options.request,
        stream: response.stream,
        expectFinal: false,
      }));
    } catch {
      throw cause; // another server's response (it won the lock): not this writer's
    }
    const ahead = response.chunkCount > chunkCount && plaintext.length >= onChain.length;
    if (!ahead || !equalPrefix(plaintext, onChain, onChain.length)) throw cause;
    onChain = plaintext;
    chunkCount = response.chunkCount;
    streamBytes = response.streamLen;
    final = response.isFinal;
    lockPending = false;
    settledOnChain = response.completed;
    if (final) isSaturated = true;
    checkPrefix();
  };

  /** One non-final chunk, if the stream cap still leaves room for the rest afterwards. */
  const flushOnce = async (): Promise<void> => {
    const start = onChain.length;
    if (accepted <= start) return;
    const end = chunkEnd(generated, Math.min(accepted, start + roomFor(false)), start);
    const after = streamBytes + getChunkFrameSize(end - start);
    if (after + framedSize(accepted - end, maxChunk) > cap) {
      holdForFinish = true; // writing part now would leave too little room for the rest and the final frame
      return;
    }
    await append(generated.slice(start, end), false);
  };

  const schedule = (): void => {
    if (writing || failure || finishing || holdForFinish || final || isDiverged || options.stopSignal.aborted) return;
    const decision = decideFlush(
      { bufferedBytes: pending(), chunksLanded: chunkCount, piecesGenerated, lastFlushAt },
      Date.now(),
      options.flush,
      roomFor(false),
    );
    if (decision.flush) {
      writing = flushOnce().then(
        () => {
          writing = null;
          schedule();
        },
        (error: unknown) => {
          writing = null;
          failure = { error };
          options.onFailure?.(error);
        },
      );
    } else if (decision.waitMs !== null && timer === null) {
      timer = setTimeout(() => {
        timer = null;
        schedule();
      }, decision.waitMs);
    }
  };

  const push = (text: string): void => {
    if (isSaturated || isDiverged || text.length === 0) return;
    piecesGenerated += 1;
    const bytes = encoder.encode(text);
    generated = concat(generated, bytes);
    const fits = (n: number) => streamBytesIfWritten(n) <= cap;
    let next = generated.length;
    if (!fits(next)) {
      // Take as much as fits (binary search over the new bytes), cut at a character boundary.
      let lo = accepted;
      let hi = next;
      while (lo < hi) {
        const mid = Math.ceil((lo + hi) / 2);
        if (fits(mid)) lo = mid;
        else hi = mid - 1;
      }
      next = charStart(generated, lo, accepted);
      isSaturated = true;
    }
    accepted = Math.max(accepted, next);
    checkPrefix();
    schedule();
  };

  /** Stream size once everything up to `acceptedTotal` is written, the remainder as final chunk(s). */
  const streamBytesIfWritten = (acceptedTotal: number): number =>
    streamBytes + framedSize(Math.max(0, acceptedTotal - onChain.length), maxChunk);

  const finish = async (settle?: SettleWithFinalChunk): Promise<WrittenResponse> => {
    finishing = true;
    if (timer) clearTimeout(timer);
    timer = null;
    if (writing) await writing;
    if (failure) throw failure.error;
    if (isDiverged) accepted = onChain.length; // keep only what landed: never append text that does not follow it
    let settled: WrittenResponse["settled"] = null;
    while (!final) {
      const start = onChain.length;
      const rest = Math.max(0, accepted - start);
      if (rest > roomFor(settle !== undefined)) {
        const end = chunkEnd(generated, start + Math.min(rest, roomFor(false)), start);
        await append(generated.slice(start, end), false);
      } else if (settle) {
        const last = generated.slice(start, start + rest);
        const counts = await settle.counts(concat(onChain, last));
        const sent = await append(last, true, { request: settle.request, counts });
        if (sent) settled = { counts, sent };
      } else {
        await append(generated.slice(start, start + rest), true);
      }
    }
    if (settled === null && settle && settledOnChain) settled = { counts: null, sent: null };
    return { plaintext: onChain, chunkCount, streamBytes, settled, locked: !lockPending };
  };

  return {
    push,
    saturated: () => isSaturated,
    diverged: () => isDiverged,
    acceptedBytes: () => accepted,
    finish,
    locked: () => !lockPending,
    dispose() {
      finishing = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
