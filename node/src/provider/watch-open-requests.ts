import {
  CHAINFERENCE_PROGRAM_ADDRESS,
  fetchOpenRequests,
  fetchOwnServer,
  openRequestsQuery,
  type Chain,
  type RequestAccount,
} from "@chainference/client";

import { lockAndServe, type LockAndServeInput } from "./lock-and-serve";
import type { LiveKeyring } from "./live-keyring";
import { screenRequest } from "./screen-request";
import { servedModelIds } from "./served-models";
import type { SpeedAverages } from "./speed-averages";

/** What one poll of open requests reads and changes. */
export type PollOpenRequestsInput = LockAndServeInput &
  Readonly<{
    keyring: LiveKeyring;
    speeds: SpeedAverages;
    /** False once the node stops: the poll takes no further request. */
    isAccepting: () => boolean;
  }>;

/**
 * Requests in the order they were created (oldest first), so a busy node serves them first come, first served.
 *
 * @example
 * const queue = oldestFirst(openRequestsOfEveryModel.flat());
 */
export function oldestFirst(requests: readonly RequestAccount[]): RequestAccount[] {
  return [...requests].sort((a, b) => (a.createdSlot < b.createdSlot ? -1 : a.createdSlot > b.createdSlot ? 1 : 0));
}

/**
 * One look at the open requests of every served model, oldest first: each not already in progress or
 * permanently skipped is screened, then locked and answered, or its skip remembered. Fails when the server
 * account is gone.
 *
 * @example
 * const scheduler = createPollScheduler({ poll: (isAccepting) => pollOpenRequests({ ...input, isAccepting }), intervalMs, onError });
 */
export async function pollOpenRequests(input: PollOpenRequestsInput): Promise<void> {
  const { ctx, server, memos, jobs, keyring, speeds } = input;
  const { chain, config } = ctx;
  const [current, slot, ...open] = await Promise.all([
    fetchOwnServer(chain, ctx.operator.address),
    chain.getSlot(),
    ...servedModelIds(config).map((model) => fetchOpenRequests(chain, { model })),
  ]);
  if (!current) throw new Error(`the server account ${server} is gone (closed?)`);
  const requests = oldestFirst((open as RequestAccount[][]).flat());
  memos.keepOnly(new Set(requests.map((r) => r.address)));
  for (const request of requests) {
    if (!input.isAccepting()) return;
    const memo = memos.get(request.address);
    if (jobs.has(request.address) || memo?.permanent) continue;
    if (!memo?.opened) await keyring.reloadFor(request);
    const decision = await screenRequest({
      request,
      slot,
      serverAddress: server,
      server: current.server,
      config,
      keyring: keyring.current(),
      backendFor: input.backendFor,
      activeCount: jobs.count(),
      queuedTokens: jobs.queuedTokens,
      tokensPerSecond: speeds.tokensPerSecond,
      maxChunkPlaintext: ctx.chunkRoom.alone,
      ...(memo?.opened ? { opened: memo.opened } : {}),
      getAccount: (address) => chain.getAccount(address),
    });
    if (decision.take) await lockAndServe(input, request, decision);
    else memos.note(request.address, decision);
  }
}

/**
 * Calls `onChange` when an open request of one of `models` appears or changes, where the chain offers
 * subscriptions (same filters as the poll); returns the function that ends every subscription. Without
 * subscriptions nothing is called and the poll interval alone finds new requests.
 *
 * @example
 * const unsubscribe = subscribeOpenRequests(chain, servedModelIds(config), scheduler.wake);
 */
export function subscribeOpenRequests(chain: Chain, models: readonly string[], onChange: () => void): () => void {
  const unsubscribes = models.map(
    (model) =>
      chain.subscribeAccountChanges?.({ program: CHAINFERENCE_PROGRAM_ADDRESS, query: openRequestsQuery(model) }, onChange) ?? (() => {}),
  );
  return () => {
    for (const unsubscribe of unsubscribes) unsubscribe();
  };
}
