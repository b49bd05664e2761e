import { availableParallelism } from "node:os";

import type { ChatHistoryItem, ChatWrapper, LlamaContext, LlamaContextSequence, LlamaModel } from "node-llama-cpp";

import { assertModelFileIsValid, fileSize, getDefaultModelPath, type ModelFileExpectation } from "../models/model-cache";
import { DEFAULT_MODEL } from "../models/default-model";
import {
  CHAINFERENCE_ERROR__BACKEND__CLOSED,
  CHAINFERENCE_ERROR__BACKEND__CONTEXT_OVERFLOW,
  CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT,
  CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING,
  ChainferenceBackendError,
} from "./backend-error";
import { describeCause } from "./describe-cause";
import { createChatStream } from "./chat-stream";
import { getLlamaRuntime, type LlamaBindings, type LlamaRuntime } from "./llama-runtime";
import type { ChatMessage, ChatResult, FinishReason, InferenceBackend, StreamChatRequest } from "./inference-backend";

/** Loading stages reported to `onProgress`, each with a fraction in [0, 1]. */
export type LlamaLoadProgress = Readonly<{ phase: "verify" | "runtime" | "load" | "context"; fraction: number }>;

/** Options of {@link createLlamaBackend}. */
export type LlamaBackendOptions = Readonly<{
  /** A GGUF file on disk. */
  modelPath: string;
  /** When given, the file's size and sha256 are checked before loading (~0.3 s for 100 MB). */
  expectedFile?: ModelFileExpectation;
  /** Context window in tokens (prompt + answer); default 2048. */
  contextSize?: number;
  /** CPU threads for evaluation; default {@link defaultEmbeddedThreads}. */
  threads?: number;
  /** Loading progress: verify (hashing), runtime (llama.cpp binary), load (weights), context. */
  onProgress?: (progress: LlamaLoadProgress) => void;
  /**
   * llama.cpp log lines of level warn and above while this backend lives; dropped by default (load errors
   * still appear in the `MODEL_CORRUPT` message). The llama.cpp runtime is shared by the process.
   */
  onLog?: (level: "warn" | "error", message: string) => void;
}>;

/** A llama.cpp backend, with what it measured while loading. */
export type LlamaBackend = InferenceBackend &
  Readonly<{
    contextSize: number;
    threads: number;
    /** Name of the chat template in use (`JinjaTemplate` when the GGUF carries one). */
    chatTemplate: string;
    /** Milliseconds spent starting the runtime, loading the weights and creating the context. */
    loadMs: number;
  }>;

const DEFAULT_CONTEXT_SIZE = 2048;

/**
 * Loads a GGUF model in-process with node-llama-cpp's prebuilt CPU binary (no GPU, never builds or
 * downloads anything) and serves chats with the model's own chat template.
 *
 * Requests run one at a time on a single context sequence that is cleared before each request, so answers
 * never depend on an earlier client's prompt and `temperature: 0` reproduces the same text.
 * Token counts come from the model's tokenizer: `promptTokens` is the rendered prompt, `completionTokens`
 * the answer's tokens (stop tokens excluded).
 *
 * @throws `CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING` (no file), `..._MODEL_CORRUPT` (sha mismatch or
 *   load failure), `..._RUNTIME_UNAVAILABLE` (no usable prebuilt binary).
 * @example
 * const backend = await createLlamaBackend({ modelPath, onProgress: (p) => console.log(p.phase, p.fraction) });
 * const stream = backend.streamChat({ messages: [{ role: "user", content: "Hi" }], maxTokens: 32 });
 * for await (const { text } of stream) process.stdout.write(text);
 * console.log((await stream.result).usage);
 * await backend.close();
 */
