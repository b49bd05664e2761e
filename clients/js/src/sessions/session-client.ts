/**
 * The client side of the off-chain session protocol over `fetch` (Node 20 and browsers): read a node's session
 * info, ask for an answer (prompt encrypted, ask signed by the session key), decrypt the streamed chunks, check
 * every bill against the session's prices and the bytes received, and post a voucher for each bill it accepts.
 */
import type { Address } from "@solana/kit";

import {
  CHAINFERENCE_ERROR__SESSION__NODE_ERROR,
  CHAINFERENCE_ERROR__SESSION__NODE_UNREACHABLE,
  CHAINFERENCE_ERROR__SESSION__PROTOCOL_VIOLATION,
  ChainferenceClientError,
} from "../errors";
import { encodePromptPayload, type PromptPayload } from "../crypto/prompt-payload";
import { signSessionAsk } from "./ask-message";
import { signSessionClose } from "./close-message";
import { checkSessionCharge, ZERO_SESSION_TOTALS, type SessionPrices, type SessionTotals } from "./charge";
import { SESSION_ROUTE_PREFIX } from "./constants";
import { decryptSessionFrame, deriveSessionFrameKey, encryptSessionFrame } from "./session-frame";
import { saveSessionHistoryEntry, type SessionHistoryStorage } from "./session-history";
import type { SessionKeys } from "./session-keys";
import { readServerSentEvents } from "./sse";
import { signVoucher, type SignedVoucher } from "./voucher-signature";
import {
  encodeSessionAskBody,
  encodeSessionCloseBody,
  encodeSessionVoucherBody,
  parseSessionCloseReceipt,
  parseSessionError,
  parseSessionEvent,
  parseSessionInfo,
  parseSessionNodeStatus,
  parseSessionVoucherReceipt,
  type SessionCloseReceipt,
  type SessionFinishReason,
  type SessionInfo,
  type SessionNodeStatus,
  type SessionVoucherReceipt,
} from "./wire";
import { decodeVoucher } from "./voucher";
import { verifyVoucherSignature } from "./voucher-signature";

/** The `fetch` to use (default `globalThis.fetch`). */
export type FetchLike = (input: string, init?: RequestInit) => Promise<Response>;

/** Where and how to talk to a session's node. */
export type SessionConnection = Readonly<{
  /** The node's registered endpoint, e.g. `https://node.example` (routes live under `/v1/sessions`). */
  endpoint: string;
  keys: SessionKeys;
  /** The server's X25519 key and epoch the session's prompts are encrypted for (from the Server account or the node's info). */
  serverKey: Uint8Array;
  keyEpoch: number;
  /** The prices snapshotted in the Session account. */
  prices: SessionPrices;
  fetch?: FetchLike;
}>;

/**
 * What the client has committed to on one session, updated in place as it signs: keep it (with the history) to
 * continue the session later.
 */
export type SessionProgress = {
  /** Totals of the latest voucher signed. */
  committed: SessionTotals;
  /** Index of the next answer to ask (never reused, even after a failed answer). */
  nextAnswer: number;
  /** The latest voucher signed, if any. */
  lastVoucher: SignedVoucher | null;
};

/** A decrypted piece of the answer, with what it costs so far. */
export type SessionDelta = Readonly<{
  text: string;
  /** Lamports signed for this answer so far. */
  answerLamports: bigint;
  /** Lamports signed on the whole session so far. */
  sessionLamports: bigint;
}>;

/** How an answer ended. */
export type SessionAnswerResult = Readonly<{
  session: Address;
  answer: number;
  text: string;
  finishReason: SessionFinishReason;
  tokensIn: number;
  tokensOut: number;
  /** Lamports signed for this answer. */
  lamports: bigint;
  /** The session's totals after it. */
  totals: SessionTotals;
  voucher: SignedVoucher | null;
}>;

/** An answer streaming in: iterate it for the text (once), await `result` for the totals. */
export type SessionAnswer = AsyncIterable<SessionDelta> & Readonly<{ result: Promise<SessionAnswerResult> }>;

/**
 * A fresh progress record for a new session.
 *
 * @example
 * ```ts
 * const progress = createSessionProgress();
 * ```
 */
export function createSessionProgress(): SessionProgress {
  return { committed: ZERO_SESSION_TOTALS, nextAnswer: 0, lastVoucher: null };
}

function routeUrl(endpoint: string, path: string): string {
  return `${endpoint.replace(/\/+$/, "")}${SESSION_ROUTE_PREFIX}${path}`;
}

