import type { Address } from "@solana/kit";
import { CHAINFERENCE_ERROR__BOND_BELOW_MINIMUM, isTransactionFailed, type RequestAccount } from "@chainference/client";

import type { InferenceBackend } from "../backends/inference-backend";
import type { ServedModelConfig } from "../config/node-config";
import { describeError } from "./describe-error";
import type { RequestJobs } from "./request-jobs";
import { NO_LANDED_RESPONSE } from "./response-writer";
import type { ScreenDecision } from "./screen-request";
import { sendWithRetry, type RetryPolicy } from "./send-retry";
import { topUpBond } from "./server-registration";
import { asLockedBy, serveLockedRequest, type ServeContext } from "./serve-request";
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
 * Starts answering a request screening decided to take, as a tracked job, and locks it with the first chunk:
 * generation starts at once and the first chunk's transaction carries `lock_request` before the append, so the
 * lock costs no transaction of its own and the answer becomes visible in the same slot as the lock. A lock
 * refused for a bond below the minimum (a slash took it there) tops the bond up and is sent once more; a lock
 * that fails for good is a skip (`lock-failed`).
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
  const { ctx, retry } = input;
  let slot: bigint;
  try {
    slot = await sendWithRetry(() => ctx.chain.getSlot(), retry("read the slot", request.address));
  } catch (error) {
    input.memos.note(request.address, { take: false, reason: "lock-failed", detail: describeError(error) });
    return;
  }
  input.memos.forget(request.address);
  let toppedUp = false;
  const work = serveLockedRequest(ctx, {
    request: asLockedBy(request, {
      slot,
      priceIn: decision.model.priceIn,
      priceOut: decision.model.priceOut,
      keyEpoch: decision.opened.keyEpoch,
    }),
    opened: decision.opened,
    backend: input.backendFor(decision.model),
    landed: NO_LANDED_RESPONSE,
    outputTokenCap: decision.budget.outputTokenCap,
    reserveBytes: decision.budget.reserveBytes,
    streamByteCap: decision.streamByteCap,
    lockedAt: null,
    lock: {
      onLocked: (lockSlot) =>
        ctx.emit({ type: "locked", request: request.address, slot: lockSlot, outputTokenCap: decision.budget.outputTokenCap, fee: 0n }),
      onLockRefused: async (error) => {
        if (toppedUp || !isTransactionFailed(error, CHAINFERENCE_ERROR__BOND_BELOW_MINIMUM)) return false;
        // A slash (a lock this server abandoned) took its bond below the minimum: top it up from the operator's
        // wallet, as at start, then lock again.
        toppedUp = true;
        await topUpBond(ctx.chain, ctx.operator, retry("deposit the server bond", request.address), ctx.emit);
        return true;
      },
    },
  }).then((outcome) => {
    if (outcome.status === "not-locked") input.memos.note(request.address, { take: false, reason: "lock-failed", detail: outcome.reason });
    return outcome;
  });
  input.jobs.track(request.address, decision.model, decision.budget.outputTokenCap, work);
}
