import type { ChatChunk, ChatResult, ChatStream } from "./inference-backend";

/**
 * Produces an answer: calls `emit` for every text piece in order, resolves with the final result.
 * `signal` fires when the request's own signal aborts or the reader stops iterating early.
 */
export type ChatProducer = (emit: (text: string) => void, signal: AbortSignal) => Promise<ChatResult>;

/**
 * Turns a callback-style producer into a {@link ChatStream}: the producer starts at once, emitted text is
 * buffered until read, and `result` settles with the producer.
 *
 * @example
 * const stream = createChatStream(async (emit) => {
 *   emit("Hello");
 *   return { text: "Hello", usage: { promptTokens: 3, completionTokens: 1 }, usageSource: "tokenizer", finishReason: "stop" };
 * });
 */
export function createChatStream(produce: ChatProducer, requestSignal?: AbortSignal): ChatStream {
  const buffered: string[] = [];
  let settled = false;
  let failure: { error: unknown } | undefined;
  let wake: (() => void) | undefined;
  let iterated = false;
  const readerGone = new AbortController();
  const signal = requestSignal ? AbortSignal.any([requestSignal, readerGone.signal]) : readerGone.signal;

  const notify = (): void => {
    const resume = wake;
    wake = undefined;
    resume?.();
  };
  const emit = (text: string): void => {
    if (text.length === 0 || settled) return;
    buffered.push(text);
    notify();
  };
  const result = (async () => produce(emit, signal))();
  // Attaching this handler also keeps an un-awaited `result` rejection from being reported as unhandled.
  result.then(
    () => {
      settled = true;
      notify();
    },
    (error: unknown) => {
      failure = { error };
      settled = true;
      notify();
    },
  );

  async function* chunks(): AsyncGenerator<ChatChunk, void, undefined> {
    try {
      for (;;) {
        const text = buffered.shift();
        if (text !== undefined) {
          yield { text };
          continue;
        }
        if (settled) {
          if (failure) throw failure.error;
          return;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    } finally {
      if (!settled) readerGone.abort(new Error("the reader stopped reading the chat stream"));
    }
  }

  return {
    result,
    [Symbol.asyncIterator]() {
      if (iterated) throw new TypeError("A ChatStream can be iterated only once");
      iterated = true;
      return chunks();
    },
  };
}
