/**
 * The provider node end to end on the real program (in-process LiteSVM chain, slots at wall-clock speed) with
 * the real embedded model: a client asks, the node locks, answers and settles; the client decrypts exactly
 * what the model produced; lamports are conserved. Then broken and malicious requests: each is skipped with
 * its reason and the node keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  createRpcChain,
  fetchRequestAccount,
  fetchResponseAccount,
  findResponsePda,
  generateX25519KeyPair,
  RequestStatus,
} from "@chainference/client";

import { startLocalRpcServer } from "@chainference/localnet";
import { DEFAULT_MODEL, defaultServedModel, type NodeEvent, type ProviderNode } from "@chainference/node";

import { nonCanonicalPda, onCurveBump, responseSeeds } from "../helpers/lifecycle";
import {
  ask,
  askNamingResponseBump,
  freePort,
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

const QUESTION = [{ role: "user", content: "Name three primary colors." }] as const;
const MAX_TOKENS = 24;
/** The node publishes a 512-token context so a prompt within the protocol's 8 KiB limit can overflow it. */
const MAX_CONTEXT = 512;

let bed: ProviderTestBed;
let market: TestMarket;
let node: ProviderNode;
const lines: string[] = [];

beforeAll(async () => {
  bed = await openProviderTestBed();
  market = bed.market;
  node = await bed.startNode({
    config: testNodeConfig({ models: [{ ...defaultServedModel(), maxContext: MAX_CONTEXT }] }),
    log: (line) => lines.push(line),
  });
});

afterAll(async () => {
  await bed?.close();
});

type Completed = Extract<NodeEvent, { type: "completed" }>;
type Skipped = Extract<NodeEvent, { type: "skipped" }>;
const completedFor =
  (request: string) =>
  (e: NodeEvent): e is Completed =>
    e.type === "completed" && e.request === request;
const skippedFor =
  (request: string) =>
  (e: NodeEvent): e is Skipped =>
    e.type === "skipped" && e.request === request;

