import {
  CHAINFERENCE_ERROR__BACKEND__BAD_RESPONSE,
  CHAINFERENCE_ERROR__BACKEND__CLOSED,
  CHAINFERENCE_ERROR__BACKEND__INVALID_STREAM,
  CHAINFERENCE_ERROR__BACKEND__UNREACHABLE,
  ChainferenceBackendError,
  isChainferenceBackendError,
} from "./backend-error";
import { describeCause } from "./describe-cause";
import { createChatStream } from "./chat-stream";
import type { ChatMessage, ChatResult, FinishReason, InferenceBackend, StreamChatRequest, TokenUsage } from "./inference-backend";
import { createSseParser } from "./sse-parser";

/** Options of {@link createOpenAiBackend}. */
export type OpenAiBackendOptions = Readonly<{
  /** Server root (`http://127.0.0.1:8080`) or its `/v1` prefix (`http://127.0.0.1:11434/v1`). */
  baseUrl: string;
  /** Model name as the server knows it (vLLM: the served model, Ollama: e.g. `smollm2:135m`). */
  model: string;
  /** Sent as `Authorization: Bearer …` when given. */
  apiKey?: string;
  /** Ask for `usage` in the last chunk (`stream_options.include_usage`); default `true`. */
  includeUsage?: boolean;
}>;

/** What one streamed `chat.completion.chunk` (or a non-streamed completion) contributes. */
export type CompletionChunk = Readonly<{
  text: string;
  finishReason?: string;
  usage?: TokenUsage;
  error?: string;
}>;

/**
 * The chat-completions endpoint for a base URL, with or without its `/v1` suffix.
 *
 * @example
 * chatCompletionsUrl("http://127.0.0.1:8080");      // "http://127.0.0.1:8080/v1/chat/completions"
 * chatCompletionsUrl("http://127.0.0.1:11434/v1/"); // "http://127.0.0.1:11434/v1/chat/completions"
 */
export function chatCompletionsUrl(baseUrl: string): string {
  const root = baseUrl.replace(/\/+$/, "");
  return /\/v1$/.test(root) ? `${root}/chat/completions` : `${root}/v1/chat/completions`;
}

/**
 * Streams chats from any OpenAI-compatible server (llama-server, vLLM, Ollama, …) with
 * `POST /v1/chat/completions`, `stream: true`, parsing the server-sent events.
 *
 * Usage is the server's (`stream_options.include_usage`) when it sends one; otherwise completion tokens
 * are the content chunks received and prompt tokens an estimate (`usageSource: "estimated"`).
 *
 * @throws (from the stream) `CHAINFERENCE_ERROR__BACKEND__UNREACHABLE` naming the URL, `..._BAD_RESPONSE`
 *   for a non-2xx answer or an error event, `..._INVALID_STREAM` for a body that is not chat chunks.
 * @example
 * const backend = createOpenAiBackend({ baseUrl: "http://127.0.0.1:8080", model: "smollm2" });
 * const stream = backend.streamChat({ messages: [{ role: "user", content: "Hi" }], maxTokens: 32 });
 * for await (const { text } of stream) process.stdout.write(text);
 */
export function createOpenAiBackend(options: OpenAiBackendOptions): InferenceBackend {
  const url = chatCompletionsUrl(options.baseUrl);
  const describe = `openai:${url} (${options.model})`;
  const closing = new AbortController();

  async function generate(request: StreamChatRequest, emit: (text: string) => void, signal: AbortSignal): Promise<ChatResult> {
    if (closing.signal.aborted) throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__CLOSED, { backend: describe });
    const combined = AbortSignal.any([signal, closing.signal]);
    const response = await post(url, toRequestBody(options, request), options.apiKey, combined);
    const chunks = readCompletionChunks(url, response, combined);
    let text = "";
    let contentChunks = 0;
    let finishReason: string | undefined;
    let usage: TokenUsage | undefined;
    for await (const chunk of chunks) {
      if (chunk.error !== undefined) {
        throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__BAD_RESPONSE, {
          url,
          status: response.status,
          body: chunk.error,
        });
      }
      if (chunk.text.length > 0) {
        text += chunk.text;
        contentChunks += 1;
        emit(chunk.text);
      }
      finishReason = chunk.finishReason ?? finishReason;
      usage = chunk.usage ?? usage;
    }
    const estimated = { promptTokens: estimatePromptTokens(request.messages), completionTokens: contentChunks };
    return {
      text,
      usage: usage ?? estimated,
      usageSource: usage ? "reported" : "estimated",
      finishReason: fromOpenAiFinishReason(finishReason),
    };
  }

  return {
    describe,
    streamChat: (request) => createChatStream((emit, signal) => generate(request, emit, signal), request.signal),
    async close() {
      closing.abort(new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__CLOSED, { backend: describe }));
    },
  };
}

