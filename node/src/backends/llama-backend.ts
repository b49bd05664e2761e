import { setMaxListeners } from "node:events";
import { availableParallelism } from "node:os";

import type { ChatHistoryItem, ChatWrapper, LlamaContext, LlamaContextSequence, LlamaModel, Token } from "node-llama-cpp";

import { assertModelFileIsValid, fileSize, getDefaultModelPath, type ModelFileExpectation } from "../models/model-cache";
import { assertIsGgufModelFile, type ModelFileCheck } from "../models/model-file";
import { DEFAULT_MODEL } from "../models/default-model";
import {
  CHAINFERENCE_ERROR__BACKEND__CLOSED,
  CHAINFERENCE_ERROR__BACKEND__CONTEXT_OVERFLOW,
  CHAINFERENCE_ERROR__BACKEND__CONTEXT_UNAVAILABLE,
  CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT,
  CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING,
  CHAINFERENCE_ERROR__BACKEND__NO_CHAT_TEMPLATE,
  ChainferenceBackendError,
  isChainferenceBackendError,
} from "./backend-error";
import { describeCause } from "./describe-cause";
import { createChatStream } from "./chat-stream";
import { getLlamaRuntime, type LlamaBindings, type LlamaDevice, type LlamaGpuMode, type LlamaRuntime } from "./llama-runtime";
import { createSequenceSlots } from "./sequence-slots";
import { fairStartsStrategy, queuedSequenceOf } from "./fair-batching";
import type { BackendPlacement, ChatMessage, ChatResult, FinishReason, InferenceBackend, StreamChatRequest } from "./inference-backend";

/** Loading stages reported to `onProgress`, each with a fraction in [0, 1]. */
export type LlamaLoadProgress = Readonly<{ phase: "verify" | "runtime" | "load" | "context"; fraction: number }>;

/** Options of {@link createLlamaBackend}. */
export type LlamaBackendOptions = Readonly<{
  /** A GGUF file on disk. */
  modelPath: string;
  /**
   * The embedded default model's identity: size and sha256 checked before loading (~0.3 s for 100 MB); a
   * mismatch is `MODEL_CORRUPT` (fetch it again).
   */
  expectedFile?: ModelFileExpectation;
  /** An operator's model file: the GGUF magic always, size and sha256 when given; a mismatch is `MODEL_MISMATCH`. */
  fileCheck?: ModelFileCheck;
  /** Context window of each request in tokens (prompt + answer); default 2048. */
  contextSize?: number;
  /** CPU threads for evaluation; default {@link defaultEmbeddedThreads}. */
  threads?: number;
  /** Requests generated at once, as parallel sequences of one batch; default {@link defaultEmbeddedSlots}. */
  slots?: number;
  /** Most requests the caller runs at once (the node's `concurrency`): the default `slots` derive from it. */
  concurrency?: number;
  /** Most tokens evaluated in one step; default 512 (node-llama-cpp's). */
  batchSize?: number;
  /** Most prompt tokens added to one step behind the running answers' next tokens; default {@link DEFAULT_PROMPT_TOKENS_PER_STEP}. */
  promptTokensPerStep?: number;
  /** llama.cpp build: `auto` (default) offloads to a CUDA or Vulkan GPU when one works, else the CPU. */
  gpu?: LlamaGpuMode;
  /** Layers offloaded to the GPU: `auto` (default: as many as fit in free VRAM), `max`, or a number. */
  gpuLayers?: number | "auto" | "max";
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
    placement: BackendPlacement;
  }>;

const DEFAULT_CONTEXT_SIZE = 2048;

/** Prompt tokens per batched step unless configured (see {@link fairStartsStrategy}). */
export const DEFAULT_PROMPT_TOKENS_PER_STEP = 64;

/**
 * On the CPU, an answer's first this many tokens go before the next prompt and older answers' tokens: the node's
 * first chunk waits for 4 tokens (`flush.firstChunkTokens`), so this is when a request becomes visible.
 */
const FIRST_TOKENS_FIRST = 4;