describe("provider node with the embedded model", () => {
  it("answers a request with the model's own text, settles it, and conserves lamports", async () => {
    // Given a client, the node's server on its allow-list, and every account the request can touch
    const client = await fundedWallet(market.chain);
    const server = await serverListingFor(market, node.server);
    const nonce = nextNonce();
    const accounts = await requestAccounts({ client: client.address, operator: node.operator, server: node.server, nonce });
    const sumBefore = await lamportSum(market, accounts);
    const nodeFeesBefore = node.metrics.snapshot().feesPaid;

    // When the client asks and reads the answer from the chain
    const posted = await ask(market, {
      client,
      servers: [server],
      model: DEFAULT_MODEL.hfId,
      messages: QUESTION,
      maxTokens: MAX_TOKENS,
      temperature: 0,
      nonce,
    });
    const answer = await readAnswer(market, posted);
    const completed = await node.events.waitFor(completedFor(posted.address), { timeoutMs: 30_000 });

    // Then the client decrypts exactly the text the node generated, which is the model's answer to that prompt
    expect(answer.outcome).toBe("settled");
    expect(answer.text.length).toBeGreaterThan(0);
    expect(answer.text).toBe(completed.text);
    const direct = await bed.llama.streamChat({ messages: QUESTION, maxTokens: MAX_TOKENS, temperature: 0 }).result;
    expect(answer.text).toBe(direct.text);
    // and it settled with the backend's counts, within the program's bounds
    expect(completed.tokensOut).toBe(Math.min(direct.usage.completionTokens, new TextEncoder().encode(direct.text).length));
    expect(completed.tokensIn).toBe(Math.min(direct.usage.promptTokens, posted.promptBytes));
    expect(answer.response?.tokensOut).toBe(completed.tokensOut);
    expect(answer.response?.tokensIn).toBe(completed.tokensIn);
    expect(completed.timeToFirstChunkMs).not.toBeNull();
    expect(completed.earnedLamports).toBeGreaterThan(0n);
    // and Σ lamports over client, operator, server, request, response and fee vault fell by exactly the fees
    const clientFees = posted.transactions.reduce((sum, tx) => sum + tx.fee, 0n);
    const nodeFees = node.metrics.snapshot().feesPaid - nodeFeesBefore;
    expect(nodeFees).toBeGreaterThan(0n);
    expect(await lamportSum(market, accounts)).toBe(sumBefore - clientFees - nodeFees);
    // and the node logged one line for the request with its tokens, speed and earnings
    expect(lines.some((l) => l.includes(posted.address) && l.includes("completed") && l.includes("earned"))).toBe(true);
  });

  it("skips a prompt encrypted for another key, a model revision it does not serve, and an oversized prompt, then serves the next request", async () => {
    // Given three bad requests naming this node's server
    const client = await fundedWallet(market.chain);
    const server = await serverListingFor(market, node.server);
    const wrongKey = { ...server, server: { ...server.server, x25519Key: generateX25519KeyPair().publicKey } };
    const forAnotherKey = await ask(market, { client, servers: [wrongKey], model: DEFAULT_MODEL.hfId, messages: QUESTION, maxTokens: 8 });
    const otherRevision = await ask(market, {
      client,
      servers: [server],
      model: DEFAULT_MODEL.hfId,
      revision: "0000000000000000000000000000000000000000",
      messages: QUESTION,
      maxTokens: 8,
    });
    const words = Array.from({ length: 700 }, (_, i) => `w${(i * 7919) % 10007}`).join(" "); // ~4.5 KB, > 512 tokens
    const oversized = await ask(market, {
      client,
      servers: [server],
      model: DEFAULT_MODEL.hfId,
      messages: [{ role: "user", content: words }],
      maxTokens: 8,
    });
    // and a request for a model the node does not serve at all
    const otherModel = await ask(market, { client, servers: [server], model: "someone/another-model", messages: QUESTION, maxTokens: 8 });

    // When the node sees them
    const [a, b, c] = await Promise.all([
      node.events.waitFor(skippedFor(forAnotherKey.address), { timeoutMs: 30_000 }),
      node.events.waitFor(skippedFor(otherRevision.address), { timeoutMs: 30_000 }),
      node.events.waitFor(skippedFor(oversized.address), { timeoutMs: 30_000 }),
    ]);

    // Then each is skipped with its reason and stays open for someone else
    expect(a.reason).toBe("undecryptable-prompt");
    expect(b.reason).toBe("model-not-offered");
    expect(c.reason).toBe("prompt-exceeds-context");
    for (const posted of [forAnotherKey, otherRevision, oversized, otherModel]) {
      expect((await fetchRequestAccount(market.chain, posted.address))?.status).toBe(RequestStatus.Open);
    }
    expect(node.metrics.snapshot().skipped["undecryptable-prompt"]).toBeGreaterThanOrEqual(1);

    // And a good request afterwards is still answered
    const good = await ask(market, {
      client,
      servers: [server],
      model: DEFAULT_MODEL.hfId,
      messages: QUESTION,
      maxTokens: 8,
      temperature: 0,
    });
    const answer = await readAnswer(market, good);
    expect(answer.outcome).toBe("settled");
    expect(answer.text).toBe((await node.events.waitFor(completedFor(good.address))).text);
  });

  it("never locks a request a client made unanswerable: a non-canonical or impossible response address, or a reused nonce over a response never closed", async () => {
    // Given a client and this node's server on the allow-list
    const client = await fundedWallet(market.chain);
    const server = await serverListingFor(market, node.server);
    const question = { client, servers: [server], model: DEFAULT_MODEL.hfId, messages: QUESTION, maxTokens: 8, temperature: 0 } as const;
    const expiredBefore = (await serverListingFor(market, node.server)).server.expired;
    // and a settled request whose response the client keeps (never closes)
    const nonce = nextNonce();
    const first = await ask(market, { ...question, nonce });
    expect((await readAnswer(market, first)).outcome).toBe("settled");
    const [responseAddress] = await findResponsePda({ request: first.address });
    expect(await fetchResponseAccount(market.chain, responseAddress)).toMatchObject({ completed: true, request: first.address });

    // When the client posts a request naming a valid non-canonical response bump, one naming a bump with
    // no program address, and re-creates the settled request with the same nonce (the old response still there)
    const lowerBump = await askNamingResponseBump(
      market,
      question,
      async (request, canonical) => (await nonCanonicalPda(responseSeeds(request), canonical))[1],
    );
    const noAddress = await askNamingResponseBump(market, question, (request) => onCurveBump(responseSeeds(request)));
    const reused = await ask(market, { ...question, nonce });
    expect(reused.address).toBe(first.address);
    const [a, b, c] = await Promise.all(
      [lowerBump, noAddress, reused].map((posted) => node.events.waitFor(skippedFor(posted.address), { timeoutMs: 30_000 })),
    );

    // Then the node skips each before locking, with its reason
    expect(a?.reason).toBe("bad-response-address");
    expect(b?.reason).toBe("bad-response-address");
    expect(b?.detail).toContain("no program address");
    expect(c?.reason).toBe("stale-response");
    // and they stay Open (they will expire unlocked: a full refund, no server penalized)
    for (const posted of [lowerBump, noAddress, reused]) {
      expect((await fetchRequestAccount(market.chain, posted.address))?.status).toBe(RequestStatus.Open);
    }
    expect((await serverListingFor(market, node.server)).server.expired).toBe(expiredBefore);
    expect(node.metrics.snapshot().skipped).toMatchObject({ "bad-response-address": 2, "stale-response": 1 });
  });

  it("serves through a Solana JSON-RPC endpoint, the path to a real cluster, and exposes /metrics", async () => {
    // Given a second node that reaches the chain only over JSON-RPC, with its metrics endpoint on
    const rpc = await startLocalRpcServer(market.chain, 0);
    const probe = await freePort();
    const overRpc = await bed.startNode({
      chain: createRpcChain(rpc.url, { pollMs: 50 }),
      config: testNodeConfig({ metricsPort: probe }),
      keyringFile: "rpc-keyring.json",
    });
    try {
      // When a client asks it
      const client = await fundedWallet(market.chain);
      const posted = await ask(market, {
        client,
        servers: [await serverListingFor(market, overRpc.server)],
        model: DEFAULT_MODEL.hfId,
        messages: QUESTION,
        maxTokens: 8,
        temperature: 0,
      });
      const answer = await readAnswer(market, posted);
      // Then it answers and settles as the in-process node does, and /metrics on 127.0.0.1 counts it
      expect(answer.outcome).toBe("settled");
      expect(answer.text).toBe((await overRpc.events.waitFor(completedFor(posted.address))).text);
      expect(overRpc.metricsUrl).toBe(`http://127.0.0.1:${probe}/metrics`);
      const metrics = await (await fetch(overRpc.metricsUrl!)).text();
      expect(metrics).toContain("chainference_node_requests_completed_total 1");
      expect(metrics).toContain("chainference_node_requests_locked_total 1");
    } finally {
      await overRpc.stop();
      await rpc.close();
    }
  });
});
