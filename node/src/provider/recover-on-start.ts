import type { Address } from "@solana/kit";
import { fetchLockedRequests } from "@chainference/client";

import type { InferenceBackend } from "../backends/inference-backend";
import type { ServedModelConfig } from "../config/node-config";
import type { LiveKeyring } from "./live-keyring";
import { recoverLockedRequest } from "./recover-request";
import type { RequestJobs } from "./request-jobs";
import type { ServeContext } from "./serve-request";
import { findServedModel } from "./served-models";
import type { SpeedAverages } from "./speed-averages";

/**
 * Crash recovery at start: every request still locked by `server` (left by an earlier run) becomes a tracked
 * recovery job ({@link recoverLockedRequest}), none of which appends before `recoveryQuietSlots` have passed.
 *
 * @example
 * await recoverOnStart({ ctx, server, backendFor, keyring, speeds, jobs });
 */
export async function recoverOnStart(
  input: Readonly<{
    ctx: ServeContext;
    server: Address;
    backendFor: (model: ServedModelConfig) => InferenceBackend;
    keyring: LiveKeyring;
    speeds: SpeedAverages;
    jobs: RequestJobs;
  }>,
): Promise<void> {
  const { ctx, server, jobs } = input;
  const { config } = ctx;
  const [mine, slot] = await Promise.all([fetchLockedRequests(ctx.chain, server), ctx.chain.getSlot()]);
  const writableFromSlot = slot + BigInt(config.recoveryQuietSlots);
  for (const request of mine) {
    await input.keyring.reloadFor(request);
    const model = findServedModel(config, request.model, request.revision) ?? config.models[0]!;
    const work = recoverLockedRequest(ctx, {
      request,
      serverAddress: server,
      slot,
      writableFromSlot,
      backendFor: input.backendFor,
      tokensPerSecond: input.speeds.tokensPerSecond,
      queuedTokens: jobs.queuedTokens,
    });
    jobs.track(request.address, model, config.maxOutputTokens, work);
  }
}
