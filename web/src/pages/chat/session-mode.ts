/**
 * The session mode: one payment channel with one server (one wallet message signature for the session keys and
 * one transaction to open it), answers streamed off-chain from the node's session endpoint (SSE over HTTP) and
 * paid by vouchers the SDK signs after checking every bill, then a close that refunds what was not spent.
 * Loaded on demand (the chat page imports it when a session is probed or opened), so the first paint stays small.
 */
import type { Address, Signature } from "@solana/kit";
import {
  askInSession,
  closeSessionAsClient,
  createSessionProgress,
  fetchSessionAccount,
  fetchSessionInfo,
  openSession,
  requestCloseSession,
  requireSessionAccount,
  sessionAnswerCost,
  SessionStatus,
  type PromptPayload,
  type ServerWithAddress,
  type SessionConnection,
  type SessionProgress,
} from "@chainference/client";
import type { AskContext } from "./modes";

/** Grace the server keeps to settle its last voucher after a close request: the program's minimum (about a minute). */
const GRACE_SLOTS = 150n;
const POLL_MS = 400;

/** A server whose node answers sessions for the model, with the prices it quotes there. */
export type SessionOffer = Readonly<{ server: ServerWithAddress; endpoint: string }>;

/**
 * The first of `servers` (eligible ones, best first) whose registered endpoint answers the session protocol for
 * `model`; null when none does (then only per-request answers are possible).
 */
export async function findSessionOffer(
  servers: readonly ServerWithAddress[],
  model: string,
  signal: AbortSignal,
): Promise<SessionOffer | null> {
  for (const server of servers) {
    const endpoint = server.server.endpoint;
    if (!/^https?:\/\//.test(endpoint)) continue;
    const info = await fetchSessionInfo(endpoint, { signal }).catch(() => null);
    if (info && info.server === server.address && info.models.some((m) => m.modelId === model)) return { server, endpoint };
  }
  return null;
}

/** An open session as the page keeps it: the connection the SDK talks over and what has been signed so far. */
export type AppSession = Readonly<{
  session: Address;
  server: Address;
  model: string;
  deposit: bigint;
  connection: SessionConnection;
  progress: SessionProgress;
  openTransaction: Signature;
}>;

/** Opens a session: the wallet signs the session-key message once and the `open_session` transaction. */
export async function openAppSession(
  ctx: AskContext,
  terms: { offer: SessionOffer; model: string; deposit: bigint; maxPriceIn: bigint; maxPriceOut: bigint },
): Promise<AppSession> {
  const opened = await openSession(ctx.chain, {
    client: ctx.signer,
    server: terms.offer.server.address,
    model: terms.model,
    deposit: terms.deposit,
    graceSlots: GRACE_SLOTS,
    maxPriceIn: terms.maxPriceIn,
    maxPriceOut: terms.maxPriceOut,
  });
  const account = await requireSessionAccount(ctx.chain, opened.session);
  return {
    session: opened.session,
    server: terms.offer.server.address,
    model: terms.model,
    deposit: account.deposit,
    connection: {
      endpoint: opened.endpoint,
      keys: opened.keys,
      serverKey: opened.serverKey,
      keyEpoch: opened.keyEpoch,
      prices: { priceIn: account.priceIn, priceOut: account.priceOut },
    },
    progress: createSessionProgress(),
    openTransaction: opened.sent.signature,
  };
}

/** The most one more answer can cost (prompt bytes bound its tokens in, `maxTokens` its tokens out). */
export function worstAnswerCost(session: AppSession, promptBytes: number, maxTokens: number): bigint {
  return sessionAnswerCost({ tokensIn: promptBytes, tokensOut: maxTokens, ...session.connection.prices });
}

/** What one answer in a session cost, by the vouchers signed for it. */
export type SessionAnswerCost = Readonly<{
  tokensIn: number;
  tokensOut: number;
  /** Lamports this answer's vouchers added. */
  lamports: bigint;
  /** The session's total after it (the latest voucher's amount). */
  sessionLamports: bigint;
  deposit: bigint;
}>;

export type SessionAskCallbacks = {
  /** One decrypted piece of the answer, with what the answer has cost so far. */
  onChunk(text: string, index: number, answerLamports: bigint): void;
  onAnswered(cost: SessionAnswerCost): void;
};

/** Asks one question in the open session and streams the answer; resolves when its last voucher is posted. */
export async function askInAppSession(
  ctx: AskContext,
  session: AppSession,
  ask: { question: string; maxTokens: number },
  on: SessionAskCallbacks,
): Promise<void> {
  const payload: PromptPayload = { v: 1, messages: [{ role: "user", content: ask.question }], maxTokens: ask.maxTokens };
  const answer = askInSession({ connection: session.connection, progress: session.progress, payload, signal: ctx.signal });
  let index = 0;
  for await (const delta of answer) {
    performance.mark("chainference:chunk-yielded", { detail: { index } });
    on.onChunk(delta.text, index++, delta.answerLamports);
  }
  const done = await answer.result;
  on.onAnswered({
    tokensIn: done.tokensIn,
    tokensOut: done.tokensOut,
    lamports: done.lamports,
    sessionLamports: done.totals.lamports,
    deposit: session.deposit,
  });
}

/** One step of a close, as the page shows it. */
export type CloseStep =
  | Readonly<{ type: "requested"; transaction: Signature; deadlineSlot: bigint }>
  | Readonly<{ type: "settled"; settled: bigint }>
  | Readonly<{ type: "waiting"; slotsLeft: bigint }>
  /** `transaction` is null when the server had already closed the session cooperatively. */
  | Readonly<{ type: "closed"; transaction: Signature | null; settled: bigint; refund: bigint }>;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Closes the session from the wallet: `request_close_session`, then the server settles its last voucher within the
 * grace window (the node settles as soon as it sees the request), then `close_session` once the window is over
 * refunds `deposit − settled`. Two wallet transactions; each step is reported as it happens.
 */
export async function closeAppSession(ctx: AskContext, session: AppSession, onStep: (step: CloseStep) => void): Promise<void> {
  let account = await requireSessionAccount(ctx.chain, session.session);
  if (account.status === SessionStatus.Open) {
    const requested = await requestCloseSession(ctx.chain, ctx.signer, session.session);
    account = await requireSessionAccount(ctx.chain, session.session);
    onStep({ type: "requested", transaction: requested.signature, deadlineSlot: account.settleDeadlineSlot });
  }
  const owed = session.progress.committed.lamports;
  let reportedSettled = false;
  for (;;) {
    const slot = await ctx.chain.getSlot();
    const current = await fetchSessionAccount(ctx.chain, session.session);
    if (!current || current.status === SessionStatus.Closed) {
      const settled = current?.settled ?? account.settled;
      return onStep({ type: "closed", transaction: null, settled, refund: account.deposit - settled });
    }
    account = current;
    if (!reportedSettled && (account.settled >= owed || slot >= account.settleDeadlineSlot)) {
      reportedSettled = true;
      onStep({ type: "settled", settled: account.settled });
    }
    if (slot >= account.settleDeadlineSlot) break;
    onStep({ type: "waiting", slotsLeft: account.settleDeadlineSlot - slot });
    await sleep(POLL_MS);
  }
  const closed = await closeSessionAsClient(ctx.chain, ctx.signer, session.session);
  onStep({ type: "closed", transaction: closed.signature, settled: account.settled, refund: account.deposit - account.settled });
}
