/**
 * The gateway's sessions: one per model, opened with the best eligible server on first use (or an open one of the
 * wallet reused), shared by every call for that model one answer at a time, replaced by a session with the next
 * eligible server when its node fails, and closed at shutdown (cooperatively by the node when it answers).
 */
import type { Address, KeyPairSigner } from "@solana/kit";
import {
  CHAINFERENCE_ERROR__SESSION__NODE_ERROR,
  CHAINFERENCE_ERROR__SESSION__NODE_UNREACHABLE,
  CHAINFERENCE_ERROR__SESSION__PROTOCOL_VIOLATION,
  encodePromptPayload,
  isChainferenceClientError,
  type PromptPayload,
} from "@chainference/client";
import { fetchSessionAccount, type SessionAnswerResult } from "@chainference/client/sessions";
import type { Session } from "../../shared/context/session";
import { describeError } from "../../shared/errors/describe-error";
import { worstAnswerCost, type ClientSession } from "../../shared/sessions/client-session";
import { acquireSession, askOnce } from "../ask/run-session-ask";
import type { AskTerms } from "../ask/eligibility";
import { closeClientSession } from "../sessions/close-session";

/** What one answer through the pool returns. */
export type PooledAnswer = Readonly<{ live: ClientSession; result: SessionAnswerResult }>;

export type SessionPool = {
  /**
   * Answers `payload` in the model's session, streaming text to `onText`. `onPaying` runs before anything can cost
   * (an open, or the ask). A node that fails before any text is excluded and the answer retried once per eligible server.
   */
  answer(
    terms: AskTerms,
    payload: PromptPayload,
    hooks: { onPaying: () => void; onStart: (live: ClientSession) => void; onText: (text: string) => void; signal?: AbortSignal },
  ): Promise<PooledAnswer>;
  /** The sessions in use. */
  sessions(): readonly ClientSession[];
  /** Closes every session: cooperatively by its node, else requests the close, waits out the grace window and closes. */
  closeAll(onProgress: (line: string) => void, signal?: AbortSignal): Promise<void>;
};

/** A failure of the node (not of the client or the chain): try the next server. */
function isNodeFailure(error: unknown): boolean {
  return (
    isChainferenceClientError(error, CHAINFERENCE_ERROR__SESSION__NODE_UNREACHABLE) ||
    isChainferenceClientError(error, CHAINFERENCE_ERROR__SESSION__NODE_ERROR) ||
    isChainferenceClientError(error, CHAINFERENCE_ERROR__SESSION__PROTOCOL_VIOLATION)
  );
}

/**
 * A pool over `session` paid from `wallet`, each new session with `deposit` lamports.
 *
 * @example
 * const pool = createSessionPool(session, wallet, { deposit: 10_000_000n, graceSlots: 150n, log });
 */
export function createSessionPool(
  session: Session,
  wallet: KeyPairSigner,
  options: { readonly deposit: bigint; readonly graceSlots?: bigint; readonly log: (line: string) => void },
): SessionPool {
  const byModel = new Map<string, ClientSession>();
  const used = new Map<Address, ClientSession>();
  const failed = new Set<string>();
  let queue: Promise<unknown> = Promise.resolve();
  /** One answer at a time: a session's vouchers are cumulative, so its answers are sequential. */
  const serialized = <T>(run: () => Promise<T>): Promise<T> => {
    const next = queue.then(run, run);
    queue = next.catch(() => undefined);
    return next;
  };

  const modelKey = (terms: AskTerms) => `${terms.model}@${terms.revision ?? ""}`;

  async function sessionFor(terms: AskTerms, payload: PromptPayload, onPaying: () => void): Promise<ClientSession> {
    const key = modelKey(terms);
    const current = byModel.get(key);
    if (current) {
      const left = current.account.deposit - current.progress.committed.lamports;
      const worst = worstAnswerCost(current.connection.prices, encodePromptPayload(payload).length, payload.maxTokens);
      if (left >= worst && !failed.has(current.account.server)) return current;
      byModel.delete(key);
    }
    onPaying();
    const live = await acquireSession(session, wallet, { ...terms, stake: options.deposit }, payload, {
      quiet: true,
      exclude: failed,
      ...(options.graceSlots === undefined ? {} : { graceSlots: options.graceSlots }),
    });
    byModel.set(key, live);
    used.set(live.account.address, live);
    options.log(
      live.opened
        ? `opened session ${live.account.address} with server ${live.account.server} (deposit ${live.account.deposit} lamports, ${session.transactionText(live.opened.signature)})`
        : `reusing session ${live.account.address} with server ${live.account.server}`,
    );
    return live;
  }

  return {
    answer(terms, payload, hooks) {
      return serialized(async () => {
        for (;;) {
          const live = await sessionFor(terms, payload, hooks.onPaying);
          hooks.onPaying();
          let streamed = false;
          try {
            hooks.onStart(live);
            const { result } = await askOnce(
              live,
              payload,
              (text) => {
                streamed = true;
                hooks.onText(text);
              },
              hooks.signal,
            );
            return { live, result };
          } catch (error) {
            if (streamed || !isNodeFailure(error)) throw error;
            failed.add(live.account.server);
            byModel.delete(modelKey(terms));
            options.log(`server ${live.account.server} failed (${describeError(error)}): trying the next eligible server`);
          }
        }
      });
    },
    sessions: () => [...used.values()],
    async closeAll(onProgress, signal) {
      await queue;
      await Promise.all(
        [...used.values()].map(async (live) => {
          const account = await fetchSessionAccount(session.chain, live.account.address);
          if (!account) return;
          try {
            const outcome = await closeClientSession(session, wallet, account, {
              wait: true,
              ...(signal ? { signal } : {}),
              onProgress: (line) => onProgress(line),
            });
            if (outcome.refunded !== null)
              onProgress(
                `closed session ${outcome.session} ${outcome.path === "cooperative" ? "cooperatively by its node" : `by the forced path (${outcome.fallbackReason})`}: ${outcome.paid ?? 0n} lamports paid, ${outcome.refunded} back to the wallet`,
              );
            else if (outcome.closableAtSlot !== null)
              onProgress(`session ${outcome.session} is closing: finish with 'chainference sessions close ${outcome.session}'`);
          } catch (error) {
            onProgress(`could not close session ${live.account.address}: ${describeError(error)}`);
          }
        }),
      );
    },
  };
}
