import type { Address } from "@solana/kit";
import {
  CHAINFERENCE_ERROR__BOND_BELOW_MINIMUM,
  fetchRequestAccount,
  getCurrentServerKey,
  isTransactionFailed,
  lockRequest,
  RequestStatus,
  type RequestAccount,
} from "@chainference/client";

import type { InferenceBackend } from "../backends/inference-backend";
import type { ServedModelConfig } from "../config/node-config";
import { describeError } from "./describe-error";
import type { RequestJobs } from "./request-jobs";
import { NO_LANDED_RESPONSE } from "./response-writer";
import type { ScreenDecision } from "./screen-request";
import { sendWithRetry, type RetryPolicy } from "./send-retry";
import { topUpBond } from "./server-registration";
import { serveLockedRequest, type ServeContext } from "./serve-request";
import type { SkipMemos } from "./skip-memos";

/** What locking and answering an open request needs besides the shared job context. */
export type LockAndServeInput = Readonly<{
  ctx: ServeContext;
  /** This node's server account. */
  server: Address;
  retry: RetryPolicy;
  backendFor: (model: ServedModelConfig) => InferenceBackend;
  memos: SkipMemos;
  jobs: RequestJobs;
}>;

/**
 * Locks a request screening decided to take, reads it back, and starts answering it as a tracked job. A lock
 * that fails is a skip (`lock-failed`); a lock that landed but cannot be read back is left for the next start
 * to recover.
 *
 * @example
 * const decision = await screenRequest(screenInput);
 * if (decision.take) await lockAndServe({ ctx, server, retry, backendFor, memos, jobs }, request, decision);
 */
export async function lockAndServe(
  input: LockAndServeInput,
  request: RequestAccount,
  decision: Extract<ScreenDecision, { take: true }>,
): Promise<void> {
  const { ctx, server, retry } = input;
  // The key the server locks with is its current one (the one on-chain): the transaction records it for history.
  const lockKey = getCurrentServerKey(ctx.keyring()).publicKey;
  const lock = async () =>
    (await sendWithRetry(() => lockRequest(ctx.chain, ctx.operator, request.address, lockKey), retry("lock_request", request.address))).fee;
  let fee: bigint;
  try {
    fee = await lock().catch(async (error: unknown) => {
      if (!isTransactionFailed(error, CHAINFERENCE_ERROR__BOND_BELOW_MINIMUM)) throw error;
      // A slash (a lock this server abandoned) took its bond below the minimum: top it up from the operator's
      // wallet, as at start, then lock again.
      await topUpBond(ctx.chain, ctx.operator, retry("deposit the server bond", request.address), ctx.emit);
      return lock();
    });
  } catch (error) {
    input.memos.note(request.address, { take: false, reason: "lock-failed", detail: describeError(error) });
    return;
  }
  const lockedAtMs = Date.now();
  let locked: RequestAccount | null;
  try {
    locked = await sendWithRetry(() => fetchRequestAccount(ctx.chain, request.address), retry("read the locked request", request.address));
  } catch (error) {
    ctx.emit({
      type: "abandoned",
      request: request.address,
      reason: `locked, then could not read it back (${describeError(error)}); the next start recovers it`,
    });
    return;
  }
  if (!locked || locked.status !== RequestStatus.Locked || locked.lockedBy !== server) {
    ctx.emit({
      type: "error",
      where: `lock of ${request.address}`,
      error: "the lock landed but the request is not locked by this server any more",
    });
    return;
  }
  input.memos.forget(request.address);
  ctx.emit({ type: "locked", request: request.address, slot: locked.lockSlot, outputTokenCap: decision.budget.outputTokenCap, fee });
  const work = serveLockedRequest(ctx, {
    request: locked,
    opened: decision.opened,
    backend: input.backendFor(decision.model),
    landed: NO_LANDED_RESPONSE,
    outputTokenCap: decision.budget.outputTokenCap,
    reserveBytes: decision.budget.reserveBytes,
    streamByteCap: decision.streamByteCap,
    lockedAt: { ms: lockedAtMs, slot: locked.lockSlot },
  });
  input.jobs.track(request.address, decision.model, decision.budget.outputTokenCap, work);
}
