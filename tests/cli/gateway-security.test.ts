/**
 * `chainference gateway` on a desktop: web pages (forged Origin, `text/plain` bodies, DNS rebinding Host)
 * and callers without the API key are refused with OpenAI-shaped errors before anything is paid; a model
 * no server offers is a 404; a repeated Idempotency-Key (or an SDK retry) replays the first call instead of
 * paying again. Every refusal leaves the wallet balance unchanged.
 */
import { mkdtempSync } from "node:fs";
import { request } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createRpcChain } from "@chainference/client";
import type { Address } from "@solana/kit";
import { isolatedEnv, keypairAddress, runCli, startCli, writeKeypairFile, type CliDaemon } from "./cli-process";

const API_KEY = "test-key-3f9a";
const ALLOWED = "https://app.example";
const BODY = JSON.stringify({ model: "default", messages: [{ role: "user", content: "Say hi." }], max_tokens: 8 });

type Reply = { status: number; headers: Record<string, string | string[] | undefined>; body: string };

/** A raw HTTP call (node:http, so Host and Origin can be forged as a browser or an attacker would). */
function call(base: string, path: string, init: { method?: string; headers?: Record<string, string>; body?: string } = {}): Promise<Reply> {
  const url = new URL(path, base);
  return new Promise((resolve, reject) => {
    const req = request(url, { method: init.method ?? "POST", headers: init.headers }, (res) => {
      let body = "";
      res.on("data", (d: Buffer) => (body += d.toString()));
      res.on("end", () => resolve({ status: res.statusCode!, headers: res.headers, body }));
    });
    req.on("error", reject);
    req.end(init.body);
  });
}

const json = { "content-type": "application/json" };
const auth = { authorization: `Bearer ${API_KEY}` };

/** The OpenAI error shape: `{ error: { message, type, param, code } }`. */
function expectOpenAiError(reply: Reply, status: number, code: string | null, type = "invalid_request_error"): void {
  expect(reply.status).toBe(status);
  const body = JSON.parse(reply.body) as { error: Record<string, unknown> };
  expect(body.error).toMatchObject({ type, code });
  expect(typeof body.error.message).toBe("string");
  expect(body.error).toHaveProperty("param");
}