export async function createLlamaBackend(options: LlamaBackendOptions): Promise<LlamaBackend> {
  const { modelPath, onProgress } = options;
  const contextSize = options.contextSize ?? DEFAULT_CONTEXT_SIZE;
  const threads = options.threads ?? defaultEmbeddedThreads();

  if ((await fileSize(modelPath)) === undefined) {
    throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING, { path: modelPath });
  }
  if (options.expectedFile) {
    const { sizeBytes } = options.expectedFile;
    onProgress?.({ phase: "verify", fraction: 0 });
    await assertModelFileIsValid(modelPath, options.expectedFile, (bytes) =>
      onProgress?.({ phase: "verify", fraction: bytes / sizeBytes }),
    );
  }

  const started = performance.now();
  const runtime = await getLlamaRuntime();
  onProgress?.({ phase: "runtime", fraction: 1 });
  const recentErrors: string[] = [];
  const stopListening = runtime.listen((level, message) => {
    if (level !== "error") return;
    recentErrors.push(message.trim());
    if (recentErrors.length > 4) recentErrors.shift();
  });
  const stopForwarding = options.onLog ? runtime.listen(options.onLog) : () => undefined;
  const loaded = await loadModelAndContext(runtime, { modelPath, contextSize, threads, onProgress })
    .catch((error: unknown) => {
      stopForwarding();
      const reason = [describeCause(error), ...recentErrors].join("; ");
      throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT, { path: modelPath, reason }, { cause: error });
    })
    .finally(stopListening);
  const loadMs = performance.now() - started;
  return serveChats({ ...loaded, modelPath, contextSize, threads, loadMs, onClose: stopForwarding });
}

/**
 * {@link createLlamaBackend} for the embedded default model in the fetch-model cache, with its sha256 checked.
 *
 * @example
 * const backend = await createDefaultLlamaBackend(); // after scripts/fetch-model
 */
export function createDefaultLlamaBackend(options: Omit<LlamaBackendOptions, "modelPath" | "expectedFile"> = {}): Promise<LlamaBackend> {
  return createLlamaBackend({ ...options, modelPath: getDefaultModelPath(), expectedFile: DEFAULT_MODEL });
}

/**
 * Maps OpenAI-style messages to node-llama-cpp's chat history, ending with the empty model turn to generate.
 *
 * @example
 * toChatHistory([{ role: "user", content: "Hi" }]); // [{ type: "user", text: "Hi" }, { type: "model", response: [] }]
 */
export function toChatHistory(messages: readonly ChatMessage[]): ChatHistoryItem[] {
  const history: ChatHistoryItem[] = messages.map((message): ChatHistoryItem => {
    switch (message.role) {
      case "system":
        return { type: "system", text: message.content };
      case "user":
        return { type: "user", text: message.content };
      case "assistant":
        return { type: "model", response: [message.content] };
    }
  });
  history.push({ type: "model", response: [] });
  return history;
}

/**
 * Evaluation threads when none are configured: every core but one (at least 1, at most 8). llama.cpp's worker
 * threads spin at barriers, so using every core while the node (chain I/O, encryption, streaming) or anything
 * else needs one collapses throughput: on 2 busy cores the 135M default model ran at 1.5 tok/s with 2 threads
 * and 33 tok/s with 1 (2 threads only win on prompt evaluation when the machine is idle).
 *
 * @example
 * defaultEmbeddedThreads(2); // 1
 * defaultEmbeddedThreads(16); // 8
 */
export function defaultEmbeddedThreads(cores: number = availableParallelism()): number {
  return Math.min(8, Math.max(1, cores - 1));
}

/** Maps node-llama-cpp's stop reason to a {@link FinishReason}. */
export function fromLlamaStopReason(stopReason: string): FinishReason {
  return stopReason === "maxTokens" ? "length" : "stop";
}

/** Prefers the GGUF's own Jinja chat template; falls back to node-llama-cpp's detection without one. */
function resolveModelChatWrapper(model: LlamaModel, { resolveChatWrapper }: LlamaBindings): ChatWrapper {
  const hasTemplate = typeof model.fileInfo.metadata.tokenizer?.chat_template === "string";
  return resolveChatWrapper(model, hasTemplate ? { type: "jinjaTemplate" } : {});
}

