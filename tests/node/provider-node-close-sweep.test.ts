/**
 * The provider node's close sweep on the real program (LiteSVM, the embedded model): completed responses past the
 * Config's grace period are closed in one transaction with their rent back to the operator and one fee; responses
 * inside the grace period and other servers' responses stay; the client's history still decrypts a closed answer
 * from transaction data; a settlement's transaction closes overdue responses in its spare room, and a close that
 * fails there is dropped while the settlement lands without it. Plus the pure parts: which responses are due, how many closes one transaction holds, and
 * the config field.
 */
import { generateKeyPairSigner, type Address } from "@solana/kit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import {
  CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
  defaultProtocolParameters,
  fetchHistory,
  fetchRequestAccount,
  fetchResponseAccount,
  findResponsePda,
  getCurrentServerKey,
  isTransactionFailed,
  type Chain,
  type PostedRequest,
  type SentTransaction,
} from "@chainference/client";
import {
  CHAINFERENCE_ERROR__NODE__CONFIG_INVALID,
  DEFAULT_MODEL,
  NO_LANDED_RESPONSE,
  closableResponses,
  createResponseWriter,
  getMaxClosesPerTransaction,
  openRequestPrompt,
  parseNodeConfig,
  readServerKeyringFile,
  responseKeyFor,
  type ClosesAlong,
  type NodeEvent,
  type ProviderNode,
  type SweptResponse,
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
} from "../helpers/provider-harness";

describe("closableResponses", () => {
  const response = (n: number, completed: boolean, completedSlot: bigint): SweptResponse => ({
    address: `1111111111111111111111111111111${n}` as Address,
    lamports: 1_000n,
    completed,
    completedSlot,
  });

  it("takes completed responses strictly past completed_slot + grace, oldest first", () => {
    const due = closableResponses(
      [response(3, true, 50n), response(4, true, 10n), response(5, true, 90n), response(6, false, 0n), response(7, true, 89n)],
      190n,
      100n,
    );
    // 90 + 100 = 190 is not past 190 (the program's `<=` check); 89 + 100 < 190 is; the uncompleted one never is
    expect(due.map((r) => r.completedSlot)).toEqual([10n, 50n, 89n]);
  });

  it("never closes under a grace of u64::MAX (only the client may close then)", () => {
    expect(closableResponses([response(3, true, 5n)], 2n ** 64n - 1n, 2n ** 64n - 1n)).toEqual([]);
  });
});

describe("getMaxClosesPerTransaction", () => {
  it("fits 25 close_response instructions in one 1,232-byte transaction (32-byte address + 8-byte instruction each)", async () => {
    expect(await getMaxClosesPerTransaction(await generateKeyPairSigner())).toBe(25);
  });
});

describe("closeSweepIntervalMs", () => {
  it("defaults to an hour, takes null (only at a drained stop or by hand) and refuses what is not an interval", () => {
    expect(parseNodeConfig({}).closeSweepIntervalMs).toBe(3_600_000);
    expect(parseNodeConfig({ closeSweepIntervalMs: null }).closeSweepIntervalMs).toBeNull();
    expect(parseNodeConfig({ closeSweepIntervalMs: 60_000 }).closeSweepIntervalMs).toBe(60_000);
    for (const bad of [10, "1h", -5])
      expect(() => parseNodeConfig({ closeSweepIntervalMs: bad })).toThrow(
        expect.objectContaining({
          code: CHAINFERENCE_ERROR__NODE__CONFIG_INVALID,
          message: expect.stringMatching(/closeSweepIntervalMs must be an integer/),
        }),
      );
  });
});