async function send(fetchImpl: FetchLike, url: string, init?: RequestInit): Promise<Response> {
  let response: Response;
  try {
    response = await fetchImpl(url, init);
  } catch (cause) {
    throw new ChainferenceClientError(
      CHAINFERENCE_ERROR__SESSION__NODE_UNREACHABLE,
      { url, reason: cause instanceof Error ? cause.message : String(cause) },
      { cause },
    );
  }
  if (response.ok) return response;
  const refusal = parseSessionError(await response.json().catch(() => null));
  throw new ChainferenceClientError(CHAINFERENCE_ERROR__SESSION__NODE_ERROR, {
    url,
    status: response.status,
    code: refusal?.code ?? "internal",
    message: refusal?.message ?? response.statusText,
  });
}

const fetchOf = (f?: FetchLike): FetchLike => f ?? ((input, init) => globalThis.fetch(input, init));

/**
 * `GET <endpoint>/v1/sessions/info`: the node's server, key, models with prices, credit window and settle policy.
 *
 * @example
 * ```ts
 * const info = await fetchSessionInfo("http://127.0.0.1:8787");
 * ```
 */
export async function fetchSessionInfo(endpoint: string, options: { fetch?: FetchLike; signal?: AbortSignal } = {}): Promise<SessionInfo> {
  const response = await send(fetchOf(options.fetch), routeUrl(endpoint, "/info"), options.signal ? { signal: options.signal } : {});
  return parseSessionInfo(await response.json());
}

/**
 * `POST <endpoint>/v1/sessions/<session>/vouchers`: delivers a signed voucher; resolves with the node's view.
 *
 * @example
 * ```ts
 * const receipt = await postSessionVoucher({ endpoint, signed: progress.lastVoucher! });
 * ```
 */
export async function postSessionVoucher({
  endpoint,
  signed,
  fetch,
}: {
  endpoint: string;
  signed: SignedVoucher;
  fetch?: FetchLike;
}): Promise<SessionVoucherReceipt> {
  const response = await send(fetchOf(fetch), routeUrl(endpoint, `/${signed.voucher.session}/vouchers`), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(encodeSessionVoucherBody({ voucher: signed.bytes, signature: signed.signature })),
  });
  return parseSessionVoucherReceipt(await response.json());
}

/**
 * `GET <endpoint>/v1/sessions/<session>`: the node's next answer index, paid and billed totals, settled amount and
 * the latest voucher it holds.
 *
 * @example
 * ```ts
 * const { nextAnswer, paid } = await fetchSessionStatus({ endpoint, session });
 * ```
 */
export async function fetchSessionStatus({
  endpoint,
  session,
  fetch,
}: {
  endpoint: string;
  session: Address;
  fetch?: FetchLike;
}): Promise<SessionNodeStatus> {
  const response = await send(fetchOf(fetch), routeUrl(endpoint, `/${session}`));
  return parseSessionNodeStatus(await response.json());
}

/**
 * `POST <endpoint>/v1/sessions/<session>/close`: asks the node for the cooperative close, signed with the session key.
 * The node sends its final settle (when its latest voucher is above the settled amount) and `close_session` in one
 * transaction and answers with that transaction's signature once it is confirmed. Throws
 * `CHAINFERENCE_ERROR__SESSION__NODE_UNREACHABLE` or `…__NODE_ERROR` (with the node's code) otherwise.
 *
 * @example
 * ```ts
 * const { transaction } = await requestSessionClose({ endpoint, keys });
 * ```
 */
export async function requestSessionClose({
  endpoint,
  keys,
  fetch,
  signal,
}: {
  endpoint: string;
  keys: Pick<SessionKeys, "session" | "voucherSecret">;
  fetch?: FetchLike;
  signal?: AbortSignal;
}): Promise<SessionCloseReceipt> {
  const signature = signSessionClose({ session: keys.session, voucherSecret: keys.voucherSecret });
  const response = await send(fetchOf(fetch), routeUrl(endpoint, `/${keys.session}/close`), {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(encodeSessionCloseBody({ signature })),
    ...(signal ? { signal } : {}),
  });
  return parseSessionCloseReceipt(await response.json());
}

/**
 * Rebuilds a session's progress from the node (a client that lost its local state): the next answer index, and
 * the committed totals of the latest voucher the node holds, taken only if it carries this session key's valid
 * signature for this session (a node cannot raise the client's base by claiming payments it never received).
 *
 * @example
 * ```ts
 * const progress = await resumeSessionProgress({ endpoint, keys });
 * ```
 */
