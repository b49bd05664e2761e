/**
 * Crash recovery: a node stopped mid-answer (after at least one chunk landed) leaves the request locked; a
 * new node with the same keypair and keyring finishes it from the next chunk index. When the new node comes
 * too late, it says so and leaves the request to `expire_request`, which refunds the client.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { KeyPairSigner } from "@solana/kit";

import {
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
  CHAINFERENCE_ERROR__REQUEST_NOT_OPEN,
  expireRequest,
  fetchProtocolConfig,
  fetchRequestAccount,
  fetchResponseAccount,
  findResponsePda,
  getCurrentServerKey,
  isTransactionFailed,
  RequestStatus,
  type Chain,
} from "@chainference/client";
import {
  DEFAULT_MODEL,
  NO_LANDED_RESPONSE,
  createResponseWriter,
  openRequestPrompt,
  readServerKeyringFile,
  responseKeyFor,
  type NodeEvent,
  type ProviderNode,
} from "@chainference/node";
import { asLockedBy } from "../../node/src/provider/serve-request";

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

const STORY = [{ role: "user", content: "Write a short story about a lighthouse keeper and a storm." }] as const;
const MAX_TOKENS = 64;
/** Small chunks so the answer spans several, and a slow flush so the node is mid-stream when it dies. */
const CONFIG = testNodeConfig({ flush: { intervalMs: 300, maxChunkBytes: 48, firstChunkTokens: 4 } });

let bed: ProviderTestBed;
let market: TestMarket;
let operator: KeyPairSigner;
/** Every node started here (all with the same operator and keyring); `bed.close` stops them. */
const nodes: ProviderNode[] = [];

beforeAll(async () => {
  bed = await openProviderTestBed();
  market = bed.market;
  operator = await fundedWallet(market.chain);
});

afterAll(async () => {
  await bed?.close();
});

const start = async (config = CONFIG): Promise<ProviderNode> => {
  const node = await bed.startNode({ operator, config });
  nodes.push(node);
  return node;
};

type Ev<T extends NodeEvent["type"]> = Extract<NodeEvent, { type: T }>;
const is =
  <T extends NodeEvent["type"]>(type: T, request: string) =>
  (e: NodeEvent): e is Ev<T> =>
    e.type === type && "request" in e && e.request === request;

/** The server as a client sees it (registered by a node started and stopped at once). */
async function registeredServer() {
  const node = await start();
  await node.stop();
  return serverListingFor(market, node.server);
}

/** Starts a node, lets it land the first chunk of `request`, then kills it (no drain) right there. */
async function crashAfterFirstChunk(request: string): Promise<void> {
  const node = await start();
  const killed = new Promise<void>((resolve) => {
    const unsubscribe = node.events.subscribe((e) => {
      if (e.type === "chunk-appended" && e.request === request) {
        unsubscribe();
        void node.stop().then(resolve);
      }
    });
  });
  await killed;
}