/**
 * Loads a GGUF model in-process with node-llama-cpp's prebuilt binaries (CPU, or CUDA / Vulkan when `gpu`
 * allows; never builds or downloads anything) and serves chats with the model's own chat template.
 *
 * Concurrency: one context with `slots` sequences. Each request gets a sequence of its own, cleared first,
 * so its answer never depends on another client's prompt; the requests in progress are decoded together in
 * one batch per step (llama.cpp batched decoding: a new request's prompt joins the running batch at the next
 * step). Requests beyond `slots` wait for one in arrival order. llama.cpp's numerics depend slightly on
 * what else is in a batch, so a `temperature: 0` answer reproduces exactly when requests run alone, and may
 * drift after some tokens when it shares batches with others (each answer is still its own prompt's).
 * Token counts come from the model's tokenizer: `promptTokens` is the rendered prompt, `completionTokens`
 * the answer's tokens (stop tokens excluded).
 *
 * @throws `CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING` (no file), `..._MODEL_NOT_GGUF`, `..._MODEL_MISMATCH`
 *   (against `fileCheck`), `..._MODEL_CORRUPT` (against `expectedFile`, or a load failure),
 *   `..._NO_CHAT_TEMPLATE`, `..._CONTEXT_UNAVAILABLE` (not enough memory for the slots), `..._RUNTIME_UNAVAILABLE`
 *   (no usable prebuilt binary for `gpu`).
 * @example
 * const backend = await createLlamaBackend({ modelPath, slots: 8, onProgress: (p) => console.log(p.phase, p.fraction) });
 * const stream = backend.streamChat({ messages: [{ role: "user", content: "Hi" }], maxTokens: 32 });
 * for await (const { text } of stream) process.stdout.write(text);
 * console.log((await stream.result).usage, backend.placement.device);
 * await backend.close();
 */
export async function createLlamaBackend(options: LlamaBackendOptions): Promise<LlamaBackend> {
  const { modelPath, onProgress } = options;
  const contextSize = options.contextSize ?? DEFAULT_CONTEXT_SIZE;
  const threads = options.threads ?? defaultEmbeddedThreads();
  if (options.slots !== undefined) assertIsPositiveInteger(options.slots, "slots");

  if (options.expectedFile) {
    if ((await fileSize(modelPath)) === undefined) {
      throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING, { path: modelPath });
    }
    const { sizeBytes } = options.expectedFile;
    onProgress?.({ phase: "verify", fraction: 0 });
    await assertModelFileIsValid(modelPath, options.expectedFile, (bytes) =>
      onProgress?.({ phase: "verify", fraction: bytes / sizeBytes }),
    );
  } else {
    await assertIsGgufModelFile(modelPath, options.fileCheck, (bytes, size) => onProgress?.({ phase: "verify", fraction: bytes / size }));
  }

  const started = performance.now();
  const runtime = await getLlamaRuntime(options.gpu ?? "auto");
  onProgress?.({ phase: "runtime", fraction: 1 });
  const slots = options.slots ?? defaultEmbeddedSlots({ device: runtime.device, concurrency: options.concurrency });
  const recentErrors: string[] = [];
  const stopListening = runtime.listen((level, message) => {
    if (level !== "error") return;
    recentErrors.push(message.trim());
    if (recentErrors.length > 4) recentErrors.shift();
  });
  const stopForwarding = options.onLog ? runtime.listen(options.onLog) : () => undefined;
  const loaded = await loadModelAndContext(runtime, {
    modelPath,
    contextSize,
    threads,
    slots,
    batchSize: options.batchSize,
    promptTokensPerStep: options.promptTokensPerStep ?? DEFAULT_PROMPT_TOKENS_PER_STEP,
    gpuLayers: options.gpuLayers ?? "auto",
    onProgress,
    recentErrors,
  })
    .catch((error: unknown) => {
      stopForwarding();
      throw error;
    })
    .finally(stopListening);
  const loadMs = performance.now() - started;
  return serveChats({ ...loaded, modelPath, contextSize, loadMs, onClose: stopForwarding });
}

/**
 * {@link createLlamaBackend} for the embedded default model in the fetch-model cache, with its sha256 checked.
 *
 * @example
 * const backend = await createDefaultLlamaBackend(); // after scripts/fetch-model
 */