export async function resumeSessionProgress({
  endpoint,
  keys,
  fetch,
}: {
  endpoint: string;
  keys: SessionKeys;
  fetch?: FetchLike;
}): Promise<SessionProgress> {
  const status = await fetchSessionStatus({ endpoint, session: keys.session, ...(fetch ? { fetch } : {}) });
  const progress = createSessionProgress();
  progress.nextAnswer = status.nextAnswer;
  if (status.voucher === null) return progress;
  const voucher = decodeVoucher(status.voucher.bytes);
  const valid =
    voucher.session === keys.session &&
    verifyVoucherSignature({ bytes: status.voucher.bytes, signature: status.voucher.signature, voucherSigner: keys.voucherSigner });
  if (!valid)
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__SESSION__PROTOCOL_VIOLATION, {
      session: keys.session,
      answer: status.nextAnswer,
      reason: "the node's latest voucher is not signed by this session's key",
    });
  progress.committed = { lamports: voucher.lamports, tokens: voucher.tokens, answers: voucher.answers };
  progress.lastVoucher = { voucher, bytes: status.voucher.bytes, signature: status.voucher.signature };
  return progress;
}

const isAhead = (bill: SessionTotals, committed: SessionTotals): boolean =>
  bill.lamports >= committed.lamports &&
  bill.tokens >= committed.tokens &&
  bill.answers >= committed.answers &&
  (bill.lamports > committed.lamports || bill.tokens > committed.tokens || bill.answers > committed.answers);

/**
 * Asks the session's node for one answer: encrypts `payload` for the server key, signs the ask with the session key,
 * then streams the answer. Every chunk is decrypted in order (a missing, repeated or reordered chunk fails the
 * answer); every bill is checked with {@link checkSessionCharge} before a voucher is signed (a bill above what the
 * received bytes allow fails with `CHAINFERENCE_ERROR__SESSION__CHARGE_REJECTED` and nothing is signed for it),
 * and the voucher is posted at once. `progress` is updated in place as vouchers are signed. Generation starts at
 * the call; pieces are buffered until read.
 *
 * @example
 * ```ts
 * const answer = askInSession({ connection, progress, payload: { v: 1, messages: [{ role: "user", content: "Hi" }], maxTokens: 64 } });
 * for await (const { text, answerLamports } of answer) process.stdout.write(text);
 * const { totals } = await answer.result;
 * ```
 */
export function askInSession({
  connection,
  progress,
  payload,
  signal,
  history,
}: {
  connection: SessionConnection;
  progress: SessionProgress;
  payload: PromptPayload;
  signal?: AbortSignal;
  /** When given, the finished answer is saved (encrypted) to this local history before `result` resolves. */
  history?: SessionHistoryStorage;
}): SessionAnswer {
  const buffered: SessionDelta[] = [];
  let settled = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  let iterated = false;
  const notify = () => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const answered = runAnswer({ connection, progress, payload, signal, emit: (delta) => (buffered.push(delta), notify()) });
  const result = history
    ? answered.then(async (done) => {
        await saveSessionHistoryEntry({
          storage: history,
          keys: connection.keys,
          entry: {
            answer: done.answer,
            prompt: payload,
            text: done.text,
            finishReason: done.finishReason,
            tokensIn: done.tokensIn,
            tokensOut: done.tokensOut,
            lamports: done.lamports,
            at: Date.now(),
          },
        });
        return done;
      })
    : answered;
  result.then(
    () => ((settled = true), notify()),
    (error: unknown) => ((failure = { error }), (settled = true), notify()),
  );
  async function* deltas(): AsyncGenerator<SessionDelta, void, undefined> {
    for (;;) {
      const delta = buffered.shift();
      if (delta !== undefined) {
        yield delta;
        continue;
      }
      if (settled) {
        if (failure) throw failure.error;
        return;
      }
      await new Promise<void>((resolve) => (wake = resolve));
    }
  }
  return {
    result,
    [Symbol.asyncIterator]() {
      if (iterated) throw new TypeError("A SessionAnswer can be iterated only once");
      iterated = true;
      return deltas();
    },
  };
}

