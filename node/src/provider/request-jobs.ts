import type { Address } from "@solana/kit";

import type { ServedModelConfig } from "../config/node-config";
import { describeError } from "./describe-error";
import type { NodeEvent } from "./node-events";
import type { RecoveryOutcome } from "./recover-request";
import type { SpeedAverages } from "./speed-averages";

/** A request locked by this node and not yet settled: what it may still generate, and when it ends. */
type RequestJob = Readonly<{ model: ServedModelConfig; tokens: number; done: Promise<void> }>;

/** The requests this node is answering now. */
export type RequestJobs = Readonly<{
  /**
   * Tracks `work` (answering or recovering `request`, at most `tokens` answer tokens on `model`) until it ends,
   * then reports its outcome: `abandoned` is emitted, `stopped` counted, a completion's speed recorded.
   */
  track(request: Address, model: ServedModelConfig, tokens: number, work: Promise<RecoveryOutcome>): void;
  has(request: Address): boolean;
  count(): number;
  requests(): Address[];
  /**
   * Answer tokens a new request on `model` waits behind: none while the backend has a free slot (requests in
   * progress run beside it, at the measured per-request speed), else the jobs' tokens spread over the slots.
   */
  queuedTokens(model: ServedModelConfig): number;
  /** Resolves when every job tracked so far has ended. */
  allDone(): Promise<void>;
  /** Jobs that ended because the node stopped without draining: their requests stay locked for the next start. */
  leftLockedByStop(): number;
}>;

/**
 * Creates an empty job table that keeps `setActiveRequests` (the metrics gauge) equal to its size.
 *
 * @example
 * const jobs = createRequestJobs({ emit, speeds, setActiveRequests: metrics.setActiveRequests });
 */
export function createRequestJobs(input: {
  readonly emit: (event: NodeEvent) => void;
  readonly speeds: SpeedAverages;
  readonly setActiveRequests: (count: number) => void;
  /** Requests `model`'s backend generates at once (its slots); default 1 (one at a time). */
  readonly slotsFor?: (model: ServedModelConfig) => number;
}): RequestJobs {
  const { emit, speeds, setActiveRequests } = input;
  const slotsFor = input.slotsFor ?? (() => 1);
  const jobs = new Map<Address, RequestJob>();
  let leftLockedByStop = 0;

  const report = (request: Address, model: ServedModelConfig, outcome: RecoveryOutcome): void => {
    if (outcome.status === "abandoned") emit({ type: "abandoned", request, reason: outcome.reason });
    if (outcome.status === "stopped") leftLockedByStop += 1;
    if (outcome.status === "completed" && outcome.tokensPerSecond !== null) speeds.record(model, outcome.tokensPerSecond);
  };

  return {
    track(request, model, tokens, work) {
      const done = work
        .then((outcome) => report(request, model, outcome))
        .catch((error: unknown) => emit({ type: "abandoned", request, reason: `unexpected failure: ${describeError(error)}` }))
        .finally(() => {
          jobs.delete(request);
          setActiveRequests(jobs.size);
        });
      jobs.set(request, { model, tokens, done });
      setActiveRequests(jobs.size);
    },
    has: (request) => jobs.has(request),
    count: () => jobs.size,
    requests: () => [...jobs.keys()],
    queuedTokens: (model) => {
      const running = [...jobs.values()].filter((j) => j.model.hfId === model.hfId);
      const slots = Math.max(1, slotsFor(model));
      if (running.length < slots) return 0;
      return Math.ceil(running.reduce((n, j) => n + j.tokens, 0) / slots);
    },
    allDone: async () => {
      await Promise.all([...jobs.values()].map((j) => j.done));
    },
    leftLockedByStop: () => leftLockedByStop,
  };
}