export function createDefaultLlamaBackend(
  options: Omit<LlamaBackendOptions, "modelPath" | "expectedFile" | "fileCheck"> = {},
): Promise<LlamaBackend> {
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

/** Most slots a CPU gets by default (see {@link defaultEmbeddedSlots}). */
export const CPU_DEFAULT_SLOTS = 8;

/**
 * Parallel sequences when none are configured: one per request the node locks at once (`concurrency`), on a
 * CPU at most {@link CPU_DEFAULT_SLOTS}. A GPU gains throughput with every request added to a step (its
 * matrix units idle on one sequence), so every locked request gets a slot there. A CPU is compute-bound: a
 * step of 8 sequences costs much less than 8 steps of one (the weights are read once), but beyond that each
 * added sequence mostly adds its own work and its KV cache, while the node's per-token work for all of them
 * shares the core llama.cpp leaves free.
 *
 * @example
 * defaultEmbeddedSlots(); // 8
 * defaultEmbeddedSlots({ device: "cpu", concurrency: 32 }); // 8
 * defaultEmbeddedSlots({ device: "cuda", concurrency: 32 }); // 32
 */
export function defaultEmbeddedSlots(input: { device?: LlamaDevice; concurrency?: number } = {}): number {
  const concurrency = input.concurrency ?? CPU_DEFAULT_SLOTS;
  return (input.device ?? "cpu") === "cpu" ? Math.min(concurrency, CPU_DEFAULT_SLOTS) : concurrency;
}

/** What {@link createDecodeAlignedEmitter} returns. */
export type DecodeAlignedEmitter = Readonly<{
  /** Queues a text piece; it reaches `emit` once the model's next decode step is under way. */
  push(text: string): void;
  /** Resolves once every queued piece has reached `emit`. */
  drained(): Promise<void>;
}>;

/**
 * Hands the model's text pieces on (in order) two event-loop turns later, so whatever reads them (a session
 * encrypting and writing every piece to a socket, a client in the same process) runs while llama.cpp decodes the
 * next token instead of before it. node-llama-cpp samples a token, calls `onTextChunk`, queues the next decode and
 * dispatches it with `setImmediate` (`dispatchSchedule: "nextCycle"`); work done synchronously in `onTextChunk`, or
 * in the promise reactions it triggers, runs before that dispatch and the model waits for it on every token. The
 * first turn lands beside the dispatch, the second after it: a piece reaches `emit` tens of microseconds later,
 * and the model never waits for its readers.
 *
 * @example
 * const handOn = createDecodeAlignedEmitter(emit);
 * await chat.generateResponse(history, { onTextChunk: (chunk) => handOn.push(chunk) });
 * await handOn.drained(); // every piece emitted before the result
 */
export function createDecodeAlignedEmitter(emit: (text: string) => void): DecodeAlignedEmitter {
  const pending: string[] = [];
  let drained: Promise<void> | null = null;
  const release = (resolve: () => void) => {
    drained = null;
    for (const piece of pending.splice(0)) emit(piece);
    resolve();
  };
  return {
    push(text) {
      pending.push(text);
      drained ??= new Promise<void>((resolve) => setImmediate(() => setImmediate(release, resolve)));
    },
    drained: () => drained ?? Promise.resolve(),
  };
}

/** Maps node-llama-cpp's stop reason to a {@link FinishReason}. */
export function fromLlamaStopReason(stopReason: string): FinishReason {
  return stopReason === "maxTokens" ? "length" : "stop";
}

/**
 * Prefers the GGUF's own Jinja chat template; without one, node-llama-cpp's detection by architecture and
 * name. A model with neither (a base model) gets no chat template at all: its answers would be noise.
 */
function resolveModelChatWrapper(model: LlamaModel, { resolveChatWrapper, GeneralChatWrapper }: LlamaBindings, path: string): ChatWrapper {
  const hasTemplate = typeof model.fileInfo.metadata.tokenizer?.chat_template === "string";
  const wrapper = resolveChatWrapper(model, hasTemplate ? { type: "jinjaTemplate" } : {});
  if (!hasTemplate && wrapper instanceof GeneralChatWrapper)
    throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__NO_CHAT_TEMPLATE, {
      path,
      architecture: String(model.fileInfo.metadata.general?.architecture ?? "unknown"),
    });
  return wrapper;
}