describe("the close sweep on a real node", () => {
  let bed: ProviderTestBed;
  let mine: ProviderNode;
  let other: ProviderNode;

  beforeAll(async () => {
    bed = await openProviderTestBed();
    // Only on demand: the test decides when it sweeps.
    const config = testNodeConfig({ closeSweepIntervalMs: null, maxOutputTokens: 6 });
    mine = await bed.startNode({ config, keyringFile: "mine.json" });
    other = await bed.startNode({ config, keyringFile: "other.json" });
  }, 120_000);

  afterAll(async () => {
    await bed?.close();
  });

  const answered = async (client: Awaited<ReturnType<typeof fundedWallet>>, node: ProviderNode, content: string) => {
    const posted = await ask(bed.market, {
      client,
      servers: [await serverListingFor(bed.market, node.server)],
      model: DEFAULT_MODEL.hfId,
      messages: [{ role: "user", content }],
      maxTokens: 6,
    });
    const answer = await readAnswer(bed.market, posted);
    expect(answer.outcome).toBe("settled");
    return { posted, text: answer.text };
  };
  const responseOf = async (posted: PostedRequest) => (await findResponsePda({ request: posted.address }))[0];

  it("closes its overdue responses in one transaction, rent back to the operator, and leaves the rest alone", async () => {
    const client = await fundedWallet(bed.market.chain);
    const overdue = [
      await answered(client, mine, "Name a colour."),
      await answered(client, mine, "Name a fruit."),
      await answered(client, mine, "Name a planet."),
    ];
    const othersOverdue = await answered(client, other, "Name a tree.");
    // Half the grace period, then a fresh answer (nothing due yet, so its settlement closes nothing along), then
    // the other half: the three are past the grace period, the fresh one is not
    const halfGrace = defaultProtocolParameters(client.address).closeGraceSlots / 2n + 1n;
    bed.market.chain.warpSlots(halfGrace);
    const fresh = await answered(client, mine, "Name a river.");
    bed.market.chain.warpSlots(halfGrace);

    const overdueResponses = await Promise.all(overdue.map((a) => responseOf(a.posted)));
    const kept = [await responseOf(fresh.posted), await responseOf(othersOverdue.posted)];
    const rent = await lamportSum(bed.market, overdueResponses);
    const keptBefore = await lamportSum(bed.market, kept);
    const operatorBefore = await bed.market.chain.getBalance(mine.operator);
    const everyBefore = await lamportSum(bed.market, [mine.operator, ...overdueResponses]);
    const events: NodeEvent[] = [];
    const unsubscribe = mine.events.subscribe((e) => {
      if (e.type === "responses-closed") events.push(e);
    });

    const result = await mine.closeResponses();
    unsubscribe();

    expect(result).toEqual({ closed: 3, rentLamports: rent, fee: 5_000n, transactions: 1 });
    expect(events).toEqual([{ type: "responses-closed", responses: expect.any(Array), rentLamports: rent, fee: 5_000n }]);
    expect(new Set((events[0] as { responses: readonly Address[] }).responses)).toEqual(new Set(overdueResponses));
    // Every lamport of the three accounts reached the operator; the one fee is all that left the pair
    expect(await bed.market.chain.getBalance(mine.operator)).toBe(operatorBefore + rent - 5_000n);
    expect(await lamportSum(bed.market, [mine.operator, ...overdueResponses])).toBe(everyBefore - 5_000n);
    for (const address of overdueResponses) expect(await bed.market.chain.getAccount(address)).toBeNull();
    // Inside the grace period, and another server's: untouched
    expect(await lamportSum(bed.market, kept)).toBe(keptBefore);
    for (const address of kept) expect(await fetchResponseAccount(bed.market.chain, address)).not.toBeNull();

    const metrics = mine.metrics.snapshot();
    expect(metrics.responsesClosed).toBe(3);
    expect(metrics.rentRecovered).toBe(rent);
    const prometheus = mine.metrics.renderPrometheus();
    expect(prometheus).toContain("chainference_node_responses_closed_total 3\n");
    expect(prometheus).toContain(`chainference_node_rent_recovered_lamports_total ${rent}\n`);

    // A second sweep finds nothing due and sends nothing
    expect(await mine.closeResponses()).toEqual({ closed: 0, rentLamports: 0n, fee: 0n, transactions: 0 });

    // The client's history still decrypts each closed answer, now from transaction data
    const history = await fetchHistory(bed.market.chain, client);
    for (const { posted, text } of overdue) {
      const entry = history.find((h) => h.request === posted.address)!;
      expect(entry.status).toBe("completed");
      expect(entry.response).toBeNull();
      expect(entry.answerSource).toBe("transaction-history");
      expect(new TextDecoder().decode(entry.decrypted.response!.plaintext)).toBe(text);
    }
  }, 240_000);

  it("closes overdue responses in the spare room of a later settlement's transaction, with no fee of their own", async () => {
    const along = await bed.startNode({
      config: testNodeConfig({ closeSweepIntervalMs: null, maxOutputTokens: 6 }),
      keyringFile: "along.json",
    });
    const client = await fundedWallet(bed.market.chain);
    const overdue = await Promise.all([
      answered(client, along, "Name a metal.").then((a) => responseOf(a.posted)),
      answered(client, along, "Name a gem.").then((a) => responseOf(a.posted)),
    ]);
    bed.market.chain.warpSlots(defaultProtocolParameters(client.address).closeGraceSlots + 1n);
    const rent = await lamportSum(bed.market, overdue);
    const nonce = nextNonce();
    const accounts = await requestAccounts({
      client: client.address,
      operator: along.operator,
      server: along.server,
      nonce,
      others: overdue,
    });
    const sumBefore = await lamportSum(bed.market, accounts);
    const events: NodeEvent[] = [];
    const unsubscribe = along.events.subscribe((e) => {
      if ("request" in e || e.type === "responses-closed") events.push(e);
    });

    const posted = await ask(bed.market, {
      client,
      servers: [await serverListingFor(bed.market, along.server)],
      model: DEFAULT_MODEL.hfId,
      messages: [{ role: "user", content: "Name a lake." }],
      maxTokens: 6,
      nonce,
    });
    expect((await readAnswer(bed.market, posted)).outcome).toBe("settled");
    await along.events.waitFor((e) => e.type === "completed" && e.request === posted.address, { timeoutMs: 30_000 });
    unsubscribe();

    // The settlement's transaction closed both: one event naming it, no fee of its own
    const closed = events.filter((e) => e.type === "responses-closed");
    expect(closed).toEqual([
      { type: "responses-closed", responses: expect.any(Array), rentLamports: rent, fee: 0n, alongWith: posted.address },
    ]);
    expect(new Set((closed[0] as { responses: readonly Address[] }).responses)).toEqual(new Set(overdue));
    for (const address of overdue) expect(await bed.market.chain.getAccount(address)).toBeNull();
    // The answer took the transactions it takes without them: lock + first chunk, then final chunk + settlement
    const chunks = events.filter(
      (e): e is Extract<NodeEvent, { type: "chunk-appended" }> => e.type === "chunk-appended" && e.request === posted.address,
    );
    expect(chunks.at(-1)!.isFinal).toBe(true);
    // The node paid only the answer's own fees, and Σ lamports over client, operator, server, request, response,
    // fee vault and the two closed responses fell by exactly the fees of the answer's transactions (the rent of
    // the closed ones moved to the operator)
    const fees = chunks.reduce((sum, c) => sum + c.fee, 0n);
    expect(fees).toBe(5_000n * BigInt(chunks.length));
    const clientFees = posted.transactions.reduce((sum, tx) => sum + tx.fee, 0n);
    expect(await lamportSum(bed.market, accounts)).toBe(sumBefore - clientFees - fees);
    expect(along.metrics.snapshot()).toMatchObject({ responsesClosed: 2, rentRecovered: rent });
    // Nothing is left for the sweep
    expect(await along.closeResponses()).toEqual({ closed: 0, rentLamports: 0n, fee: 0n, transactions: 0 });
    await along.stop();
  }, 240_000);

  it("drops a close that fails in the settlement's transaction and lands the settlement without it", async () => {
    // Given an open request to a registered server (its node stopped: the test writes the answer), and a backlog
    // that hands out a response this operator may not close (another server's, inside its grace period)
    const operator = await fundedWallet(bed.market.chain);
    const registrar = await bed.startNode({ operator, config: testNodeConfig({ closeSweepIntervalMs: null }), keyringFile: "writer.json" });
    await registrar.stop();
    const server = await serverListingFor(bed.market, registrar.server);
    const client = await fundedWallet(bed.market.chain);
    const notClosable = await responseOf((await answered(client, other, "Name a cloud.")).posted);
    const posted = await ask(bed.market, {
      client,
      servers: [server],
      model: DEFAULT_MODEL.hfId,
      messages: [{ role: "user", content: "Hi." }],
      maxTokens: 4,
    });
    const open = (await fetchRequestAccount(bed.market.chain, posted.address))!;
    const keyring = (await readServerKeyringFile(`${bed.scratch}/writer.json`))!;
    const opened = openRequestPrompt({ request: open, server: server.address, keyring });
    const request = asLockedBy(open, { slot: await bed.market.chain.getSlot(), priceIn: 1n, priceOut: 1n, keyEpoch: opened.keyEpoch });
    const released: string[] = [];
    const closesAlong: ClosesAlong = {
      take: async () => [{ address: notClosable, lamports: 1n }],
      release: (taken, outcome) => released.push(...taken.map((t) => `${t.address}:${outcome}`)),
      completed: () => {},
    };
    const sent: SentTransaction[] = [];
    const failures: unknown[] = [];
    const watched: Chain = {
      ...bed.market.chain,
      sendInstructions: (instructions, options) =>
        bed.market.chain.sendInstructions(instructions, options).then(
          (tx) => (sent.push(tx), tx),
          (error: unknown) => {
            failures.push(error);
            throw error;
          },
        ),
    };
    const writer = createResponseWriter({
      chain: watched,
      operator,
      request: posted.address,
      responseKey: responseKeyFor({ request, dataKey: opened.dataKey, keyring }),
      landed: NO_LANDED_RESPONSE,
      chunkRoom: { alone: 64, "with-lock": 64, "with-complete": 64, "with-lock-and-complete": 64 },
      lockWithFirstChunk: { x25519Key: getCurrentServerKey(keyring).publicKey },
      closesAlong,
      streamByteCap: request.maxResponseBytes,
      reserveBytes: 512,
      flush: { intervalMs: 60_000, maxChunkBytes: 64, firstChunkTokens: 1 },
      retries: 0,
      retryDelayMs: 0,
      stopSignal: new AbortController().signal,
    });

    // When it writes a short answer and settles with the final chunk
    writer.push("Hello there.");
    const written = await writer.finish({ request, counts: async () => ({ tokensIn: 1, tokensOut: 3 }) });

    // Then the transaction with the close failed on the close (the program's OperatorMismatch), the settlement
    // landed without it, and the backlog was told to drop it; the other server's response is untouched
    expect(failures).toHaveLength(1);
    expect(isTransactionFailed(failures[0], CHAINFERENCE_ERROR__OPERATOR_MISMATCH)).toBe(true);
    expect(written.settled?.sent).not.toBeNull();
    expect(released).toEqual([`${notClosable}:drop`]);
    expect(await fetchRequestAccount(bed.market.chain, posted.address)).toBeNull();
    expect(await fetchResponseAccount(bed.market.chain, notClosable)).not.toBeNull();
    expect(new TextDecoder().decode(written.plaintext)).toBe("Hello there.");
  }, 120_000);

  it("sweeps once more at a drained stop", async () => {
    const client = await fundedWallet(bed.market.chain);
    const closedBefore = mine.metrics.snapshot().responsesClosed;
    const last = await responseOf((await answered(client, mine, "Name a bird.")).posted);
    // The river answer of the first test, past its grace period by now, went along with this settlement
    expect(mine.metrics.snapshot().responsesClosed).toBe(closedBefore + 1);
    bed.market.chain.warpSlots(defaultProtocolParameters(client.address).closeGraceSlots + 1n);
    await mine.stop({ drain: true });
    expect(await bed.market.chain.getAccount(last)).toBeNull();
    expect(mine.metrics.snapshot().responsesClosed).toBe(closedBefore + 2);
  }, 120_000);

  it("sweeps on its own every closeSweepIntervalMs", async () => {
    const timed = await bed.startNode({
      config: testNodeConfig({ closeSweepIntervalMs: 1_000, maxOutputTokens: 6 }),
      keyringFile: "timed.json",
    });
    const client = await fundedWallet(bed.market.chain);
    const response = await responseOf((await answered(client, timed, "Name a stone.")).posted);
    bed.market.chain.warpSlots(defaultProtocolParameters(client.address).closeGraceSlots + 1n);
    const closed = await timed.events.waitFor((e) => e.type === "responses-closed", { timeoutMs: 30_000, description: "a timed sweep" });
    expect(closed).toMatchObject({ responses: [response], fee: 5_000n });
    expect(await bed.market.chain.getAccount(response)).toBeNull();
  }, 120_000);
});
