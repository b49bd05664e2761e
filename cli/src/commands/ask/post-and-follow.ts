/**
 * Posting a request and following it to its end: the answer streams in as chunks land, the request is
 * handed to the next eligible server while the named one does not lock, and a watchdog refunds the stake when no server locks it in time (cancel) or the locking server misses
 * its deadline (expire), so the client never waits forever.
 */
import type { Address, KeyPairSigner, Signature } from "@solana/kit";
import {
  abortableSleep,
  cancelRequest,
  expireRequest,
  fetchRequestAccount,
  handOffUntilLocked,
  isTransactionFailed,
  postRequest,
  RequestStatus,
  watchResponse,
  type HandOff,
  type PostedRequest,
  type PromptPayload,
  type ResponseAccount,
} from "@chainference/client";
import type { Session } from "../../shared/context/session";
import { chooseServers, type AskTerms, type EligibilityPreview } from "./eligibility";

/** How a followed request ended. */
export type AskStatus = "settled" | "cancelled" | "expired" | "ended" | "detached";

export type AskOutcome = {
  readonly request: Address;
  readonly posted: PostedRequest;
  readonly status: AskStatus;
  readonly lockedBy: Address | null;
  /** The decrypted answer as far as it arrived. */
  readonly text: string;
  /** The response account when the request settled (cost, tokens, stream). */
  readonly response: ResponseAccount | null;
  /** Transactions this flow sent beyond posting (a watchdog cancel or expire). */
  readonly refundSignatures: readonly Signature[];
  /** Why the watchdog stepped in, when it did. */
  readonly note: string | null;
};

export type AskHandlers = {
  onPosted?(posted: PostedRequest): void;
  onLocked?(server: Address, slot: bigint): void;
  onChunk?(text: string, index: number, isFinal: boolean): void;
  onWatchdog?(note: string): void;
  /** The named server did not lock in time: the request went to the next eligible server. */
  onHandOff?(handOff: HandOff): void;
  /** The watchdog's check of a request still open and unlocked: slots until its open window ends. */
  onWaiting?(slotsLeft: bigint, openUntilSlot: bigint): void;
};

export type FollowOptions = {
  /** Stop following (Ctrl-C, a gateway client hanging up): an open request is cancelled. */
  readonly signal?: AbortSignal;
  /** How often to poll the request (ms). */
  readonly pollMs?: number;
  /** How often the watchdog checks open-until and deadline (ms). */
  readonly watchdogMs?: number;
  /** How long a named server has to lock before the request is handed to the next (ms); absent = the SDK's default. */
  readonly handOffWaitMs?: number;
};

/**
 * Encrypts the prompt for the best eligible server (or the first `--fan-out` of them) and posts the request;
 * the other eligible servers stand by for {@link followRequest}'s hand-offs.
 *
 * @example
 * const posted = await postAsk(session, wallet, terms, payload, preview);
 */
export async function postAsk(
  session: Session,
  wallet: KeyPairSigner,
  terms: AskTerms,
  payload: PromptPayload,
  preview: EligibilityPreview,
): Promise<PostedRequest> {
  return postRequest(session.chain, {
    client: wallet,
    model: terms.model,
    ...(terms.revision ? { revision: terms.revision } : {}),
    payload,
    servers: chooseServers(preview),
    ...(terms.fanOut === undefined ? {} : { fanOut: terms.fanOut }),
    stake: terms.stake,
    ...(terms.responseTimeoutSlots === undefined ? {} : { responseTimeoutSlots: terms.responseTimeoutSlots }),
    maxPriceIn: terms.maxPriceIn,
    maxPriceOut: terms.maxPriceOut,
    ...(terms.minCompleted === undefined ? {} : { minCompleted: terms.minCompleted }),
    ...(terms.minSuccessBps === undefined ? {} : { minSuccessBps: terms.minSuccessBps }),
    ...(terms.minAvgRating === undefined ? {} : { minAvgRating: terms.minAvgRating }),
  });
}

/**
 * Follows a posted request to its end, streaming the decrypted answer through `handlers`.
 *
 * @example
 * const outcome = await followRequest(session, wallet, posted, { onChunk: (t) => process.stdout.write(t) });
 */