async function runAnswer({
  connection,
  progress,
  payload,
  signal,
  emit,
}: {
  connection: SessionConnection;
  progress: SessionProgress;
  payload: PromptPayload;
  signal: AbortSignal | undefined;
  emit: (delta: SessionDelta) => void;
}): Promise<SessionAnswerResult> {
  const { keys, endpoint, prices } = connection;
  const { session } = keys;
  const fetchImpl = fetchOf(connection.fetch);
  const answer = progress.nextAnswer;
  progress.nextAnswer += 1;
  const base = progress.committed;
  const violation = (reason: string): never => {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__SESSION__PROTOCOL_VIOLATION, { session, answer, reason });
  };

  const frameKey = deriveSessionFrameKey({ secret: keys.clientSecret, peerKey: connection.serverKey, session, peer: "server" });
  const promptPlaintext = encodePromptPayload(payload);
  const prompt = encryptSessionFrame({
    frameKey,
    session,
    answer,
    direction: "prompt",
    chunk: 0,
    isFinal: true,
    plaintext: promptPlaintext,
  });
  const ask = { session, answer, clientKey: keys.clientKey, keyEpoch: connection.keyEpoch, promptFrame: prompt };
  const signature = signSessionAsk({ ask, voucherSecret: keys.voucherSecret });
  const url = routeUrl(endpoint, `/${session}/answers`);
  const response = await send(fetchImpl, url, {
    method: "POST",
    headers: { "content-type": "application/json", accept: "text/event-stream" },
    body: JSON.stringify(encodeSessionAskBody({ answer, clientKey: keys.clientKey, keyEpoch: connection.keyEpoch, prompt, signature })),
    ...(signal ? { signal } : {}),
  });
  if (!response.body) return violation("the answer has no body");

  const decoder = new TextDecoder();
  let text = "";
  let receivedBytes = 0;
  let nextChunk = 0;
  let finalSeen = false;
  let voucher: SignedVoucher | null = null;
  let posting: Promise<void> = Promise.resolve();
  const postFailures: unknown[] = [];
  const answerLamports = () => progress.committed.lamports - base.lamports;

  try {
    for await (const sse of readServerSentEvents(response.body)) {
      if (postFailures.length > 0) throw postFailures[0];
      const event = parseSessionEvent(sse.event, sse.data);
      switch (event.type) {
        case "chunk": {
          if (finalSeen) violation(`chunk ${event.chunk} after the final chunk`);
          if (event.chunk !== nextChunk) violation(`chunk ${event.chunk} where chunk ${nextChunk} was due`);
          const plaintext = decryptSessionFrame({
            frameKey,
            session,
            answer,
            direction: "answer",
            chunk: event.chunk,
            isFinal: event.final,
            frame: event.frame,
          });
          nextChunk += 1;
          finalSeen = event.final;
          receivedBytes += plaintext.length;
          const piece = decoder.decode(plaintext, { stream: !event.final });
          text += piece;
          if (piece.length > 0) emit({ text: piece, answerLamports: answerLamports(), sessionLamports: progress.committed.lamports });
          break;
        }
        case "bill": {
          const checked = checkSessionCharge({
            session,
            answer,
            base,
            promptBytes: promptPlaintext.length,
            receivedBytes,
            ...prices,
            bill: event,
          });
          if (!isAhead(checked, progress.committed)) break;
          const signed = signVoucher({ voucher: checked, voucherSecret: keys.voucherSecret });
          progress.committed = { lamports: checked.lamports, tokens: checked.tokens, answers: checked.answers };
          progress.lastVoucher = signed;
          voucher = signed;
          posting = posting.then(() =>
            postSessionVoucher({ endpoint, signed, fetch: fetchImpl }).then(
              () => undefined,
              (error: unknown) => void postFailures.push(error),
            ),
          );
          break;
        }
        case "paused":
          break;
        case "done": {
          if (!finalSeen) violation("done before the final chunk");
          await posting;
          if (postFailures.length > 0) throw postFailures[0];
          return {
            session,
            answer,
            text,
            finishReason: event.finishReason,
            tokensIn: event.tokensIn,
            tokensOut: event.tokensOut,
            lamports: answerLamports(),
            totals: progress.committed,
            voucher,
          };
        }
        case "error":
          throw new ChainferenceClientError(CHAINFERENCE_ERROR__SESSION__NODE_ERROR, {
            url,
            status: response.status,
            code: event.code,
            message: event.message,
          });
      }
    }
  } finally {
    await posting;
  }
  return violation(finalSeen ? "the stream ended before done" : "the stream ended before the final chunk");
}
