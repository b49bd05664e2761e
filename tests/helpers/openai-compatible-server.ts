/**
 * A minimal OpenAI-compatible `POST /v1/chat/completions` (SSE streaming, `usage` in the last chunk) on
 * 127.0.0.1, answering with any {@link InferenceBackend}: stands in for llama-server / vLLM / Ollama
 * (an opening role chunk, one chunk per text piece, a finish chunk, usage when `include_usage`, `[DONE]`).
 */
import { once } from "node:events";
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";

import type { ChatMessage, InferenceBackend } from "@chainference/node";

export type OpenAiCompatibleServer = Readonly<{ baseUrl: string; requests: () => number; close(): Promise<void> }>;

type Body = {
  model?: unknown;
  messages?: unknown;
  max_tokens?: unknown;
  temperature?: unknown;
  seed?: unknown;
  stream_options?: { include_usage?: unknown };
};

/** `failNext`: how many chat requests to answer with HTTP 500 first (a broken backend). */
export async function startOpenAiCompatibleServer(
  backend: InferenceBackend,
  servedModel: string,
  options: { failNext?: number } = {},
): Promise<OpenAiCompatibleServer> {
  let served = 0;
  let failures = options.failNext ?? 0;
  const http: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent) res.writeHead(500, { "content-type": "application/json" });
      res.end(JSON.stringify({ error: { message: String(error) } }));
    });
  });
  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    if (req.method !== "POST" || req.url !== "/v1/chat/completions") {
      res.writeHead(404).end();
      return;
    }
    let raw = "";
    for await (const part of req) raw += String(part);
    const body = JSON.parse(raw) as Body;
    if (body.model !== servedModel) {
      res
        .writeHead(404, { "content-type": "application/json" })
        .end(JSON.stringify({ error: { message: `model ${String(body.model)} is not served here` } }));
      return;
    }
    if (failures > 0) {
      failures -= 1;
      res.writeHead(500, { "content-type": "application/json" }).end(JSON.stringify({ error: { message: "the model crashed" } }));
      return;
    }
    served += 1;
    const disconnected = new AbortController();
    res.on("close", () => disconnected.abort(new Error("client disconnected")));
    const stream = backend.streamChat({
      messages: body.messages as ChatMessage[],
      maxTokens: typeof body.max_tokens === "number" ? body.max_tokens : 256,
      temperature: typeof body.temperature === "number" ? body.temperature : 0,
      ...(typeof body.seed === "number" ? { seed: body.seed } : {}),
      signal: disconnected.signal,
    });
    res.writeHead(200, { "content-type": "text/event-stream", "cache-control": "no-cache" });
    const base = { id: "chatcmpl-test", object: "chat.completion.chunk", created: Math.floor(Date.now() / 1000), model: servedModel };
    const send = (payload: object) => res.write(`data: ${JSON.stringify({ ...base, ...payload })}\n\n`);
    // As llama-server does: an opening chunk with the role and empty content.
    send({ choices: [{ index: 0, delta: { role: "assistant", content: "" }, finish_reason: null }] });
    for await (const { text } of stream) send({ choices: [{ index: 0, delta: { content: text }, finish_reason: null }] });
    const { usage, finishReason } = await stream.result;
    send({ choices: [{ index: 0, delta: {}, finish_reason: finishReason }] });
    if (body.stream_options?.include_usage === true)
      send({
        choices: [],
        usage: {
          prompt_tokens: usage.promptTokens,
          completion_tokens: usage.completionTokens,
          total_tokens: usage.promptTokens + usage.completionTokens,
        },
      });
    res.end("data: [DONE]\n\n");
  }
  http.listen(0, "127.0.0.1");
  await once(http, "listening");
  return {
    baseUrl: `http://127.0.0.1:${(http.address() as AddressInfo).port}`,
    requests: () => served,
    close: () =>
      new Promise<void>((resolve) => {
        http.closeAllConnections();
        http.close(() => resolve());
      }),
  };
}