/**
 * The tokens every prompt without a system message starts with, before any client text: the chat template's
 * own opening (for SmolLM2, its default system prompt and the user turn's header). Rendered for two different
 * messages; the last common token is dropped, since it may merge with the message's first characters.
 */
function getTemplatePrefix(model: LlamaModel, chatWrapper: ChatWrapper): Token[] {
  const render = (content: string) =>
    chatWrapper.generateContextState({ chatHistory: toChatHistory([{ role: "user", content }]) }).contextText.tokenize(model.tokenizer);
  const [a, b] = [render("A"), render("z")];
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return a.slice(0, Math.max(0, common - 1));
}

/**
 * Brings a slot back to exactly the template prefix: erases what follows the part of it the slot still holds,
 * and evaluates the rest. Run when a request ends, before the slot is handed on, so a request never waits
 * for this and its speed tells nothing about whoever used the slot before.
 */
async function resetToTemplatePrefix(sequence: LlamaContextSequence, prefix: readonly Token[]): Promise<void> {
  const held = sequence.contextTokens;
  let kept = 0;
  while (kept < prefix.length && kept < held.length && held[kept] === prefix[kept]) kept++;
  if (sequence.nextTokenIndex > kept) await sequence.eraseContextTokenRanges([{ start: kept, end: sequence.nextTokenIndex }]);
  if (kept < prefix.length) await sequence.evaluateWithoutGeneratingNewTokens(prefix.slice(kept));
}

type Loaded = {
  model: LlamaModel;
  context: LlamaContext;
  sequences: LlamaContextSequence[];
  /** The chat template's tokens before any client text, kept evaluated in every idle slot. */
  templatePrefix: readonly Token[];
  chatWrapper: ChatWrapper;
  LlamaChat: LlamaBindings["LlamaChat"];
  placement: BackendPlacement;
};

async function loadModelAndContext(
  runtime: LlamaRuntime,
  options: Pick<LlamaBackendOptions, "onProgress"> & {
    modelPath: string;
    contextSize: number;
    threads: number;
    slots: number;
    batchSize: number | undefined;
    promptTokensPerStep: number;
    gpuLayers: number | "auto" | "max";
    recentErrors: readonly string[];
  },
): Promise<Loaded> {
  const { llama, bindings, device } = runtime;
  const { onProgress, modelPath, slots, contextSize } = options;
  const failed = (error: unknown) => [describeCause(error), ...options.recentErrors].join("; ");
  const model = await llama
    .loadModel({
      modelPath,
      gpuLayers: device === "cpu" ? 0 : options.gpuLayers,
      onLoadProgress: (fraction) => onProgress?.({ phase: "load", fraction }),
    })
    .catch((error: unknown) => {
      throw new ChainferenceBackendError(
        CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT,
        { path: modelPath, reason: failed(error) },
        { cause: error },
      );
    });
  try {
    const chatWrapper = resolveModelChatWrapper(model, bindings, modelPath);
    const created: { context?: object } = {};
    const context = await model
      .createContext({
        contextSize,
        threads: options.threads,
        sequences: slots,
        ...(options.batchSize === undefined ? {} : { batchSize: options.batchSize }),
        failedCreationRemedy: false,
        batching: {
          // setImmediate, which createDecodeAlignedEmitter relies on to hand text on after the next decode starts.
          dispatchSchedule: "nextCycle",
          itemPrioritizationStrategy: fairStartsStrategy({
            promptTokensPerStep: options.promptTokensPerStep,
            promptsFirst: device === "cpu",
            firstTokens: FIRST_TOKENS_FIRST,
            sequenceOf: (item) => queuedSequenceOf(created.context, item),
          }),
        },
      })
      .catch((error: unknown) => {
        throw new ChainferenceBackendError(
          CHAINFERENCE_ERROR__BACKEND__CONTEXT_UNAVAILABLE,
          { slots, contextSize, device, reason: failed(error) },
          { cause: error },
        );
      });
    created.context = context;
    const sequences = Array.from({ length: slots }, () => context.getSequence());
    const templatePrefix = model.fileInsights.isRecurrent || model.fileInsights.swaSize ? [] : getTemplatePrefix(model, chatWrapper);
    // One slot after the other, so every slot's prefix is computed the same way (batch composition changes
    // llama.cpp's last bits, and requests alone must reproduce whichever slot they land on).
    for (const sequence of sequences) await sequence.evaluateWithoutGeneratingNewTokens([...templatePrefix]);
    onProgress?.({ phase: "context", fraction: 1 });
    return {
      model,
      context,
      sequences,
      templatePrefix,
      chatWrapper,
      LlamaChat: bindings.LlamaChat,
      placement: {
        device,
        gpuNames: device === "cpu" ? [] : await llama.getGpuDeviceNames(),
        gpuLayers: model.gpuLayers,
        totalLayers: model.fileInsights.totalLayers,
        threads: context.idealThreads,
        slots,
        batchSize: context.batchSize,
        promptTokensPerStep: options.promptTokensPerStep,
        templatePrefixTokens: templatePrefix.length,
      },
    };
  } catch (error) {
    await model.dispose();
    if (isChainferenceBackendError(error)) throw error;
    throw new ChainferenceBackendError(
      CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT,
      { path: modelPath, reason: failed(error) },
      { cause: error },
    );
  }
}

