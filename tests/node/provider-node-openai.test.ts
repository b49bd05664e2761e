/**
 * The provider node with an OpenAI-compatible backend (what llama-server, vLLM or Ollama expose), here a
 * small local server on 127.0.0.1 backed by the real embedded model. The node builds that backend from its
 * config. A backend failure abandons that one request with a reason; the node keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { fetchRequestAccount, RequestStatus } from "@chainference/client";
import { DEFAULT_MODEL, defaultServedModel, type NodeEvent, type ProviderNode } from "@chainference/node";

import { startOpenAiCompatibleServer, type OpenAiCompatibleServer } from "../helpers/openai-compatible-server";
import {
  ask,
  fundedWallet,
  lamportSum,
  nextNonce,
  openProviderTestBed,
  readAnswer,
  requestAccounts,
  serverListingFor,
  testNodeConfig,
  type ProviderTestBed,
  type TestMarket,
} from "../helpers/provider-harness";

const SERVED_AS = "smollm2-135m-instruct";
const QUESTION = [{ role: "user", content: "What is the capital of France?" }] as const;

let bed: ProviderTestBed;
let openai: OpenAiCompatibleServer;
let market: TestMarket;
let node: ProviderNode;

beforeAll(async () => {
  bed = await openProviderTestBed();
  market = bed.market;
  openai = await startOpenAiCompatibleServer(bed.llama, SERVED_AS, { failNext: 1 });
  // No backend given: the node builds the OpenAI-compatible one its config names.
  node = await bed.startNode({
    config: testNodeConfig({
      models: [{ ...defaultServedModel(), backend: { kind: "openai", baseUrl: openai.baseUrl, model: SERVED_AS } }],
    }),
    backends: {},
  });
});

afterAll(async () => {
  await bed?.close(openai);
});

type Ev<T extends NodeEvent["type"]> = Extract<NodeEvent, { type: T }>;
const is =
  <T extends NodeEvent["type"]>(type: T, request: string) =>
  (e: NodeEvent): e is Ev<T> =>
    e.type === type && "request" in e && e.request === request;

describe("provider node with an OpenAI-compatible backend", () => {
  it("gives up a request its backend fails on before its first chunk, naming the failure, and never locks it", async () => {
    // Given a backend whose next answer is an HTTP 500
    const client = await fundedWallet(market.chain);
    const server = await serverListingFor(market, node.server);
    // When a request comes in
    const failed = await ask(market, {
      client,
      servers: [server],
      model: DEFAULT_MODEL.hfId,
      messages: QUESTION,
      maxTokens: 8,
      temperature: 0,
    });
    const skipped = await node.events.waitFor(is("skipped", failed.address), { timeoutMs: 30_000 });
    // Then the node gives it up, naming the failure; the lock travels with the first chunk, so it never locked
    // it: the request stays open for the client to hand to another server, and nothing was abandoned
    expect(skipped).toMatchObject({ reason: "lock-failed" });
    expect(skipped.detail).toMatch(/backend failed.*HTTP 500/);
    expect((await fetchRequestAccount(market.chain, failed.address))?.status).toBe(RequestStatus.Open);
    expect(node.metrics.snapshot().abandoned).toBe(0);
  });

  it("answers through the OpenAI-compatible server with the model's text, settles, and conserves lamports", async () => {
    // Given a client and every account its request can touch
    const client = await fundedWallet(market.chain);
    const server = await serverListingFor(market, node.server);
    const nonce = nextNonce();
    const accounts = await requestAccounts({ client: client.address, operator: node.operator, server: node.server, nonce });
    const sumBefore = await lamportSum(market, accounts);
    const nodeFeesBefore = node.metrics.snapshot().feesPaid;
    const servedBefore = openai.requests();

    // When it asks
    const posted = await ask(market, {
      client,
      servers: [server],
      model: DEFAULT_MODEL.hfId,
      messages: QUESTION,
      maxTokens: 24,
      temperature: 0,
      nonce,
    });
    const answer = await readAnswer(market, posted);
    const completed = await node.events.waitFor(is("completed", posted.address), { timeoutMs: 30_000 });

    // Then the answer came through the HTTP backend and is the model's own text
    expect(openai.requests()).toBeGreaterThan(servedBefore);
    expect(answer.outcome).toBe("settled");
    expect(answer.text).toBe(completed.text);
    const direct = await bed.llama.streamChat({ messages: QUESTION, maxTokens: 24, temperature: 0 }).result;
    expect(answer.text).toBe(direct.text);
    // with the usage the server reported, within the program's bounds
    expect(completed.tokensOut).toBe(Math.min(direct.usage.completionTokens, new TextEncoder().encode(direct.text).length));
    expect(completed.tokensIn).toBe(Math.min(direct.usage.promptTokens, posted.promptBytes));
    // and Σ lamports fell by exactly the fees
    const clientFees = posted.transactions.reduce((sum, tx) => sum + tx.fee, 0n);
    const nodeFees = node.metrics.snapshot().feesPaid - nodeFeesBefore;
    expect(await lamportSum(market, accounts)).toBe(sumBefore - clientFees - nodeFees);
  });
});
