/**
 * The session mode: one payment channel with one server (one wallet message signature for the session keys and
 * one transaction to open it), answers streamed off-chain from the node's session endpoint (SSE over HTTP) and
 * paid by vouchers the SDK signs after checking every bill, then a close that refunds what was not spent.
 * Loaded on demand (the chat page imports it when a session is probed or opened), so the first paint stays small.
 */
import type { Address, Signature } from "@solana/kit";
import { abortableSleep, SessionStatus, type PromptPayload, type ServerWithAddress } from "@chainference/client";
import {
  askInSession,
  closeSession,
  createSessionProgress,
  fetchSessionAccount,
  fetchSessionInfo,
  openSession,
  requireSessionAccount,
  sessionAnswerCost,
  type SessionConnection,
  type SessionProgress,
} from "@chainference/client/sessions";
import type { SessionHistoryStore } from "../../lib/session-history-store";
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
  /** This browser's encrypted history of the wallet's sessions: every finished answer is saved there. */
  history: SessionHistoryStore;
}>;

/**
 * Opens a session: the wallet signs the session-key message once and the `open_session` transaction; the session
 * is noted in `history` (its server and model, public on chain) so the History page lists it.
 */
export async function openAppSession(
  ctx: AskContext,
  terms: {
    offer: SessionOffer;
    model: string;
    deposit: bigint;
    maxPriceIn: bigint;
    maxPriceOut: bigint;
    history: SessionHistoryStore;
  },
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
  // The session is open and funded whatever the browser's storage does: a refused note must not hide it from the
  // page (its answers then say they were not saved, as the same storage refuses them).
  await terms.history
    .noteSession({ session: opened.session, server: terms.offer.server.address, model: terms.model, openedAt: Date.now() })
    .catch(() => undefined);
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
    history: terms.history,
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
  /** Why the answer is not in this browser's history (its storage refused it); null once it is saved. */
  notSaved: string | null;
}>;

export type SessionAskCallbacks = {
  /** One decrypted piece of the answer, with what the answer has cost so far. */
  onChunk(text: string, index: number, answerLamports: bigint): void;
  onAnswered(cost: SessionAnswerCost): void;
};

/**
 * Asks one question in the open session and streams the answer; resolves when its last voucher is posted and the
 * answer is saved, encrypted, to the session's history.
 */
export async function askInAppSession(
  ctx: AskContext,
  session: AppSession,
  ask: { question: string; maxTokens: number },
  on: SessionAskCallbacks,
): Promise<void> {
  const payload: PromptPayload = { v: 1, messages: [{ role: "user", content: ask.question }], maxTokens: ask.maxTokens };
  // A paid answer stays an answer when the browser's storage fails (full, private mode): the page says so instead.
  let notSaved: string | null = null;
  const history = session.history.storage;
  const answer = askInSession({
    connection: session.connection,
    progress: session.progress,
    payload,
    signal: ctx.signal,
    history: {
      ...history,
      write: (key, value) =>
        history.write(key, value).catch((e: unknown) => {
          notSaved = e instanceof Error ? e.message : String(e);
        }),
    },
  });
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
    notSaved,
  });
}

/** One step of a close, as the page shows it. */
export type CloseStep =
  /** The server did not close the session itself: the wallet is asked to request the close. */
  | Readonly<{ type: "forcing" }>
  /** Why the cooperative close was not taken (replaces "forcing" once the request is sent). */
  | Readonly<{ type: "fallback"; reason: string }>
  | Readonly<{ type: "requested"; transaction: Signature; deadlineSlot: bigint }>
  | Readonly<{ type: "settled"; settled: bigint }>
  | Readonly<{ type: "waiting"; slotsLeft: bigint }>
  /**
   * `cooperative`: the server settled and closed in one transaction (`transaction` is the server's); `forced`: the
   * wallet's `close_session` after the grace window; `transaction` is null when the session was already closed.
   */
  | Readonly<{ type: "closed"; path: "cooperative" | "forced"; transaction: Signature | null; settled: bigint; refund: bigint }>;

/**
 * Closes the session with the SDK's `closeSession`: first the node is asked (signed by the session key) to settle
 * and close in one transaction, no wallet prompt at all; when it does not, the forced path: `request_close_session`
 * from the wallet, the grace window in which the server settles its last voucher (polled here so the card can
 * count down), then the wallet's `close_session` refunds `deposit − settled`. Each step is reported as it happens.
 */
export async function closeAppSession(ctx: AskContext, session: AppSession, onStep: (step: CloseStep) => void): Promise<void> {
  const closed = (path: "cooperative" | "forced", transaction: Signature | null, settled: bigint) =>
    onStep({ type: "closed", path, transaction, settled, refund: session.deposit - settled });
  const owed = session.progress.committed.lamports;
  const account = await fetchSessionAccount(ctx.chain, session.session);
  if (!account || account.status === SessionStatus.Closed) return closed("forced", null, account?.settled ?? owed);
  let forcing = false;
  const first = await closeSession(ctx.chain, {
    client: ctx.signer,
    account,
    node: { endpoint: session.connection.endpoint, keys: session.connection.keys },
    wait: false,
    signal: ctx.signal,
    onProgress: () => {
      if (!forcing) onStep({ type: "forcing" });
      forcing = true;
    },
  });
  if (first.path === "cooperative") return closed("cooperative", first.nodeTransaction, first.paid ?? owed);
  onStep({ type: "fallback", reason: first.fallbackReason ?? "the server did not close it" });
  // Already past the settle deadline: the SDK closed it at once.
  if (first.paid !== null) return closed("forced", first.transactions.at(-1)?.signature ?? null, first.paid);
  const requested = first.transactions[0];
  if (first.closableAtSlot !== null && requested)
    onStep({ type: "requested", transaction: requested.signature, deadlineSlot: first.closableAtSlot });
  let reportedSettled = false;
  for (;;) {
    const slot = await ctx.chain.getSlot();
    const current = await fetchSessionAccount(ctx.chain, session.session);
    if (!current || current.status === SessionStatus.Closed) return closed("forced", null, current?.settled ?? owed);
    if (!reportedSettled && (current.settled >= owed || slot >= current.settleDeadlineSlot)) {
      reportedSettled = true;
      onStep({ type: "settled", settled: current.settled });
    }
    if (slot >= current.settleDeadlineSlot) {
      // Past the deadline: the SDK's forced path closes at once (the node was already asked).
      const last = await closeSession(ctx.chain, { client: ctx.signer, account: current, node: null, signal: ctx.signal });
      return closed("forced", last.transactions.at(-1)?.signature ?? null, last.paid ?? current.settled);
    }
    onStep({ type: "waiting", slotsLeft: current.settleDeadlineSlot - slot });
    await abortableSleep(POLL_MS, ctx.signal);
  }
}
