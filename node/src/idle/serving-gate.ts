import type { LoadSource } from "./machine-load";
import { readPauseFile } from "./pause-file";
import { isWithinServeHours, type ServeHours } from "./serve-hours";

/** When a node takes work (docs/provider-node.md "Idle-time serving"); every condition off = always, unless paused by hand. */
export type IdlePolicy = Readonly<{
  /** Pause while other programs keep the CPU at or above this share (percent of all cores); null = ignore the CPU. */
  cpuBelowPercent: number | null;
  /** Pause while a GPU is at or above this utilization (checked while the node holds no work); null = ignore GPUs. */
  gpuBelowPercent: number | null;
  /** Take work only inside these daily windows (local time); null = at any hour. */
  serveHours: ServeHours | null;
  /** How often load, schedule and the pause file are read. */
  sampleIntervalMs: number;
  /** A load pause ends once the load has stayed below the thresholds this long (no flapping on short bursts). */
  resumeAfterMs: number;
}>;

/** Whether the node takes new work, and why not. */
export type ServingState = Readonly<{ paused: boolean; reason: string | null; sinceMs: number }>;

/** Decides, sample by sample, whether the node takes new requests and session answers. */
export type ServingGate = Readonly<{
  /** False while paused: no new lock, no new session answer (work in progress finishes). */
  acceptingWork(): boolean;
  state(): ServingState;
  /** Reads the pause file, the clock and the load now. */
  refresh(): Promise<ServingState>;
  start(): void;
  stop(): void;
}>;

/** Idle policy with nothing but the hand pause: sample every 2 s, resume 10 s after the load falls. */
export function defaultIdlePolicy(): IdlePolicy {
  return { cpuBelowPercent: null, gpuBelowPercent: null, serveHours: null, sampleIntervalMs: 2_000, resumeAfterMs: 10_000 };
}

const percent = (value: number): string => `${Math.round(value)} %`;

/**
 * Creates the gate of one node: paused by hand (the pause file), outside the serve hours, or while the machine's
 * other load is at or above a threshold (it resumes after the load stays below for `resumeAfterMs`).
 *
 * @example
 * const gate = createServingGate({ policy, keyringPath, loadSource: createMachineLoadSource(), ownWorkInFlight: () => jobs.count() > 0, onChange });
 * gate.start();
 */
export function createServingGate(input: {
  readonly policy: IdlePolicy;
  readonly keyringPath: string;
  readonly loadSource: LoadSource;
  /** True while the node answers something (a GPU reading then includes its own kernels and is not judged). */
  readonly ownWorkInFlight: () => boolean;
  readonly onChange: (state: ServingState) => void;
  readonly now?: () => Date;
}): ServingGate {
  const { policy } = input;
  const now = input.now ?? (() => new Date());
  let state: ServingState = { paused: false, reason: null, sinceMs: now().getTime() };
  let load: { reason: string; lastOverMs: number } | null = null;
  let running: Promise<ServingState> = Promise.resolve(state);
  let timer: NodeJS.Timeout | null = null;
  const watchesLoad = policy.cpuBelowPercent !== null || policy.gpuBelowPercent !== null;

  const overThreshold = async (): Promise<string | null | undefined> => {
    const sample = await input.loadSource();
    if (policy.cpuBelowPercent !== null && sample.cpuPercent !== null && sample.cpuPercent >= policy.cpuBelowPercent)
      return `CPU busy with other work: ${percent(sample.cpuPercent)} (serves below ${percent(policy.cpuBelowPercent)})`;
    const gpuJudged = policy.gpuBelowPercent !== null && sample.gpuPercent !== null && !input.ownWorkInFlight();
    if (gpuJudged && sample.gpuPercent! >= policy.gpuBelowPercent!)
      return `GPU busy: ${percent(sample.gpuPercent!)} (serves below ${percent(policy.gpuBelowPercent!)})`;
    // No reading yet (the first CPU sample), or a GPU reading that would include the node's own work: no verdict.
    if (sample.cpuPercent === null && (policy.cpuBelowPercent !== null || !gpuJudged)) return undefined;
    return null;
  };

  const evaluate = async (): Promise<ServingState> => {
    const at = now();
    const manual = await readPauseFile(input.keyringPath);
    if (watchesLoad) {
      const over = await overThreshold();
      if (over) load = { reason: over, lastOverMs: at.getTime() };
      else if (over === null && load && at.getTime() - load.lastOverMs >= policy.resumeAfterMs) load = null;
    }
    const reason =
      manual !== null
        ? `paused by the operator${manual ? `: ${manual}` : ""}`
        : policy.serveHours && !isWithinServeHours(policy.serveHours, at)
          ? `outside serve hours ${policy.serveHours.text}`
          : (load?.reason ?? null);
    const paused = reason !== null;
    if (paused !== state.paused) {
      state = { paused, reason, sinceMs: at.getTime() };
      input.onChange(state);
    } else if (reason !== state.reason) state = { ...state, reason };
    return state;
  };

  /** Evaluations run one after another; a refresh always reads after the call (a pause file just written counts). */
  const refresh = (): Promise<ServingState> => {
    const next = running.then(evaluate, evaluate);
    running = next.catch(() => state);
    return next;
  };
  let ticking = false;
  const tick = (): void => {
    if (ticking) return;
    ticking = true;
    void refresh()
      .catch(() => {})
      .finally(() => {
        ticking = false;
      });
  };

  return {
    acceptingWork: () => !state.paused,
    state: () => state,
    refresh,
    start() {
      tick();
      timer = setInterval(tick, policy.sampleIntervalMs);
      timer.unref();
    },
    stop() {
      if (timer) clearInterval(timer);
      timer = null;
    },
  };
}