describe("provider node crash recovery", () => {
  it("finishes a request a killed node left half-written, from the next chunk index", async () => {
    // Given a request whose answer a node had started writing when it was killed
    const client = await fundedWallet(market.chain);
    const server = await registeredServer();
    const posted = await ask(market, {
      client,
      servers: [server],
      model: DEFAULT_MODEL.hfId,
      messages: STORY,
      maxTokens: MAX_TOKENS,
      temperature: 0,
    });
    await crashAfterFirstChunk(posted.address);
    const [responseAddress] = await findResponsePda({ request: posted.address });
    const partial = await fetchResponseAccount(market.chain, responseAddress);
    expect((await fetchRequestAccount(market.chain, posted.address))?.status).toBe(RequestStatus.Locked);
    expect(partial?.chunkCount).toBeGreaterThanOrEqual(1);
    expect(partial?.isFinal).toBe(false);

    // When a new node starts with the same keypair and keyring (waiting 3 slots before appending, so a
    // chunk the dead node might still have had in flight could no longer land)
    const restartSlot = await market.chain.getSlot();
    const restarted = await start({ ...CONFIG, recoveryQuietSlots: 3 });
    const recovering = await restarted.events.waitFor(is("recovering", posted.address), { timeoutMs: 30_000 });
    const answer = await readAnswer(market, posted);
    const completed = await restarted.events.waitFor(is("completed", posted.address), { timeoutMs: 30_000 });

    // Then it resumes after the landed chunks and the client reads the model's whole answer, once
    expect(recovering.action).toBe("resume");
    expect(recovering.chunksLanded).toBe(partial!.chunkCount);
    const appended = restarted.events
      .history()
      .filter((e): e is Ev<"chunk-appended"> => e.type === "chunk-appended" && e.request === posted.address);
    expect(appended[0]?.index).toBe(partial!.chunkCount);
    expect(appended[0]!.slot).toBeGreaterThanOrEqual(restartSlot + 3n);
    expect(answer.outcome).toBe("settled");
    const direct = await bed.llama.streamChat({ messages: STORY, maxTokens: MAX_TOKENS, temperature: 0 }).result;
    expect(answer.text).toBe(direct.text);
    expect(completed.text).toBe(direct.text);
    expect(completed.tokensOut).toBe(Math.min(direct.usage.completionTokens, new TextEncoder().encode(direct.text).length));
    await restarted.stop();
  });

  it("leaves a request it restarts too late for to expire_request, which refunds the client in full", async () => {
    // Given a request a killed node had locked and partly answered, and every account it touches
    const client = await fundedWallet(market.chain);
    const expirer = await fundedWallet(market.chain);
    const server = await registeredServer();
    const nonce = nextNonce();
    const accounts = await requestAccounts({
      client: client.address,
      operator: operator.address,
      server: server.address,
      nonce,
      others: [expirer.address],
    });
    const sumBefore = await lamportSum(market, accounts);
    const clientBefore = await market.chain.getBalance(client.address);
    const posted = await ask(market, {
      client,
      servers: [server],
      model: DEFAULT_MODEL.hfId,
      messages: STORY,
      maxTokens: MAX_TOKENS,
      temperature: 0,
      nonce,
      responseTimeoutSlots: 200n,
    });
    const nodeFeesBefore = nodes.reduce((sum, n) => sum + n.metrics.snapshot().feesPaid, 0n);
    await crashAfterFirstChunk(posted.address);
    const locked = await fetchRequestAccount(market.chain, posted.address);
    expect(locked?.status).toBe(RequestStatus.Locked);

    // When the node comes back after the deadline
    market.chain.warpSlots(locked!.deadlineSlot - (await market.chain.getSlot()) + 1n);
    const late = await start();
    const left = await late.events.waitFor(is("left-to-expire", posted.address), { timeoutMs: 30_000 });

    // Then it says so (never silently) and does not touch the request
    expect(left.reason).toMatch(/deadline/);
    expect((await fetchRequestAccount(market.chain, posted.address))?.status).toBe(RequestStatus.Locked);
    // and anyone's expire_request refunds the whole stake plus the abandon penalty from the server's bond; the
    // partial answer's rent goes back to the operator
    const expired = await expireRequest(market.chain, expirer, locked!);
    expect(await fetchRequestAccount(market.chain, posted.address)).toBeNull();
    const clientFees = posted.transactions.reduce((sum, tx) => sum + tx.fee, 0n);
    const { abandonPenalty } = await fetchProtocolConfig(market.chain);
    expect(await market.chain.getBalance(client.address)).toBe(clientBefore - clientFees + abandonPenalty);
    const nodeFees = nodes.reduce((sum, n) => sum + n.metrics.snapshot().feesPaid, 0n) - nodeFeesBefore;
    // Σ over client, operator, server, request, response, fee vault and the expirer fell by exactly the fees
    // (node restarts re-publish the server: those update_server fees are in the node metrics too)
    expect(await lamportSum(market, accounts)).toBe(sumBefore - clientFees - nodeFees - expired.fee);
    expect(late.metrics.snapshot().leftToExpire).toBe(1);
    await late.stop();
  });

  it("re-reads chunk_count when an append finds its index already taken, and continues after it", async () => {
    // Given a request a killed node left with chunks on-chain, and a writer that believes none landed
    const client = await fundedWallet(market.chain);
    const server = await registeredServer();
    const posted = await ask(market, {
      client,
      servers: [server],
      model: DEFAULT_MODEL.hfId,
      messages: STORY,
      maxTokens: MAX_TOKENS,
      temperature: 0,
    });
    await crashAfterFirstChunk(posted.address);
    const request = (await fetchRequestAccount(market.chain, posted.address))!;
    const [responseAddress] = await findResponsePda({ request: posted.address });
    const landedChunks = (await fetchResponseAccount(market.chain, responseAddress))!.chunkCount;
    const keyring = (await readServerKeyringFile(`${bed.scratch}/keyring.json`))!;
    const opened = openRequestPrompt({ request, server: server.address, keyring });
    const appended: number[] = [];
    const writer = createResponseWriter({
      chain: market.chain,
      operator,
      request: posted.address,
      responseKey: responseKeyFor({ request, dataKey: opened.dataKey, keyring }),
      landed: NO_LANDED_RESPONSE,
      chunkRoom: { alone: 48, "with-lock": 48, "with-complete": 48, "with-lock-and-complete": 48 },
      streamByteCap: request.maxResponseBytes,
      reserveBytes: 0,
      flush: { intervalMs: 60_000, maxChunkBytes: 48, firstChunkTokens: 4 },
      retries: 0,
      retryDelayMs: 0,
      stopSignal: new AbortController().signal,
      onAppended: ({ index }) => appended.push(index),
    });

    // When it writes the (deterministic) answer from the start
    const direct = await bed.llama.streamChat({ messages: STORY, maxTokens: MAX_TOKENS, temperature: 0 }).result;
    for (const piece of direct.text.match(/[\s\S]{1,5}/g) ?? []) writer.push(piece);
    const written = await writer.finish();

    // Then its first append hit ChunkIndexMismatch, it adopted what landed, and appended only after it
    expect(appended[0]).toBe(landedChunks);
    expect(new TextDecoder().decode(written.plaintext)).toBe(direct.text);
    const response = (await fetchResponseAccount(market.chain, responseAddress))!;
    expect(response.isFinal).toBe(true);
    expect(response.chunkCount).toBe(written.chunkCount);
    // plaintext_bytes counts padded chunk plaintexts (each chunk's length − 40 for nonce and tag)
    expect(response.plaintextBytes).toBe(response.streamLen - response.chunkCount * (2 + 40));
    expect(response.plaintextBytes).toBeGreaterThanOrEqual(written.plaintext.length);
  });

  it("lands the lock + first chunk and the final chunk + settlement once when their confirmations are lost: a resend's RequestNotOpen, or its append failing on the closed request, is its own landing", async () => {
    // Given an Open request, and a chain that lands every transaction but loses the confirmation of the first
    // (lock + chunk 0) and of the last (final chunk + complete), so the writer resends each with a fresh blockhash
    const client = await fundedWallet(market.chain);
    const server = await registeredServer();
    const nonce = nextNonce();
    const accounts = await requestAccounts({ client: client.address, operator: operator.address, server: server.address, nonce });
    const posted = await ask(market, { client, servers: [server], model: DEFAULT_MODEL.hfId, messages: STORY, maxTokens: 8, nonce });
    const sumBefore = await lamportSum(market, accounts);
    const open = (await fetchRequestAccount(market.chain, posted.address))!;
    const keyring = (await readServerKeyringFile(`${bed.scratch}/keyring.json`))!;
    const opened = openRequestPrompt({ request: open, server: server.address, keyring });
    const request = asLockedBy(open, { slot: await market.chain.getSlot(), priceIn: 1n, priceOut: 1n, keyEpoch: opened.keyEpoch });
    let sends = 0;
    let fees = 0n;
    const resendErrors: unknown[] = [];
    const lossy: Chain = {
      ...market.chain,
      sendInstructions: async (instructions, options) => {
        sends += 1;
        const sent = await market.chain.sendInstructions(instructions, options).catch((error: unknown) => {
          resendErrors.push(error);
          throw error;
        });
        fees += sent.fee;
        if (instructions.length > 1) throw new Error("transaction not confirmed (connection reset)");
        return sent;
      },
    };
    const writer = createResponseWriter({
      chain: lossy,
      operator,
      request: posted.address,
      responseKey: responseKeyFor({ request, dataKey: opened.dataKey, keyring }),
      landed: NO_LANDED_RESPONSE,
      chunkRoom: { alone: 48, "with-lock": 48, "with-complete": 48, "with-lock-and-complete": 48 },
      lockWithFirstChunk: { x25519Key: getCurrentServerKey(keyring).publicKey },
      streamByteCap: request.maxResponseBytes,
      reserveBytes: 512,
      flush: { intervalMs: 60_000, maxChunkBytes: 48, firstChunkTokens: 2 },
      retries: 2,
      retryDelayMs: 0,
      stopSignal: new AbortController().signal,
    });

    // When it writes an answer of three pieces and finishes, settling with the final chunk
    for (const piece of ["Waves ", "broke ", "white."]) writer.push(piece);
    const written = await writer.finish({ request, counts: async (answer) => ({ tokensIn: 1, tokensOut: answer.length > 0 ? 3 : 0 }) });

    // Then each shared transaction landed once, and each resend failed with the error that proves it had
    expect(resendErrors).toHaveLength(2);
    expect(isTransactionFailed(resendErrors[0], CHAINFERENCE_ERROR__REQUEST_NOT_OPEN)).toBe(true);
    // (the settlement closed the request, so the final append's resend fails on the request account's owner)
    expect(isTransactionFailed(resendErrors[1], CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER)).toBe(true);
    expect(writer.locked()).toBe(true);
    expect(written.settled).toEqual({ counts: null, sent: null }); // found settled on-chain, not sent again
    expect(new TextDecoder().decode(written.plaintext)).toBe("Waves broke white.");
    // And the request is settled and closed, the response final and completed
    expect(await fetchRequestAccount(market.chain, posted.address)).toBeNull();
    const [responseAddress] = await findResponsePda({ request: posted.address });
    expect((await fetchResponseAccount(market.chain, responseAddress))!).toMatchObject({
      isFinal: true,
      completed: true,
      chunkCount: written.chunkCount,
    });
    // And lamports are conserved: only the fees of the transactions that landed left the accounts
    expect(sends).toBeGreaterThanOrEqual(4);
    expect(await lamportSum(market, accounts)).toBe(sumBefore - fees);
  });
});