export async function followRequest(
  session: Session,
  wallet: KeyPairSigner,
  posted: PostedRequest,
  handlers: AskHandlers = {},
  options: FollowOptions = {},
): Promise<AskOutcome> {
  const { chain } = session;
  const request = posted.address;
  const stop = new AbortController();
  options.signal?.addEventListener("abort", () => stop.abort(), { once: true });
  const refundSignatures: Signature[] = [];
  let status: AskStatus | null = null;
  let note: string | null = null;
  let lockedBy: Address | null = null;

  // Refunds the stake when nobody can answer any more; the watched request then closes.
  const refundIfStuck = async (reason: "watchdog" | "abort"): Promise<boolean> => {
    const account = await fetchRequestAccount(chain, request);
    if (!account) return true;
    const slot = await chain.getSlot();
    if (reason === "watchdog" && account.status === RequestStatus.Open && slot <= account.openUntilSlot)
      handlers.onWaiting?.(account.openUntilSlot - slot, account.openUntilSlot);
    try {
      if (account.status === RequestStatus.Open && (reason === "abort" || slot > account.openUntilSlot)) {
        refundSignatures.push((await cancelRequest(chain, wallet, request)).signature);
        status = "cancelled";
        note =
          reason === "abort"
            ? "stopped before any server locked it: cancelled, stake refunded"
            : `no server locked it by slot ${account.openUntilSlot}: cancelled, stake refunded`;
        return true;
      }
      if (account.status === RequestStatus.Locked && slot > account.deadlineSlot) {
        refundSignatures.push((await expireRequest(chain, wallet, account)).signature);
        status = "expired";
        note = `server ${account.lockedBy} missed its deadline (slot ${account.deadlineSlot}): expired, stake refunded`;
        return true;
      }
    } catch (e) {
      // A server locked or settled it in the meantime: keep following.
      if (!isTransactionFailed(e)) throw e;
    }
    return false;
  };

  const watchdog = (async () => {
    while (!stop.signal.aborted) {
      await abortableSleep(options.watchdogMs ?? 2_000, stop.signal);
      if (stop.signal.aborted) return;
      if (await refundIfStuck("watchdog")) {
        if (note) handlers.onWatchdog?.(note);
        return;
      }
    }
  })().catch((e: unknown) => e);

  // While nobody locks it, the request moves to the next eligible server (one reader at a time).
  const handOffs = handOffUntilLocked(chain, wallet, posted, {
    signal: stop.signal,
    ...(options.handOffWaitMs === undefined ? {} : { waitMs: options.handOffWaitMs }),
    ...(handlers.onHandOff ? { onHandOff: handlers.onHandOff } : {}),
  }).catch((e: unknown) => e);

  let text = "";
  let response: ResponseAccount | null = null;
  try {
    for await (const event of watchResponse(chain, request, posted.keys, { pollMs: options.pollMs ?? 400, signal: stop.signal })) {
      if (event.type === "locked") {
        lockedBy = event.server;
        handlers.onLocked?.(event.server, event.slot);
      } else if (event.type === "chunk") {
        text += event.text;
        handlers.onChunk?.(event.text, event.index, event.isFinal);
      } else if (event.type === "settled") {
        response = event.response;
        lockedBy = event.response.server;
        status = "settled";
      } else {
        response = event.response;
        status ??= "ended";
      }
    }
  } finally {
    stop.abort();
    const watchdogError = await watchdog;
    if (watchdogError instanceof Error && status === null) throw watchdogError;
    // A failed hand-off leaves the request with its current server until the watchdog refunds it: not fatal.
    await handOffs;
  }
  if (status === null && options.signal?.aborted) {
    // Stopped by the caller: refund an open request; a locked one is the server's to finish.
    if (!(await refundIfStuck("abort"))) {
      status = "detached";
      note = `left locked by server ${lockedBy ?? "?"}: it settles when the server completes, or run 'chainference expire ${request}' after its deadline`;
    }
  }
  return { request, posted, status: status ?? "ended", lockedBy, text, response, refundSignatures, note };
}