describe("chainference gateway refuses web pages and unauthenticated callers", () => {
  let localnet: CliDaemon;
  let gateway: CliDaemon;
  let base: string;
  let rpcUrl: string;
  let wallet: Address;
  let client: string;
  const env = isolatedEnv();
  const balance = () => createRpcChain(rpcUrl).getBalance(wallet);

  beforeAll(async () => {
    const keys = mkdtempSync(join(tmpdir(), "cf-cli-gateway-sec-"));
    const admin = writeKeypairFile(keys, "admin");
    client = writeKeypairFile(keys, "client");
    wallet = keypairAddress(client);
    localnet = startCli(["localnet", "--port", "0", "--keypair", admin, "--with-provider"], { env });
    await localnet.waitFor(/^Ready\./m, 180_000);
    rpcUrl = (await localnet.waitFor(/RPC URL\s+(http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    await createRpcChain(rpcUrl, { pollMs: 50 }).airdrop(wallet, 1_000_000_000n);
    gateway = startCli(
      ["gateway", "--port", "0", "--url", rpcUrl, "--keypair", client, "--per-request", "--stake", "0.001", "--max-tokens", "64"],
      {
        env: { ...env, CHAINFERENCE_GATEWAY_API_KEY: API_KEY },
      },
    );
    base = (await gateway.waitFor(/OpenAI-compatible API at (http:\/\/127\.0\.0\.1:\d+)\/v1/, 120_000))[1]!;
  }, 300_000);

  afterAll(async () => {
    expect(await gateway?.stop()).toBe(0);
    expect(await localnet?.stop()).toBe(0);
  });

  it("refuses the measured attack: a forged Origin with a text/plain body (no CORS preflight needed)", async () => {
    const before = await balance();
    const reply = await call(base, "/v1/chat/completions", {
      headers: { origin: "https://evil.example", "content-type": "text/plain", ...auth },
      body: BODY,
    });
    expectOpenAiError(reply, 403, "origin_not_allowed");
    expect(reply.headers["access-control-allow-origin"]).toBeUndefined();
    const preflight = await call(base, "/v1/chat/completions", {
      method: "OPTIONS",
      headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
    });
    expect(preflight.status).toBe(403);
    expect(preflight.headers["access-control-allow-origin"]).toBeUndefined();
    expect(await balance()).toBe(before);
  });

  it("refuses a text/plain (or missing) content type with 415", async () => {
    const before = await balance();
    expectOpenAiError(
      await call(base, "/v1/chat/completions", { headers: { "content-type": "text/plain", ...auth }, body: BODY }),
      415,
      "unsupported_media_type",
    );
    expectOpenAiError(await call(base, "/v1/chat/completions", { headers: auth, body: BODY }), 415, "unsupported_media_type");
    expect(await balance()).toBe(before);
  });

  it("refuses a DNS-rebinding Host header with 403", async () => {
    const before = await balance();
    const port = new URL(base).port;
    const reply = await call(base, "/v1/chat/completions", {
      headers: { host: `rebind.evil.example:${port}`, ...json, ...auth },
      body: BODY,
    });
    expectOpenAiError(reply, 403, "host_not_allowed");
    expectOpenAiError(
      await call(base, "/v1/models", { method: "GET", headers: { host: "attacker.test", ...auth } }),
      403,
      "host_not_allowed",
    );
    // Loopback names and IPs pass the Host check (and then need the key).
    expect((await call(base, "/v1/models", { method: "GET", headers: { host: `localhost:${port}`, ...auth } })).status).toBe(200);
    expect(await balance()).toBe(before);
  });

  it("refuses a missing or wrong API key with 401 (the openai client raises AuthenticationError)", async () => {
    const before = await balance();
    expectOpenAiError(await call(base, "/v1/chat/completions", { headers: json, body: BODY }), 401, "invalid_api_key");
    const wrong = await call(base, "/v1/chat/completions", { headers: { ...json, authorization: "Bearer nope" }, body: BODY });
    expectOpenAiError(wrong, 401, "invalid_api_key");
    expect(wrong.headers["www-authenticate"]).toBe("Bearer");
    const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: "wrong", maxRetries: 0 });
    await expect(openai.chat.completions.create({ model: "default", messages: [{ role: "user", content: "Hi" }] })).rejects.toBeInstanceOf(
      OpenAI.AuthenticationError,
    );
    expect(await balance()).toBe(before);
  });

  it("answers a model no server offers with 404 model_not_found (not a retryable 5xx)", async () => {
    const before = await balance();
    const openai = new OpenAI({ baseURL: `${base}/v1`, apiKey: API_KEY, maxRetries: 2 });
    const attempt = openai.chat.completions.create({ model: "someorg/not-served-model", messages: [{ role: "user", content: "Hi" }] });
    await expect(attempt).rejects.toMatchObject({ status: 404, code: "model_not_found", type: "invalid_request_error" });
    expect(await balance()).toBe(before);
  });

  it("replays a repeated Idempotency-Key instead of paying again", async () => {
    const headers = { ...json, ...auth, "idempotency-key": "call-1" };
    const first = await call(base, "/v1/chat/completions", { headers, body: BODY });
    expect(first.status).toBe(200);
    const afterFirst = await balance();
    const second = await call(base, "/v1/chat/completions", { headers, body: BODY });
    expect(second.status).toBe(200);
    expect(second.headers["idempotent-replayed"]).toBe("true");
    expect(JSON.parse(second.body)).toEqual(JSON.parse(first.body));
    expect(await balance()).toBe(afterFirst);
    // The same key with another body is a client bug, refused without paying.
    const reused = await call(base, "/v1/chat/completions", { headers, body: BODY.replace("Say hi.", "Say bye.") });
    expectOpenAiError(reused, 400, "idempotency_key_reused");
    expect(await balance()).toBe(afterFirst);
  });

  it("posts one request for two concurrent calls with the same Idempotency-Key", async () => {
    const settledLines = () => gateway.output().match(/ settled by /g)?.length ?? 0;
    const settledBefore = settledLines();
    const before = await balance();
    const headers = { ...json, ...auth, "idempotency-key": "call-concurrent" };
    const body = BODY.replace("Say hi.", "Say ok.");
    const [a, b] = await Promise.all([
      call(base, "/v1/chat/completions", { headers, body }),
      call(base, "/v1/chat/completions", { headers, body }),
    ]);
    expect([a.status, b.status]).toEqual([200, 200]);
    expect(JSON.parse(a.body).id).toBe(JSON.parse(b.body).id);
    expect([a.headers["idempotent-replayed"], b.headers["idempotent-replayed"]].filter(Boolean)).toEqual(["true"]);
    // One request posted and settled (the gateway logs each), and the wallet paid at least its cost.
    expect(settledLines() - settledBefore).toBe(1);
    const { cost } = JSON.parse(a.body).chainference as { cost: string };
    expect(before - (await balance())).toBeGreaterThanOrEqual(BigInt(cost));
  });

  it("replays an OpenAI SDK retry (X-Stainless-Retry-Count) of a call it already paid for", async () => {
    const body = BODY.replace("Say hi.", "Say yes.");
    const first = await call(base, "/v1/chat/completions", { headers: { ...json, ...auth, "x-stainless-retry-count": "0" }, body });
    expect(first.status).toBe(200);
    const afterFirst = await balance();
    const retry = await call(base, "/v1/chat/completions", { headers: { ...json, ...auth, "x-stainless-retry-count": "1" }, body });
    expect(retry.headers["idempotent-replayed"]).toBe("true");
    expect(JSON.parse(retry.body).id).toBe(JSON.parse(first.body).id);
    expect(await balance()).toBe(afterFirst);
  });

  it("refuses max_tokens above --max-tokens with a 400 instead of clamping", async () => {
    const before = await balance();
    const reply = await call(base, "/v1/chat/completions", {
      headers: { ...json, ...auth },
      body: BODY.replace('"max_tokens":8', '"max_tokens":65'),
    });
    expectOpenAiError(reply, 400, "invalid_value");
    expect(JSON.parse(reply.body).error.param).toBe("max_tokens");
    expect(await balance()).toBe(before);
  });

  it("answers a wrong path with 404 invalid_request_error", async () => {
    expectOpenAiError(await call(base, "/v1/completions", { headers: { ...json, ...auth }, body: BODY }), 404, "unknown_url");
    expectOpenAiError(await call(base, "/", { method: "GET", headers: auth }), 404, "unknown_url");
  });

  it("refuses to listen on a non-loopback address without an API key, in one line", async () => {
    const result = await runCli(["gateway", "--host", "0.0.0.0", "--port", "0", "--url", rpcUrl, "--keypair", client], { env });
    expect(result.code).not.toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/refusing to listen on 0\.0\.0\.0 without an API key/);
  });

  it("answers CORS preflight for an allowed origin only, and accepts --allow-host names", async () => {
    const gateway = startCli(
      ["gateway", "--port", "0", "--url", rpcUrl, "--keypair", client, "--allow-host", "gateway.test", "--allow-origin", ALLOWED],
      { env },
    );
    try {
      const base = (await gateway.waitFor(/OpenAI-compatible API at (http:\/\/127\.0\.0\.1:\d+)\/v1/, 60_000))[1]!;
      const preflight = await call(base, "/v1/chat/completions", {
        method: "OPTIONS",
        headers: {
          origin: ALLOWED,
          "access-control-request-method": "POST",
          "access-control-request-headers": "authorization, content-type",
        },
      });
      expect(preflight.status).toBe(204);
      expect(preflight.headers).toMatchObject({
        "access-control-allow-origin": ALLOWED,
        "access-control-allow-headers": "authorization, content-type",
        vary: "Origin",
      });
      expect(preflight.headers["access-control-allow-methods"]).toContain("POST");
      const evil = await call(base, "/v1/chat/completions", {
        method: "OPTIONS",
        headers: { origin: "https://evil.example", "access-control-request-method": "POST" },
      });
      expect(evil.status).toBe(403);
      expect(evil.headers["access-control-allow-origin"]).toBeUndefined();
      // The allowed origin gets past the access checks (to a JSON validation error here, with CORS headers).
      const reply = await call(base, "/v1/chat/completions", { headers: { origin: ALLOWED, host: "gateway.test", ...json }, body: "{}" });
      expectOpenAiError(reply, 400, null);
      expect(reply.headers["access-control-allow-origin"]).toBe(ALLOWED);
    } finally {
      await gateway.stop();
    }
  }, 120_000);
});
