/** A small typed event channel: listeners, a bounded history, and a promise for the next matching event. */
export type EventHub<E> = Readonly<{
  /** Delivers `event` to every listener (a throwing listener is reported to `onListenerError`, never to the emitter). */
  emit(event: E): void;
  /** Calls `listener` for every later event; returns the unsubscribe function. */
  subscribe(listener: (event: E) => void): () => void;
  /**
   * The first event (already emitted, when `includePast` is true (default), or later) that matches.
   * Rejects after `timeoutMs` (default 60 s) naming what it waited for.
   */
  waitFor<T extends E>(predicate: ((event: E) => event is T) | ((event: E) => boolean), options?: WaitOptions): Promise<T>;
  /** The last events, oldest first (at most `historyLimit`). */
  history(): readonly E[];
}>;

export type WaitOptions = Readonly<{ timeoutMs?: number; includePast?: boolean; description?: string }>;

/**
 * Creates an {@link EventHub}.
 *
 * @example
 * const hub = createEventHub<{ type: string }>();
 * const done = hub.waitFor((e) => e.type === "done");
 * hub.emit({ type: "done" });
 * await done;
 */
export function createEventHub<E>(options: { historyLimit?: number; onListenerError?: (error: unknown) => void } = {}): EventHub<E> {
  const limit = options.historyLimit ?? 10_000;
  const listeners = new Set<(event: E) => void>();
  const past: E[] = [];

  const emit = (event: E): void => {
    past.push(event);
    if (past.length > limit) past.splice(0, past.length - limit);
    for (const listener of [...listeners]) {
      try {
        listener(event);
      } catch (error) {
        options.onListenerError?.(error);
      }
    }
  };
  const subscribe = (listener: (event: E) => void): (() => void) => {
    listeners.add(listener);
    return () => listeners.delete(listener);
  };
  const waitFor = <T extends E>(predicate: (event: E) => boolean, wait: WaitOptions = {}): Promise<T> => {
    if (wait.includePast ?? true) {
      const found = past.find(predicate);
      if (found !== undefined) return Promise.resolve(found as T);
    }
    return new Promise<T>((resolve, reject) => {
      const timeoutMs = wait.timeoutMs ?? 60_000;
      const timer = setTimeout(() => {
        unsubscribe();
        reject(new Error(`no ${wait.description ?? "matching event"} within ${timeoutMs} ms`));
      }, timeoutMs);
      const unsubscribe = subscribe((event) => {
        if (!predicate(event)) return;
        clearTimeout(timer);
        unsubscribe();
        resolve(event as T);
      });
    });
  };
  return { emit, subscribe, waitFor, history: () => past };
}