type Loaded = {
  model: LlamaModel;
  context: LlamaContext;
  sequence: LlamaContextSequence;
  chatWrapper: ChatWrapper;
  LlamaChat: LlamaBindings["LlamaChat"];
};

async function loadModelAndContext(
  { llama, bindings }: LlamaRuntime,
  options: Pick<LlamaBackendOptions, "onProgress"> & { modelPath: string; contextSize: number; threads: number },
): Promise<Loaded> {
  const { onProgress } = options;
  const model = await llama.loadModel({
    modelPath: options.modelPath,
    gpuLayers: 0,
    onLoadProgress: (fraction) => onProgress?.({ phase: "load", fraction }),
  });
  try {
    const context = await model.createContext({
      contextSize: options.contextSize,
      threads: options.threads,
      sequences: 1,
    });
    onProgress?.({ phase: "context", fraction: 1 });
    return {
      model,
      context,
      sequence: context.getSequence(),
      chatWrapper: resolveModelChatWrapper(model, bindings),
      LlamaChat: bindings.LlamaChat,
    };
  } catch (error) {
    await model.dispose();
    throw error;
  }
}

type Served = Loaded & { modelPath: string; contextSize: number; threads: number; loadMs: number; onClose: () => void };

function serveChats(served: Served): LlamaBackend {
  const { model, context, sequence, chatWrapper, contextSize, LlamaChat } = served;
  const describe = `llama:${served.modelPath}`;
  const closing = new AbortController();
  let queue: Promise<unknown> = Promise.resolve();

  /** Runs `task` after every earlier request has finished (one sequence, one request at a time). */
  function exclusive<T>(task: () => Promise<T>): Promise<T> {
    const run = queue.then(task, task);
    queue = run.catch(() => undefined);
    return run;
  }

  async function generate(request: StreamChatRequest, emit: (text: string) => void, signal: AbortSignal): Promise<ChatResult> {
    if (closing.signal.aborted) throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__CLOSED, { backend: describe });
    assertIsPositiveInteger(request.maxTokens, "maxTokens");
    const history = toChatHistory(request.messages);
    const prompt = chatWrapper.generateContextState({ chatHistory: history }).contextText;
    const promptTokens = prompt.tokenize(model.tokenizer).length;
    const room = contextSize - promptTokens;
    if (room <= 0) {
      throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__CONTEXT_OVERFLOW, { promptTokens, contextSize });
    }
    return exclusive(async () => {
      closing.signal.throwIfAborted();
      signal.throwIfAborted();
      await sequence.clearHistory();
      const chat = new LlamaChat({ contextSequence: sequence, chatWrapper });
      let completionTokens = 0;
      let text = "";
      try {
        const response = await chat.generateResponse(history, {
          maxTokens: Math.min(request.maxTokens, room),
          temperature: request.temperature ?? 0,
          ...(request.seed === undefined ? {} : { seed: request.seed }),
          signal: AbortSignal.any([signal, closing.signal]),
          onToken: (tokens) => (completionTokens += tokens.length),
          onTextChunk: (chunk) => {
            text += chunk;
            emit(chunk);
          },
        });
        const finishReason = fromLlamaStopReason(response.metadata.stopReason);
        return { text, usage: { promptTokens, completionTokens }, usageSource: "tokenizer", finishReason };
      } finally {
        chat.dispose({ disposeSequence: false });
      }
    });
  }

  return {
    describe,
    contextSize,
    threads: served.threads,
    chatTemplate: chatWrapper.wrapperName,
    loadMs: served.loadMs,
    streamChat: (request) => createChatStream((emit, signal) => generate(request, emit, signal), request.signal),
    countTokens: async (text) => model.tokenize(text).length,
    async close() {
      if (closing.signal.aborted) return;
      closing.abort(new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__CLOSED, { backend: describe }));
      await queue;
      await context.dispose();
      await model.dispose();
      served.onClose();
    },
  };
}

function assertIsPositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}
