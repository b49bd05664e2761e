/**
 * Inference backends against the real embedded model (SmolLM2-135M-Instruct Q4_1 on CPU).
 * The model comes from the fetch-model cache: `beforeAll` calls `fetchDefaultModel()`, which is what
 * `scripts/fetch-model` runs (a no-op that only re-hashes the file when it is already cached).
 */
import { once } from "node:events";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { open } from "node:fs/promises";

import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  CHAINFERENCE_ERROR__BACKEND__BAD_RESPONSE,
  CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT,
  CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING,
  CHAINFERENCE_ERROR__BACKEND__UNREACHABLE,
  DEFAULT_MODEL,
  createDefaultLlamaBackend,
  createLlamaBackend,
  createOpenAiBackend,
  createSseParser,
  fetchDefaultModel,
  isChainferenceBackendError,
  type ChatChunk,
  type ChatMessage,
  type ChatStream,
  type LlamaBackend,
  type StreamChatRequest,
} from "@chainference/node";
import { startOpenAiCompatibleServer, type OpenAiCompatibleServer } from "../helpers/openai-compatible-server";

const QUESTION: readonly ChatMessage[] = [{ role: "user", content: "What is the capital of France? Answer in one sentence." }];
const SERVED_MODEL = "smollm2-135m-instruct";

let modelPath: string;
let llama: LlamaBackend;
let server: OpenAiCompatibleServer;
let serverUrl: string;
let scratch: string;

beforeAll(async () => {
  ({ path: modelPath } = await fetchDefaultModel({ log: () => undefined, showPipOutput: false }));
  llama = await createDefaultLlamaBackend();
  server = await startOpenAiCompatibleServer(llama, SERVED_MODEL);
  serverUrl = server.baseUrl;
  scratch = await mkdtemp(join(tmpdir(), "chainference-backends-"));
});