/** The JSON body of a streamed chat-completions request. */
export function toRequestBody(options: Pick<OpenAiBackendOptions, "model" | "includeUsage">, request: StreamChatRequest): object {
  return {
    model: options.model,
    messages: request.messages.map(({ role, content }) => ({ role, content })),
    max_tokens: request.maxTokens,
    temperature: request.temperature ?? 0,
    ...(request.seed === undefined ? {} : { seed: request.seed }),
    stream: true,
    ...(options.includeUsage === false ? {} : { stream_options: { include_usage: true } }),
  };
}

/**
 * ⌈UTF-8 bytes of all message contents / 4⌉: a prompt-token estimate for servers that report no usage
 * (never above the prompt's byte count, which the program uses as the bound for `tokens_in`).
 */
export function estimatePromptTokens(messages: readonly ChatMessage[]): number {
  const bytes = messages.reduce((sum, message) => sum + Buffer.byteLength(message.content, "utf8"), 0);
  return Math.ceil(bytes / 4);
}

/** Maps an OpenAI `finish_reason` to a {@link FinishReason}. */
export function fromOpenAiFinishReason(finishReason: string | undefined): FinishReason {
  return finishReason === "length" ? "length" : "stop";
}

/**
 * Reads one parsed chunk (streamed `chat.completion.chunk` or whole `chat.completion`) of untrusted JSON.
 * Returns `undefined` when the value is not shaped like one.
 */
export function readCompletionChunk(value: unknown): CompletionChunk | undefined {
  if (!isRecord(value)) return undefined;
  if (value.error !== undefined && value.error !== null) {
    const message = isRecord(value.error) ? value.error.message : value.error;
    return { text: "", error: typeof message === "string" ? message : JSON.stringify(value.error) };
  }
  if (!Array.isArray(value.choices)) return undefined;
  const choice: unknown = value.choices[0];
  const delta = isRecord(choice) ? (isRecord(choice.delta) ? choice.delta : choice.message) : undefined;
  const content = isRecord(delta) ? delta.content : undefined;
  const finish = isRecord(choice) ? choice.finish_reason : undefined;
  const usage = readUsage(value.usage);
  return {
    text: typeof content === "string" ? content : "",
    ...(typeof finish === "string" ? { finishReason: finish } : {}),
    ...(usage ? { usage } : {}),
  };
}

function readUsage(value: unknown): TokenUsage | undefined {
  if (!isRecord(value)) return undefined;
  const { prompt_tokens: promptTokens, completion_tokens: completionTokens } = value;
  if (typeof promptTokens !== "number" || typeof completionTokens !== "number") return undefined;
  return { promptTokens, completionTokens };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

async function post(url: string, body: object, apiKey: string | undefined, signal: AbortSignal): Promise<Response> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        accept: "text/event-stream",
        ...(apiKey ? { authorization: `Bearer ${apiKey}` } : {}),
      },
      body: JSON.stringify(body),
      signal,
    });
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__UNREACHABLE, { url, reason: describeCause(error) }, { cause: error });
  }
  if (!response.ok) {
    const text = await response.text().catch(() => "");
    throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__BAD_RESPONSE, {
      url,
      status: response.status,
      body: text.slice(0, 500),
    });
  }
  return response;
}

/** Yields the chunks of a streamed (SSE) or plain JSON chat-completions response, until `[DONE]`. */
async function* readCompletionChunks(url: string, response: Response, signal: AbortSignal): AsyncGenerator<CompletionChunk> {
  const parse = (data: string): CompletionChunk => {
    let value: unknown;
    try {
      value = JSON.parse(data);
    } catch {
      throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__INVALID_STREAM, {
        url,
        reason: `not JSON: ${data.slice(0, 200)}`,
      });
    }
    const chunk = readCompletionChunk(value);
    if (!chunk) {
      throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__INVALID_STREAM, {
        url,
        reason: `no choices: ${data.slice(0, 200)}`,
      });
    }
    return chunk;
  };

  if (!response.body) throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__INVALID_STREAM, { url, reason: "empty body" });
  if ((response.headers.get("content-type") ?? "").includes("application/json")) {
    yield parse(await response.text());
    return;
  }
  const parser = createSseParser();
  const decoder = new TextDecoder();
  try {
    for await (const bytes of response.body) {
      for (const data of parser.push(decoder.decode(bytes, { stream: true }))) {
        if (data === "[DONE]") return;
        yield parse(data);
      }
    }
    for (const data of parser.end()) {
      if (data === "[DONE]") return;
      yield parse(data);
    }
  } catch (error) {
    if (signal.aborted) throw signal.reason;
    if (isChainferenceBackendError(error)) throw error;
    throw new ChainferenceBackendError(
      CHAINFERENCE_ERROR__BACKEND__UNREACHABLE,
      { url, reason: `stream broke: ${describeCause(error)}` },
      { cause: error },
    );
  }
}
