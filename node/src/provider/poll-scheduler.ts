import { describeError } from "./describe-error";

/** Runs the node's poll of open requests every interval, or at once when a notification wakes it. */
export type PollScheduler = Readonly<{
  /** Runs the first poll now; the next ones follow every `intervalMs`. */
  start(): void;
  /** Something changed on-chain: poll now (or right after the poll in progress) instead of at the next interval. */
  wake(): void;
  /** No further poll starts; the one in progress, if any, runs on ({@link PollScheduler.idle}). */
  stop(): void;
  /** Resolves when the poll in progress (if any) has ended. */
  idle(): Promise<void>;
}>;

/** Everything the scheduler decides with; nothing else is mutable. */
type SchedulerState = {
  accepting: boolean;
  /** The next poll, when one is scheduled. */
  timer: NodeJS.Timeout | null;
  /** The poll in progress, or the last one. */
  running: Promise<void>;
  /** A poll runs or is about to. True from creation until the first poll ends, so a wake during crash recovery waits. */
  polling: boolean;
  /** A wake came during the poll in progress, which may have missed what it announced: poll again at once. */
  woken: boolean;
  /** The last poll's failure, reported once until a poll succeeds or fails otherwise. */
  lastError: string | null;
};

/**
 * Creates a stopped-until-started scheduler for `poll`. A poll's failure is passed to `onError` (once while it
 * repeats) and never stops the schedule.
 *
 * @example
 * const scheduler = createPollScheduler({ poll: (isAccepting) => pollOpenRequests({ ...input, isAccepting }), intervalMs: config.pollIntervalMs, onError: (error) => emit({ type: "error", where: "polling open requests", error }) });
 * chain.subscribeAccountChanges?.(query, scheduler.wake);
 * scheduler.start();
 */
export function createPollScheduler(input: {
  /** One poll; `isAccepting` turns false when the node stops, and the poll then takes no further request. */
  readonly poll: (isAccepting: () => boolean) => Promise<void>;
  readonly intervalMs: number;
  readonly onError: (message: string) => void;
}): PollScheduler {
  const state: SchedulerState = { accepting: true, timer: null, running: Promise.resolve(), polling: true, woken: false, lastError: null };
  const isAccepting = (): boolean => state.accepting;

  const pollNow = (): void => {
    if (!state.accepting) return;
    if (state.timer) clearTimeout(state.timer);
    state.timer = null;
    state.polling = true;
    state.woken = false;
    state.running = input
      .poll(isAccepting)
      .then(() => {
        state.lastError = null;
      })
      .catch((error: unknown) => {
        const message = describeError(error);
        if (message !== state.lastError) input.onError(message);
        state.lastError = message;
      })
      .finally(() => {
        state.polling = false;
        if (state.accepting) state.timer = setTimeout(pollNow, state.woken ? 0 : input.intervalMs);
      });
  };

  return {
    start: pollNow,
    wake() {
      if (!state.accepting) return;
      if (state.polling) state.woken = true;
      else {
        // Out of the notifier's call stack (LiteSVM notifies from inside the landing transaction).
        state.polling = true;
        queueMicrotask(pollNow);
      }
    },
    stop() {
      state.accepting = false;
      if (state.timer) clearTimeout(state.timer);
    },
    idle: () => state.running,
  };
}