afterAll(async () => {
  await server?.close();
  await llama?.close();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

describe("default model cache", () => {
  it("finds the verified model in the cache on a second fetch", async () => {
    // Given the model was fetched by beforeAll
    // When fetching again
    const started = performance.now();
    const again = await fetchDefaultModel({ log: () => undefined });
    // Then it is reported as cached, at the same path, within seconds
    expect(again).toEqual({ path: modelPath, cached: true });
    expect(performance.now() - started).toBeLessThan(10_000);
  });
});

describe("llama backend", () => {
  it("answers a chat prompt with real text and tokenizer token counts", async () => {
    // Given the default model loaded on CPU
    // When asking a short question
    const { chunks, result } = await collect(llama.streamChat({ messages: QUESTION, maxTokens: 48 }));
    // Then the streamed chunks form a sensible answer and the counts are plausible
    expect(chunks.length).toBeGreaterThan(1);
    expect(result.text).toBe(chunks.map((c) => c.text).join(""));
    expect(result.text).toMatch(/paris/i);
    expect(result.finishReason).toBe("stop");
    expect(result.usageSource).toBe("tokenizer");
    const questionTokens = await llama.countTokens!(QUESTION[0]!.content);
    expect(result.usage.promptTokens).toBeGreaterThan(questionTokens); // + template and default system prompt
    expect(result.usage.promptTokens).toBeLessThan(questionTokens + 40);
    expect(result.usage.completionTokens).toBeGreaterThan(0);
    expect(result.usage.completionTokens).toBeLessThanOrEqual(48);
    expect(result.usage.completionTokens).toBeGreaterThanOrEqual(chunks.length);
  });

  it("reproduces the same text twice with temperature 0", async () => {
    // Given a longer, open-ended prompt
    const request: StreamChatRequest = {
      messages: [
        { role: "system", content: "You are a concise assistant." },
        { role: "user", content: "Give two tips for writing clear code." },
      ],
      maxTokens: 40,
      temperature: 0,
    };
    // When asking twice
    const first = await llama.streamChat(request).result;
    const second = await llama.streamChat(request).result;
    // Then the answers and counts are identical
    expect(first.text.length).toBeGreaterThan(0);
    expect(second).toEqual(first);
  });

  it("reproduces the same sampled text with the same seed", async () => {
    const request: StreamChatRequest = { messages: QUESTION, maxTokens: 24, temperature: 0.9, seed: 1234 };
    const first = await llama.streamChat(request).result;
    const second = await llama.streamChat(request).result;
    expect(second.text).toBe(first.text);
  });

  it("stops at maxTokens and says so", async () => {
    const result = await llama.streamChat({
      messages: [{ role: "user", content: "Write a long story about a lighthouse keeper." }],
      maxTokens: 5,
    }).result;
    expect(result.finishReason).toBe("length");
    expect(result.usage.completionTokens).toBe(5);
  });

  it("throws the abort reason when the request is aborted mid-answer", async () => {
    // Given a request whose signal aborts after the first chunk
    const controller = new AbortController();
    const stream = llama.streamChat({
      messages: [{ role: "user", content: "Write a long story about a lighthouse keeper." }],
      maxTokens: 200,
      signal: controller.signal,
    });
    const reason = new Error("client went away");
    // When reading
    const read = (async () => {
      for await (const _chunk of stream) controller.abort(reason);
    })();
    // Then both the iteration and the result reject with the reason
    await expect(read).rejects.toBe(reason);
    await expect(stream.result).rejects.toBe(reason);
  });
});

describe("openai backend", () => {
  it("streams the real model's answer from an OpenAI-compatible server and reports its usage", async () => {
    // Given an OpenAI-compatible server on 127.0.0.1 backed by the llama backend
    const openai = createOpenAiBackend({ baseUrl: serverUrl, model: SERVED_MODEL });
    // When asking the same question through HTTP and directly
    const { chunks, result } = await collect(openai.streamChat({ messages: QUESTION, maxTokens: 48 }));
    const direct = await llama.streamChat({ messages: QUESTION, maxTokens: 48 }).result;
    // Then the text streamed in several chunks is the model's own answer, with the server's usage
    expect(chunks.length).toBeGreaterThan(1);
    expect(result.text).toBe(direct.text);
    expect(result.usageSource).toBe("reported");
    expect(result.usage).toEqual(direct.usage);
    expect(result.finishReason).toBe("stop");
    await openai.close();
  });

  it("counts content chunks when the server reports no usage", async () => {
    // Given a client that does not ask for usage (the server then sends none)
    const openai = createOpenAiBackend({ baseUrl: `${serverUrl}/v1/`, model: SERVED_MODEL, includeUsage: false });
    // When streaming
    const { chunks, result } = await collect(openai.streamChat({ messages: QUESTION, maxTokens: 48 }));
    // Then completion tokens are the chunks received and prompt tokens an estimate
    expect(result.usageSource).toBe("estimated");
    expect(result.usage.completionTokens).toBe(chunks.length);
    expect(result.usage.promptTokens).toBe(Math.ceil(Buffer.byteLength(QUESTION[0]!.content) / 4));
    expect(result.text).toMatch(/paris/i);
  });

  it("names the URL when the backend is unreachable", async () => {
    // Given a port that nothing listens on
    const closedUrl = await getClosedPortUrl();
    const openai = createOpenAiBackend({ baseUrl: closedUrl, model: SERVED_MODEL });
    // When streaming
    const error = await openai.streamChat({ messages: QUESTION, maxTokens: 8 }).result.catch((e: unknown) => e);
    // Then the error is UNREACHABLE and names the endpoint
    expect(isChainferenceBackendError(error, CHAINFERENCE_ERROR__BACKEND__UNREACHABLE)).toBe(true);
    expect((error as Error).message).toContain(`${closedUrl}/v1/chat/completions`);
    expect((error as Error).message).toContain("ECONNREFUSED");
  });

  it("reports the server's HTTP error for an unknown model", async () => {
    const openai = createOpenAiBackend({ baseUrl: serverUrl, model: "no-such-model" });
    const error = await openai.streamChat({ messages: QUESTION, maxTokens: 8 }).result.catch((e: unknown) => e);
    expect(isChainferenceBackendError(error, CHAINFERENCE_ERROR__BACKEND__BAD_RESPONSE)).toBe(true);
    expect((error as Error).message).toMatch(/HTTP 404.*no-such-model/);
  });
});

describe("model file errors", () => {
  it("says to run scripts/fetch-model when the default model file is missing", async () => {
    const path = join(scratch, "absent.gguf");
    const error = await createLlamaBackend({ modelPath: path, expectedFile: DEFAULT_MODEL }).catch((e: unknown) => e);
    expect(isChainferenceBackendError(error, CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING)).toBe(true);
    expect((error as Error).message).toContain(path);
    expect((error as Error).message).toContain("scripts/fetch-model");
  });

  it("rejects a file whose sha256 differs from the expected one", async () => {
    // Given a file of the expected size but other bytes
    const path = join(scratch, "tampered.gguf");
    await writeFile(path, Buffer.alloc(1024, 7));
    // When loading it with an expectation
    const error = await createLlamaBackend({
      modelPath: path,
      expectedFile: { sha256: DEFAULT_MODEL.sha256, sizeBytes: 1024 },
    }).catch((e: unknown) => e);
    // Then it is MODEL_CORRUPT and says why
    expect(isChainferenceBackendError(error, CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT)).toBe(true);
    expect((error as Error).message).toContain(`expected ${DEFAULT_MODEL.sha256}`);
  });

  it("reports a truncated GGUF that llama.cpp cannot load as corrupt", async () => {
    // Given the first megabyte of the real model
    const path = join(scratch, "truncated.gguf");
    await writeFile(path, await readPrefix(modelPath, 1 << 20));
    // When loading it without a hash expectation
    const error = await createLlamaBackend({ modelPath: path }).catch((e: unknown) => e);
    // Then llama.cpp's failure surfaces as MODEL_CORRUPT
    expect(isChainferenceBackendError(error, CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT)).toBe(true);
    expect((error as Error).message).toContain(path);
  });
});

describe("SSE parser", () => {
  it("joins events split across reads, with CRLF, comments and multi-line data", () => {
    const parser = createSseParser();
    expect(parser.push(': keep-alive\r\ndata: {"a"')).toEqual([]);
    expect(parser.push(":1}\r\n\r\nevent: x\ndata: one\ndata: two\n")).toEqual(['{"a":1}']);
    expect(parser.push("\ndata: [DONE]")).toEqual(["one\ntwo"]);
    expect(parser.end()).toEqual(["[DONE]"]);
  });
});

// ---------------------------------------------------------------------------------------------------------

async function collect(stream: ChatStream): Promise<{ chunks: ChatChunk[]; result: Awaited<ChatStream["result"]> }> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return { chunks, result: await stream.result };
}

async function readPrefix(path: string, bytes: number): Promise<Buffer> {
  const file = await open(path, "r");
  try {
    const buffer = Buffer.alloc(bytes);
    const { bytesRead } = await file.read(buffer, 0, bytes, 0);
    return buffer.subarray(0, bytesRead);
  } finally {
    await file.close();
  }
}

async function getClosedPortUrl(): Promise<string> {
  const probe = createServer();
  probe.listen(0, "127.0.0.1");
  await once(probe, "listening");
  const { port } = probe.address() as AddressInfo;
  probe.close();
  await once(probe, "close");
  return `http://127.0.0.1:${port}`;
}
