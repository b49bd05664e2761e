/** Role of a chat message, as in OpenAI's chat API. */
export type ChatRole = "system" | "user" | "assistant";

/** One message of a conversation. */
export type ChatMessage = Readonly<{ role: ChatRole; content: string }>;

/** What to generate. */
export type StreamChatRequest = Readonly<{
  messages: readonly ChatMessage[];
  /** Upper bound on generated tokens (the stake pays for at most this many). */
  maxTokens: number;
  /** Sampling temperature; `0` (the default) is greedy decoding and gives reproducible text. */
  temperature?: number;
  /** Sampling seed, for reproducible output when `temperature > 0`. */
  seed?: number;
  /** Aborts generation; the stream then throws `signal.reason`. */
  signal?: AbortSignal;
}>;

/** A piece of generated text, in order; concatenating all chunks gives the answer. */
export type ChatChunk = Readonly<{ text: string }>;

/** Tokens counted for settlement (`complete_request(tokens_in, tokens_out)`). */
export type TokenUsage = Readonly<{ promptTokens: number; completionTokens: number }>;

/**
 * Where the usage numbers come from:
 * - `"tokenizer"`: counted with the model's own tokenizer (llama backend);
 * - `"reported"`: reported by the server (`usage` in the last SSE chunk);
 * - `"estimated"`: the server reported none: completion tokens = content chunks received,
 *   prompt tokens = ⌈UTF-8 bytes of the messages / 4⌉.
 */
export type UsageSource = "tokenizer" | "reported" | "estimated";

/** Why generation stopped: end of answer, `maxTokens` (or context) reached. */
export type FinishReason = "stop" | "length";

/** The outcome of a finished stream. */
export type ChatResult = Readonly<{
  /** The whole answer (the concatenation of all chunks). */
  text: string;
  usage: TokenUsage;
  usageSource: UsageSource;
  finishReason: FinishReason;
}>;

/**
 * A streaming answer: iterate it for the text chunks, then await `result` for the usage.
 *
 * Generation starts when `streamChat` is called (not at the first `next()`), chunks are buffered until
 * read, and the stream can be iterated once. On failure, iteration throws and `result` rejects with the
 * same error (a rejection nobody awaits is not reported as unhandled).
 *
 * @example
 * const stream = backend.streamChat({ messages: [{ role: "user", content: "Hi" }], maxTokens: 64 });
 * for await (const { text } of stream) process.stdout.write(text);
 * const { usage } = await stream.result; // { promptTokens, completionTokens }
 */
export type ChatStream = AsyncIterable<ChatChunk> & Readonly<{ result: Promise<ChatResult> }>;

/** A model server the provider node can run requests on. */
export type InferenceBackend = Readonly<{
  /** Human-readable identity, e.g. `llama:/path/model.gguf` or `openai:http://127.0.0.1:8080 (model)`. */
  describe: string;
  /** Starts generating an answer to `request.messages`. */
  streamChat(request: StreamChatRequest): ChatStream;
  /** Counts `text` with the model's tokenizer; absent where the backend offers no tokenizer. */
  countTokens?: (text: string) => Promise<number>;
  /**
   * Aborts running and queued requests, then releases the model / connections; they and later calls to
   * `streamChat` fail with `CHAINFERENCE_ERROR__BACKEND__CLOSED`.
   */
  close(): Promise<void>;
}>;
