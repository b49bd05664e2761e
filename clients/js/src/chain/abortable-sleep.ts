/** Waiting that an AbortSignal cuts short, without leaving a listener behind per wait. */

/**
 * Resolves after `ms`, or at once when `signal` aborts. The abort listener is removed when the timer fires, so
 * a loop that sleeps on one long-lived signal does not pile up listeners (Node's `MaxListenersExceededWarning`
 * after 10).
 *
 * @example
 * while (!stop.signal.aborted) await abortableSleep(2_000, stop.signal);
 */
export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise<void>((resolve) => {
    if (signal?.aborted) return resolve();
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}