type Served = Loaded & { modelPath: string; contextSize: number; loadMs: number; onClose: () => void };

function serveChats(served: Served): LlamaBackend {
  const { model, context, chatWrapper, contextSize, LlamaChat } = served;
  const describe = `llama:${served.modelPath}`;
  const closing = new AbortController();
  // Every generation in flight listens for the close (through AbortSignal.any): many slots are many listeners.
  setMaxListeners(0, closing.signal);
  const slots = createSequenceSlots(served.sequences);
  const running = new Set<Promise<unknown>>();

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
    const stop = AbortSignal.any([signal, closing.signal]);
    const sequence = await slots.acquire(stop);
    try {
      stop.throwIfAborted();
      const chat = new LlamaChat({ contextSequence: sequence, chatWrapper });
      let completionTokens = 0;
      let text = "";
      const handOn = createDecodeAlignedEmitter(emit);
      try {
        const response = await chat.generateResponse(history, {
          maxTokens: Math.min(request.maxTokens, room),
          temperature: request.temperature ?? 0,
          ...(request.seed === undefined ? {} : { seed: request.seed }),
          signal: stop,
          onToken: (tokens) => (completionTokens += tokens.length),
          onTextChunk: (chunk) => {
            text += chunk;
            handOn.push(chunk);
          },
        });
        await handOn.drained();
        const finishReason = fromLlamaStopReason(response.metadata.stopReason);
        return { text, usage: { promptTokens, completionTokens }, usageSource: "tokenizer", finishReason };
      } finally {
        chat.dispose({ disposeSequence: false });
      }
    } finally {
      track(
        resetToTemplatePrefix(sequence, served.templatePrefix)
          .catch(() => sequence.clearHistory().then(() => resetToTemplatePrefix(sequence, served.templatePrefix)))
          .catch(() => undefined)
          .finally(() => slots.release(sequence)),
      );
    }
  }

  function track<T>(work: Promise<T>): Promise<T> {
    running.add(work);
    void work.then(
      () => running.delete(work),
      () => running.delete(work),
    );
    return work;
  }

  return {
    describe,
    contextSize,
    threads: served.placement.threads,
    chatTemplate: chatWrapper.wrapperName,
    loadMs: served.loadMs,
    placement: served.placement,
    slotUsage: slots.usage,
    streamChat: (request) => createChatStream((emit, signal) => track(generate(request, emit, signal)), request.signal),
    countTokens: async (text) => model.tokenize(text).length,
    async close() {
      if (closing.signal.aborted) return;
      closing.abort(new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__CLOSED, { backend: describe }));
      await Promise.allSettled([...running]);
      await context.dispose();
      await model.dispose();
      served.onClose();
    },
  };
}

function assertIsPositiveInteger(value: number, name: string): void {
  if (!Number.isSafeInteger(value) || value <= 0) throw new RangeError(`${name} must be a positive integer, got ${value}`);
}
