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

/** Where an in-process backend runs its model; logged at start and exported as metrics. */
export type BackendPlacement = Readonly<{
  /** The llama.cpp build in use: `cpu`, or the GPU API it offloads to. */
  device: "cpu" | "cuda" | "vulkan" | "metal";
  /** GPU names as the driver reports them (empty on the CPU). */
  gpuNames: readonly string[];
  /** Model layers offloaded to the GPU, of `totalLayers`. */
  gpuLayers: number;
  totalLayers: number;
  /** CPU threads for evaluation. */
  threads: number;
  /** Requests generated at once (parallel sequences in one batch); later ones wait for a slot, first come first served. */
  slots: number;
  /** Most tokens evaluated in one batched step (prompts are cut into pieces of at most this size). */
  batchSize: number;
  /** Most prompt tokens per step, after one token for each running answer (new requests start in arrival order). */
  promptTokensPerStep: number;
  /**
   * Tokens of the chat template's fixed opening kept evaluated in every idle slot (the same for every client,
   * so reusing them reveals nothing about anyone's prompt); a prompt evaluates only what follows them.
   */
  templatePrefixTokens: number;
}>;

/** Busy slots and requests waiting for one, now. */
export type BackendSlotUsage = Readonly<{ slots: number; busy: number; waiting: number }>;

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
  /** Where the model runs (in-process backends only). */
  placement?: BackendPlacement;
  /** Slots in use and requests queued for one (in-process backends only). */
  slotUsage?: () => BackendSlotUsage;
}>;
