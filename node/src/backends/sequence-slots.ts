import type { BackendSlotUsage } from "./inference-backend";

/** A fixed set of slots (a context's sequences) handed out first come, first served. */
export type SequenceSlots<S> = Readonly<{
  /**
   * A free slot, at once when there is one, else after every earlier caller got theirs. Rejects with
   * `signal.reason` when `signal` aborts first (the caller then leaves the queue).
   */
  acquire(signal?: AbortSignal): Promise<S>;
  /** Gives a slot back: to the longest-waiting caller, else to the free list. */
  release(slot: S): void;
  usage(): BackendSlotUsage;
}>;

/**
 * A first-in-first-out pool over `slots`: requests beyond them queue in arrival order, so a request never
 * overtakes an earlier one and none starves.
 *
 * @example
 * const pool = createSequenceSlots([a, b]);
 * const slot = await pool.acquire(signal);
 * try { await answerOn(slot); } finally { pool.release(slot); }
 */
export function createSequenceSlots<S>(slots: readonly S[]): SequenceSlots<S> {
  if (slots.length === 0) throw new RangeError("a slot pool needs at least one slot");
  const free = [...slots];
  const waiting: { grant: (slot: S) => void }[] = [];
  return {
    acquire(signal) {
      if (signal?.aborted) return Promise.reject(signal.reason as Error);
      const slot = free.shift();
      if (slot !== undefined) return Promise.resolve(slot);
      return new Promise<S>((resolve, reject) => {
        const waiter = {
          grant: (granted: S) => {
            signal?.removeEventListener("abort", onAbort);
            resolve(granted);
          },
        };
        const onAbort = (): void => {
          waiting.splice(waiting.indexOf(waiter), 1);
          reject(signal?.reason as Error);
        };
        signal?.addEventListener("abort", onAbort, { once: true });
        waiting.push(waiter);
      });
    },
    release(slot) {
      const next = waiting.shift();
      if (next) next.grant(slot);
      else free.push(slot);
    },
    usage: () => ({ slots: slots.length, busy: slots.length - free.length, waiting: waiting.length }),
  };
}
