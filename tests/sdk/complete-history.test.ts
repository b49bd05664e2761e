/**
 * Complete history from chain data and the wallet alone: the real program on the local network (LiteSVM served
 * over JSON-RPC), real crypto, the SDK's server-side calls. Requests go through every end state, every account
 * that can close is closed, and history still shows each prompt and answer or says why not; a reused nonce gives
 * one entry per create; a wallet with more than 1,000 signatures is read whole.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { generateKeyPairSigner, lamports, type KeyPairSigner, type MessagePartialSigner } from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import {
  cancelRequest,
  closeResponse,
  createRpcChain,
  ensureBond,
  expireRequest,
  fetchHistory,
  fetchProtocolConfig,
  fetchRequestAccount,
  fetchResponseAccount,
  findResponsePda,
  listSignaturesForAddress,
  postRequest,
  rateServer,
  type Chain,
  type HistoryEntry,
} from "@chainference/client";
import { startFaultProxy, type FaultProxy } from "../helpers/fault-proxy";
import {
  PRICE_IN,
  PRICE_OUT,
  TEST_MODEL,
  answerWithSdk,
  fundedSigner,
  listingsOf,
  payload,
  registerOperator,
  startLocalNetwork,
  type LocalNetwork,
  type TestOperator,
} from "../helpers/local-network";

const text = (bytes: Uint8Array | undefined) => (bytes ? new TextDecoder().decode(bytes) : undefined);
const question = (e: HistoryEntry) => e.decrypted.prompt?.messages[0]?.content;

/** The wallet with its signMessages calls counted (each call is one wallet prompt). */
function counted(wallet: KeyPairSigner): MessagePartialSigner & { prompts: () => number } {
  let prompts = 0;
  return {
    address: wallet.address,
    signMessages: (messages) => {
      prompts++;
      return wallet.signMessages(messages);
    },
    prompts: () => prompts,
  };
}

describe("complete history after every account closed", () => {
  let network: LocalNetwork;
  let proxy: FaultProxy;
  let chain: Chain;
  let client: KeyPairSigner;
  let op: TestOperator;
  let stranger: KeyPairSigner;

  const post = async (content: string, nonce?: bigint, responseTimeoutSlots = 0n) =>
    postRequest(chain, {
      client,
      model: TEST_MODEL,
      payload: payload(content),
      servers: await listingsOf(chain, [op]),
      stake: 10_000_000n,
      maxPriceIn: PRICE_IN,
      maxPriceOut: PRICE_OUT,
      responseTimeoutSlots,
      ...(nonce === undefined ? {} : { nonce }),
    });

  beforeAll(async () => {
    network = await startLocalNetwork();
    // Every JSON-RPC call of the SDK passes through a proxy that counts them by method (no faults).
    proxy = await startFaultProxy({ target: network.rpc.url, rate: 0 });
    chain = createRpcChain(proxy.url, { pollMs: 5, wsUrl: null });
    [client, stranger] = await Promise.all([fundedSigner(network.chain), fundedSigner(network.chain)]);
    op = await registerOperator(network, chain);
  });
  afterAll(async () => {
    await proxy?.close();
    await network?.close();
  });

  it("shows every end state's prompt and answer, or why not, with every account closed, after one wallet prompt", async () => {
    const config = await fetchProtocolConfig(chain);
    // Given a completed request whose response the client closes
    const completed = await post("completed, then closed");
    await answerWithSdk(chain, op, completed.address, ["Rayleigh ", "scattering."]);
    await closeResponse(chain, client, (await fetchResponseAccount(chain, (await findResponsePda({ request: completed.address }))[0]))!);
    // And a request cancelled before any server locked it
    const cancelled = await post("cancelled before lock");
    await cancelRequest(chain, client, cancelled.address);
    // And one that nobody took, expired
    const unlocked = await post("expired unlocked");
    // And one locked, half answered, then abandoned and expired (the expire closes its response too)
    const partial = await post("expired after a partial answer", undefined, config.minResponseTimeout);
    await answerWithSdk(chain, op, partial.address, ["Half an ans"], { complete: false, finalChunk: false });
    // And a completed, rated request whose response a stranger closes after the grace period
    const rated = await post("completed and rated");
    await answerWithSdk(chain, op, rated.address, ["Five ", "stars."]);
    const ratedResponse = (await fetchResponseAccount(chain, (await findResponsePda({ request: rated.address }))[0]))!;
    await rateServer(chain, client, ratedResponse, 5);
    network.chain.warpSlots(config.openRequestSlots + config.minResponseTimeout + 1n);
    await expireRequest(chain, stranger, (await fetchRequestAccount(chain, unlocked.address))!);
    await expireRequest(chain, stranger, (await fetchRequestAccount(chain, partial.address))!);
    network.chain.warpSlots(config.closeGraceSlots + 1n);
    await closeResponse(chain, stranger, ratedResponse);
    // Then no request or response account is left
    const all = [completed, cancelled, unlocked, partial, rated].map((p) => p.address);
    const responses = await Promise.all(all.map(async (r) => (await findResponsePda({ request: r }))[0]));
    expect((await chain.getAccounts([...all, ...responses])).every((a) => a === null)).toBe(true);

    // When the wallet reads its history from chain data alone
    const wallet = counted(client);
    const before = { ...proxy.stats.byMethod };
    const started = performance.now();
    const history = await fetchHistory(chain, wallet);
    const elapsedMs = performance.now() - started;
    const calls = Object.fromEntries(Object.entries(proxy.stats.byMethod).map(([m, n]) => [m, n - (before[m] ?? 0)]));

    // Then every request is there, oldest first, with its end state, prompt and answer (or why not)
    expect(history.map((e) => [question(e), e.status])).toEqual([
      ["completed, then closed", "completed"],
      ["cancelled before lock", "cancelled"],
      ["expired unlocked", "expired"],
      ["expired after a partial answer", "expired"],
      ["completed and rated", "completed"],
    ]);
    const [c, x, u, p, r] = history as [HistoryEntry, HistoryEntry, HistoryEntry, HistoryEntry, HistoryEntry];
    expect(history.every((e) => e.promptSource === "transaction-history" && e.promptMissing === null && e.response === null)).toBe(true);
    expect(text(c.decrypted.response?.plaintext)).toBe("Rayleigh scattering.");
    expect(c).toMatchObject({ answerSource: "transaction-history", answerMissing: null, server: op.server, rating: null });
    expect(c.settlement).toEqual({ tokensIn: 4, tokensOut: "Rayleigh scattering.".length, cost: null });
    // The locker's key: from the lock's data, where the program records it (lock_request names its key)
    expect(c.lockerKeySource).toBe("lock-instruction");
    expect(x).toMatchObject({ answerMissing: "cancelled before any answer", server: null, expiredAfterLock: false });
    expect(x.decrypted.response).toBeUndefined();
    expect(u).toMatchObject({ answerMissing: "expired before any server took it", expiredAfterLock: false });
    expect(text(p.decrypted.response?.plaintext)).toBe("Half an ans");
    expect(p).toMatchObject({ expiredAfterLock: true, answerSource: "transaction-history", server: op.server });
    expect(p.answerMissing).toBe("expired: the server stopped before finishing, this is the part it wrote");
    expect(text(r.decrypted.response?.plaintext)).toBe("Five stars.");
    expect(r.rating).toBe(5);
    // After exactly one wallet prompt
    expect(wallet.prompts()).toBe(1);
    // With one signature page for the wallet and one per request, and each transaction fetched once
    const walletTransactions = (await listSignaturesForAddress(chain, client.address)).length;
    expect(calls.getSignaturesForAddress).toBe(1 + all.length);
    const requestTransactions = new Set((await Promise.all(all.map((a) => listSignaturesForAddress(chain, a)))).flat());
    const own = new Set(await listSignaturesForAddress(chain, client.address));
    expect(calls.getTransaction).toBe(new Set([...own, ...requestTransactions]).size);
    console.log(
      `history of ${all.length} requests (${walletTransactions} wallet transactions): ${JSON.stringify(calls)} in ${elapsedMs.toFixed(0)} ms`,
    );
  });

  it("gives each create at a reused nonce its own entry, with its own prompt, end and answer", async () => {
    // Given a request cancelled, then created again at the same address (same nonce) and answered
    const first = await post("first at nonce 42", 42n);
    await cancelRequest(chain, client, first.address);
    const second = await post("second at nonce 42", 42n);
    expect(second.address).toBe(first.address);
    await ensureBond(chain, op.signer); // the abandon above took the penalty from the bond
    await answerWithSdk(chain, op, second.address, ["second answer"]);
    // When the history is read
    const history = (await fetchHistory(chain, client)).filter((e) => e.request === first.address);
    // Then two entries in create order, each with its own state and answer
    expect(history.map((e) => [question(e), e.status, text(e.decrypted.response?.plaintext)])).toEqual([
      ["first at nonce 42", "cancelled", undefined],
      ["second at nonce 42", "completed", "second answer"],
    ]);
    expect(history[0]!.createdSlot).toBeLessThanOrEqual(history[1]!.createdSlot);
    // The live response account serves the latest entry's answer and settlement
    expect(history[1]).toMatchObject({ answerSource: "account", lockerKeySource: "lock-instruction" });
    expect(history[1]!.settlement?.cost).toBe(history[1]!.response?.cost);
  });

  it("reassembles a prompt posted over several transactions from create_request and append_prompt data after a cancel", async () => {
    // Given a long prompt (create + appends) cancelled while open: its account is gone
    const long = "a long question, ".repeat(200);
    const posted = await post(long);
    expect(posted.transactions.length).toBeGreaterThan(2);
    await cancelRequest(chain, client, posted.address);
    // When the history is read, Then the whole prompt decrypts from transaction data
    const entry = (await fetchHistory(chain, client)).find((e) => e.request === posted.address);
    expect(entry).toMatchObject({ status: "cancelled", promptSource: "transaction-history", answerMissing: "cancelled before any answer" });
    expect(question(entry!)).toBe(long);
  });

  it("reads a wallet with more than 1,000 signatures whole, through the before cursor", async () => {
    // Given a fresh wallet whose first request is followed by 1,100 small transfers, then a second request
    client = await fundedSigner(network.chain);
    const oldest = await post("oldest, beyond the first page");
    const sink = (await generateKeyPairSigner()).address;
    for (let i = 0; i < 1_100; i++)
      await network.chain.sendInstructions(
        [getTransferSolInstruction({ source: client, destination: sink, amount: lamports(1_000_000n) })],
        {
          feePayer: client,
        },
      );
    const newest = await post("newest");
    // When the history is read through the RPC endpoint (pages of 1,000)
    const pagesBefore = proxy.stats.byMethod.getSignaturesForAddress ?? 0;
    const history = await fetchHistory(chain, client);
    // Then both requests are there, and the wallet took two signature pages
    expect(history.map((e) => [e.request, question(e), e.status])).toEqual([
      [oldest.address, "oldest, beyond the first page", "open"],
      [newest.address, "newest", "open"],
    ]);
    expect(history.every((e) => e.promptSource === "transaction-history" && e.answerMissing === "waiting for a server to take it")).toBe(
      true,
    );
    expect((proxy.stats.byMethod.getSignaturesForAddress ?? 0) - pagesBefore).toBe(2 + history.length);
    expect((await listSignaturesForAddress(chain, client.address)).length).toBeGreaterThan(1_100);
  }, 120_000);
});
