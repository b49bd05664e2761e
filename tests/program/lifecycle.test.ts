/**
 * The request lifecycle on the real target/deploy/chainference.so, happy paths: create_request
 * (+ append_prompt), cancel_request, lock_request, append_response (create, grow, top up),
 * complete_request (exact settlement split), expire_request (Open and Locked), rate_server,
 * close_response, close_server with and without active locks, withdraw_fees after settlements.
 *
 * Every transaction goes through `send` (per-transaction lamport conservation); every test also
 * runs its transactions through a `Ledger` and checks in `afterEach` that, across the whole
 * scenario, nothing but transaction fees left the accounts it touched. Exact per-account deltas
 * are asserted where the protocol fixes them.
 */
import type { Address, KeyPairSigner } from "@solana/kit";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__NOT_ENOUGH_COMPLETED,
  CHAINFERENCE_ERROR__PROMPT_NOT_SEALED,
  CHAINFERENCE_ERROR__SERVER_HAS_ACTIVE_LOCKS,
  RequestStatus,
  getCloseServerInstructionAsync,
  getUpdateServerInstructionAsync,
  getWithdrawFeesInstructionAsync,
  type Server,
} from "../../clients/js/src/generated";
import { expectProgramError } from "../helpers/errors";
import {
  DEFAULT_LIMITS,
  FEE_VAULT_SIZE,
  readServer,
  registerServer,
  x25519Key,
  type RegisteredServer,
} from "../helpers/fixtures";
import {
  CHUNK_TAG_LEN,
  DEFAULT_REQUEST,
  Ledger,
  MAX_CHUNK_IN_TX,
  PRICED_MODEL,
  accountExists,
  allowed,
  appendPromptInstruction,
  appendResponseInstruction,
  cancelInstruction,
  chunk,
  closeResponseInstruction,
  complete,
  createRequest,
  expireInstruction,
  feeShardOf,
  frameSize,
  lock,
  rateInstruction,
  readRequest,
  readResponse,
  requestSize,
  responsePda,
  responseSize,
  setupMarket,
  settlement,
  stream,
  type Market,
  type OpenRequest,
} from "../helpers/lifecycle";
import { lamportDelta } from "../helpers/lamports";
import {
  LAMPORTS_PER_SOL,
  balanceOf,
  createTestSvm,
  currentSlot,
  dataOf,
  fundedSigner,
  rentExempt,
  setSystemAccount,
  warpSlots,
  type TestSvm,
} from "../helpers/svm";

let t: TestSvm;
let market: Market;
let ledger: Ledger;
let server: RegisteredServer;

beforeEach(async () => {
  t = await createTestSvm();
  market = await setupMarket(t, { servers: 2 });
  server = market.servers[0]!;
  ledger = new Ledger(t);
});

afterEach(() => {
  // Across the whole scenario: only transaction fees left the accounts it touched.
  ledger.expectConserved();
});

/** The reputation counters a test tracks, read from the chain. */
const counters = (address: Address) => {
  const s: Server = readServer(t, address);
  return {
    activeLocks: s.activeLocks,
    completed: s.completed,
    expired: s.expired,
    tokensOut: s.tokensOut,
    lamportsEarned: s.lamportsEarned,
    ratingSum: s.ratingSum,
    ratingCount: s.ratingCount,
  };
};
const ZERO_COUNTERS = {
  activeLocks: 0,
  completed: 0n,
  expired: 0n,
  tokensOut: 0n,
  lamportsEarned: 0n,
  ratingSum: 0n,
  ratingCount: 0n,
};

const open = (
  params: Parameters<typeof createRequest>[1] = {},
  options: { client?: KeyPairSigner; nonce?: bigint } = {},
) => createRequest(t, params, { ...options, ledger });

/** A request created, locked by `server` and answered with final chunks of `lengths`. */
async function answered(lengths: number[], params: Parameters<typeof createRequest>[1] = {}, nonce?: bigint) {
  const req = await open(params, nonce === undefined ? {} : { nonce });
  await lock(ledger, market, req.address, server);
  await stream(ledger, server, req.address, lengths);
  const [response] = await responsePda(req.address);
  return { req, response };
}

const target = (req: OpenRequest) => ({
  address: req.address,
  client: req.client.address,
  feeShard: feeShardOf(req.nonce),
});

describe("create_request", () => {
  it("opens a sealed request escrowing rent + stake in the request account, paid by the client", async () => {
    // Given a client and a request whose whole prompt fits the instruction, allow-listing both servers
    const list = market.servers.map((s, i) => allowed(s.server, 0, i + 1));
    const now = currentSlot(t.svm);

    // When the client creates it
    const req = await open({ allowed: list, responseTimeout: 0n });

    // Then the account holds exactly its rent + the stake, paid by the client
    const size = requestSize(2, DEFAULT_REQUEST.promptLen);
    const rent = rentExempt(t.svm, size);
    expect(dataOf(t.svm, req.address)?.length).toBe(size);
    expect(balanceOf(t.svm, req.address)).toBe(rent + DEFAULT_REQUEST.stake);
    expect(lamportDelta(req.report, req.client.address)).toBe(-(rent + DEFAULT_REQUEST.stake + req.report.fee));
    // And every field is set: Open, sealed, config snapshots, default timeout, open window, shard
    const r = readRequest(t, req.address);
    expect(r).toMatchObject({
      discriminator: 4,
      version: 1,
      bump: req.bump,
      status: RequestStatus.Open,
      client: req.client.address,
      nonce: req.nonce,
      model: DEFAULT_REQUEST.model,
      revision: "",
      feeBps: DEFAULT_LIMITS.feeBps,
      feeShard: feeShardOf(req.nonce),
      hasResponse: false,
      allowedCount: 2,
      sealed: true,
      stake: DEFAULT_REQUEST.stake,
      createdSlot: now,
      openUntilSlot: now + DEFAULT_LIMITS.openRequestSlots,
      responseTimeout: DEFAULT_LIMITS.defaultResponseTimeout,
      lockSlot: 0n,
      deadlineSlot: 0n,
      maxResponseBytes: DEFAULT_LIMITS.maxResponseBytes,
      promptLen: DEFAULT_REQUEST.promptLen,
      promptWritten: DEFAULT_REQUEST.promptLen,
      // the response address the client fixed: the canonical response PDA's bump
      responseBump: (await responsePda(req.address))[1],
    });
    expect(new Uint8Array(r.clientKey)).toEqual(DEFAULT_REQUEST.clientKey);
    // And the tail is the allow-list (84 bytes each) then the prompt
    const tail = new Uint8Array(r.tail);
    expect(tail.subarray(0, 32)).toEqual(dataOf(t.svm, req.address)!.subarray(393, 425));
    expect(tail[32 + 4]).toBe(1);
    expect(tail[84 + 32 + 4]).toBe(2);
    expect(tail.subarray(168)).toEqual(DEFAULT_REQUEST.prompt);
  });

  it("stores an explicit response timeout instead of the default", async () => {
    // When the client asks for a 100-slot timeout
    const req = await open({ responseTimeout: 100n });
    // Then it is stored
    expect(readRequest(t, req.address).responseTimeout).toBe(100n);
  });

  it("grows a large prompt with append_prompt: lockable only once sealed", async () => {
    // Given a 2,500-byte prompt of which only the first 800 bytes fit create_request's transaction
    const prompt = Uint8Array.from({ length: 2_500 }, (_, i) => i & 0xff);
    const req = await open({ promptLen: prompt.length, prompt: prompt.subarray(0, 800), stake: 5_000_000n });
    expect(readRequest(t, req.address)).toMatchObject({ sealed: false, promptWritten: 800 });
    const held = balanceOf(t.svm, req.address);

    // When a server tries to lock it before the prompt is complete / Then PromptNotSealed
    await expectProgramError(lock(ledger, market, req.address, server), CHAINFERENCE_ERROR__PROMPT_NOT_SEALED);

    // When the client appends the next slice
    const mid = await ledger.send(appendPromptInstruction(req.client, req.address, 800, prompt.subarray(800, 1_700)), {
      feePayer: req.client,
    });
    // Then it is written, still unsealed, and no lamports moved but the fee
    expect(readRequest(t, req.address)).toMatchObject({ sealed: false, promptWritten: 1_700 });
    expect(lamportDelta(mid, req.address)).toBe(0n);

    // When the client appends the last slice
    await ledger.send(appendPromptInstruction(req.client, req.address, 1_700, prompt.subarray(1_700)), {
      feePayer: req.client,
    });
    // Then the request is sealed with the whole prompt, and its balance never changed
    const r = readRequest(t, req.address);
    expect(r).toMatchObject({ sealed: true, promptWritten: 2_500 });
    expect(new Uint8Array(r.tail)).toEqual(prompt);
    expect(balanceOf(t.svm, req.address)).toBe(held);

    // And now a server can lock it
    await lock(ledger, market, req.address, server);
    expect(readRequest(t, req.address).status).toBe(RequestStatus.Locked);
  });
});

describe("cancel_request", () => {
  it("closes an Open request and returns every lamport (stake + rent) to the client", async () => {
    // Given an Open request
    const req = await open();
    const held = balanceOf(t.svm, req.address);
    // When the client cancels it
    const report = await ledger.send(cancelInstruction(req.client, req.address), { feePayer: req.client });
    // Then the account is gone and the client got all of it back
    expect(accountExists(t, req.address)).toBe(false);
    expect(lamportDelta(report, req.address)).toBe(-held);
    expect(lamportDelta(report, req.client.address)).toBe(held - report.fee);
  });

  it("cancels an unsealed request too", async () => {
    // Given a request still waiting for prompt bytes
    const req = await open({ promptLen: 1_000, prompt: new Uint8Array(10) });
    // When the client cancels / Then it closes
    await ledger.send(cancelInstruction(req.client, req.address), { feePayer: req.client });
    expect(accountExists(t, req.address)).toBe(false);
  });
});

describe("lock_request", () => {
  it("locks to the server at its prices, snapshotting its key; active_locks += 1", async () => {
    // Given an Open request and a registered server with no history
    const req = await open({ responseTimeout: 300n });
    expect(counters(server.server)).toEqual(ZERO_COUNTERS);
    warpSlots(t.svm, 5n);
    const now = currentSlot(t.svm);

    // When the server's operator locks it
    const report = await lock(ledger, market, req.address, server);

    // Then the request is Locked by the server at the model's prices, deadline = lock + timeout
    expect(readRequest(t, req.address)).toMatchObject({
      status: RequestStatus.Locked,
      lockedBy: server.server,
      lockedKeyEpoch: 0,
      lockedPriceIn: PRICED_MODEL.priceIn,
      lockedPriceOut: PRICED_MODEL.priceOut,
      lockSlot: now,
      deadlineSlot: now + 300n,
    });
    expect(new Uint8Array(readRequest(t, req.address).lockedKey)).toEqual(x25519Key());
    // And the server holds one active lock
    expect(counters(server.server)).toEqual({ ...ZERO_COUNTERS, activeLocks: 1 });
    expect(readServer(t, server.server).lastActiveSlot).toBe(now);
    // And no lamports moved but the fee
    expect(lamportDelta(report, req.address)).toBe(0n);
    expect(lamportDelta(report, server.operator.address)).toBe(-report.fee);
  });

  it("lets an allow-listed server lock and snapshots its rotated key and epoch", async () => {
    // Given server 1 rotated its key (epoch 1) and is on the allow-list
    const other = market.servers[1]!;
    await ledger.send(
      await getUpdateServerInstructionAsync({
        operator: other.operator,
        x25519Key: x25519Key(42),
        endpoint: "",
        active: true,
        models: [PRICED_MODEL],
      }),
      { feePayer: other.operator },
    );
    const req = await open({ allowed: [allowed(other.server, 1)] });
    // When it locks
    await lock(ledger, market, req.address, other);
    // Then its current key and epoch are recorded
    const r = readRequest(t, req.address);
    expect(r).toMatchObject({ lockedBy: other.server, lockedKeyEpoch: 1 });
    expect(new Uint8Array(r.lockedKey)).toEqual(x25519Key(42));
  });

  it("locks at the first entry within the client's maxima (a pinned revision picks only that revision)", async () => {
    // Given a server offering the model twice: an expensive main revision, then a cheap v2
    const reg = await registerServer(t, {
      models: [
        { ...PRICED_MODEL, revision: "main", priceIn: 5_000n, priceOut: 5_000n },
        { ...PRICED_MODEL, revision: "v2", priceIn: 100n, priceOut: 200n },
      ],
    });
    // When an unpinned request with maxima 1,000 / 1,000 is locked: the first affordable entry is v2
    const unpinned = await open({ maxPriceIn: 1_000n, maxPriceOut: 1_000n });
    await lock(ledger, market, unpinned.address, reg);
    expect(readRequest(t, unpinned.address)).toMatchObject({ lockedPriceIn: 100n, lockedPriceOut: 200n });
    // When a request pinned to "main" with maxima 10,000 is locked: the main entry's prices
    const pinned = await open({ revision: "main", maxPriceIn: 10_000n, maxPriceOut: 10_000n });
    await lock(ledger, market, pinned.address, reg);
    expect(readRequest(t, pinned.address)).toMatchObject({ lockedPriceIn: 5_000n, lockedPriceOut: 5_000n });
    expect(readServer(t, reg.server).activeLocks).toBe(2);
  });
});

describe("append_response", () => {
  let req: OpenRequest;
  let response: Address;
  beforeEach(async () => {
    req = await open();
    await lock(ledger, market, req.address, server);
    [response] = await responsePda(req.address);
  });

  const append = async (chunkIndex: number, len: number, opts: { isFinal?: boolean; reserveBytes?: number } = {}) =>
    ledger.send(
      await appendResponseInstruction(server.operator, server.server, req.address, {
        chunkIndex,
        isFinal: opts.isFinal ?? false,
        ciphertext: chunk(len, chunkIndex + 1),
        reserveBytes: opts.reserveBytes ?? 0,
      }),
      { feePayer: server.operator },
    );

  it("creates the response with the first chunk, prefunded for reserve_bytes by the operator", async () => {
    // Given a Locked request with no response
    warpSlots(t.svm, 3n);
    const now = currentSlot(t.svm);
    // When the server appends a 100-byte chunk reserving 4,096 stream bytes
    const report = await append(0, 100, { reserveBytes: 4_096 });

    // Then the response holds one frame of data but rent for 228 + 4,096 bytes, paid by the operator
    const rent = rentExempt(t.svm, responseSize(4_096));
    expect(dataOf(t.svm, response)?.length).toBe(responseSize(frameSize(100)));
    expect(balanceOf(t.svm, response)).toBe(rent);
    expect(lamportDelta(report, server.operator.address)).toBe(-(rent + report.fee));
    // And the header links request, client, server, operator and the locked key
    const r = readResponse(t, response);
    expect(r).toMatchObject({
      discriminator: 5,
      version: 1,
      bump: (await responsePda(req.address))[1],
      isFinal: false,
      request: req.address,
      client: req.client.address,
      server: server.server,
      operator: server.operator.address,
      nonce: req.nonce,
      completed: false,
      rated: false,
      chunkCount: 1,
      streamLen: frameSize(100),
      plaintextBytes: 100 - CHUNK_TAG_LEN,
      firstChunkSlot: now,
      lastSlot: now,
    });
    expect(new Uint8Array(r.serverKey)).toEqual(x25519Key());
    // And the stream is one frame `u16 len ‖ ciphertext`
    expect(new Uint8Array(r.stream)).toEqual(Uint8Array.from([100, 0, ...chunk(100, 1)]));
    // And the request knows it has a response; the stake did not move
    expect(readRequest(t, req.address).hasResponse).toBe(true);
    expect(lamportDelta(report, req.address)).toBe(0n);
  });

  it("grows the response by realloc without a top-up while the prefunded rent covers it", async () => {
    // Given a response created with 4,096 bytes of reserve
    await append(0, 100, { reserveBytes: 4_096 });
    const held = balanceOf(t.svm, response);
    // When two more chunks arrive (the last one final)
    const firstSlot = currentSlot(t.svm);
    const second = await append(1, MAX_CHUNK_IN_TX);
    const lastSlot = warpSlots(t.svm, 2n);
    const third = await append(2, 500, { isFinal: true });
    // Then the account grew frame by frame and no lamports moved but the fees
    const streamLen = frameSize(100) + frameSize(MAX_CHUNK_IN_TX) + frameSize(500);
    expect(dataOf(t.svm, response)?.length).toBe(responseSize(streamLen));
    expect(balanceOf(t.svm, response)).toBe(held);
    for (const r of [second, third]) expect(lamportDelta(r, server.operator.address)).toBe(-r.fee);
    expect(readResponse(t, response)).toMatchObject({
      chunkCount: 3,
      streamLen,
      isFinal: true,
      plaintextBytes: 100 + MAX_CHUNK_IN_TX + 500 - 3 * CHUNK_TAG_LEN,
      firstChunkSlot: firstSlot,
      lastSlot,
    });
    // And the frames follow each other
    const bytes = new Uint8Array(readResponse(t, response).stream);
    expect(bytes.subarray(frameSize(100), frameSize(100) + 2)).toEqual(
      Uint8Array.from([MAX_CHUNK_IN_TX & 0xff, MAX_CHUNK_IN_TX >> 8]),
    );
    expect(bytes[frameSize(100) + 2]).toBe(2);
  });

  it("tops up the rent from the operator when a chunk outgrows the prefunded lamports", async () => {
    // Given a response created without reserve (rent for exactly one frame)
    await append(0, 100, { reserveBytes: 0 });
    expect(balanceOf(t.svm, response)).toBe(rentExempt(t.svm, responseSize(frameSize(100))));
    // When a second chunk arrives without reserve
    const report = await append(1, 400);
    // Then the operator paid exactly the rent of the new size
    const streamLen = frameSize(100) + frameSize(400);
    const topUp = rentExempt(t.svm, responseSize(streamLen)) - rentExempt(t.svm, responseSize(frameSize(100)));
    expect(balanceOf(t.svm, response)).toBe(rentExempt(t.svm, responseSize(streamLen)));
    expect(lamportDelta(report, server.operator.address)).toBe(-(topUp + report.fee));
    expect(lamportDelta(report, response)).toBe(topUp);
  });

  it("prefunds reserve_bytes again when it tops up", async () => {
    // Given a response created without reserve
    await append(0, 100);
    // When the second chunk tops up with reserve_bytes = 8,192
    const report = await append(1, 300, { reserveBytes: 8_192 });
    // Then the response holds the rent of 228 + 8,192 bytes
    expect(balanceOf(t.svm, response)).toBe(rentExempt(t.svm, responseSize(8_192)));
    // And a third chunk within the reserve costs nothing but the fee
    const third = await append(2, 300, { reserveBytes: 8_192 });
    expect(lamportDelta(third, response)).toBe(0n);
    expect(lamportDelta(report, server.operator.address)).toBe(
      -(rentExempt(t.svm, responseSize(8_192)) - rentExempt(t.svm, responseSize(frameSize(100))) + report.fee),
    );
  });

  it("caps reserve_bytes at the request's max_response_bytes", async () => {
    // When the first chunk asks for a reserve of u32::MAX bytes
    await append(0, 100, { reserveBytes: 0xffff_ffff });
    // Then only max_response_bytes of stream are prefunded
    expect(balanceOf(t.svm, response)).toBe(rentExempt(t.svm, responseSize(DEFAULT_LIMITS.maxResponseBytes)));
  });

  it("accepts a chunk of exactly the 16-byte tag (empty plaintext)", async () => {
    // When the first chunk is just a tag
    await append(0, CHUNK_TAG_LEN, { isFinal: true });
    // Then it counts 0 plaintext bytes
    expect(readResponse(t, response)).toMatchObject({ plaintextBytes: 0, chunkCount: 1, isFinal: true });
  });
});

describe("complete_request", () => {
  it("settles: cost − 10 % fee to the operator, fee to the request's shard, refund + rent to the client", async () => {
    // Given a request locked at 1,000 / 3,000 lamports per token, answered with 2 chunks after some slots
    const req = await open({}, { nonce: 16n * 1_000n + 7n }); // shard 7
    await lock(ledger, market, req.address, server);
    const lockSlot = currentSlot(t.svm);
    warpSlots(t.svm, 4n);
    await stream(ledger, server, req.address, [400, 300]);
    const firstChunkSlot = readResponse(t, (await responsePda(req.address))[0]).firstChunkSlot;
    warpSlots(t.svm, 6n);
    const requestHeld = balanceOf(t.svm, req.address);
    const requestRent = rentExempt(t.svm, requestSize(0, DEFAULT_REQUEST.promptLen));
    const vaultsBefore = market.cfg.feeVaults.map((v) => balanceOf(t.svm, v));

    // When the server completes with 150 tokens in, 420 out
    const report = await complete(ledger, market, server, target(req), 150, 420);

    // Then cost = 150 × 1,000 + 420 × 3,000 = 1,410,000; fee = 141,000; operator 1,269,000
    const s = settlement({
      stake: DEFAULT_REQUEST.stake,
      tokensIn: 150,
      tokensOut: 420,
      priceIn: PRICED_MODEL.priceIn,
      priceOut: PRICED_MODEL.priceOut,
      feeBps: DEFAULT_LIMITS.feeBps,
    });
    expect(s).toEqual({ cost: 1_410_000n, fee: 141_000n, operatorShare: 1_269_000n });
    expect(lamportDelta(report, server.operator.address)).toBe(s.operatorShare - report.fee);
    expect(lamportDelta(report, market.cfg.feeVaults[7]!)).toBe(s.fee);
    // And the client got the unused stake plus the request's rent; the request is closed
    expect(requestHeld).toBe(requestRent + DEFAULT_REQUEST.stake);
    expect(lamportDelta(report, req.client.address)).toBe(DEFAULT_REQUEST.stake - s.cost + requestRent);
    expect(accountExists(t, req.address)).toBe(false);
    // And no other shard moved
    market.cfg.feeVaults.forEach((v, i) => {
      if (i !== 7) expect(balanceOf(t.svm, v)).toBe(vaultsBefore[i]);
    });
    // And the response records the settlement
    const [response] = await responsePda(req.address);
    const now = currentSlot(t.svm);
    expect(readResponse(t, response)).toMatchObject({
      completed: true,
      tokensIn: 150,
      tokensOut: 420,
      cost: s.cost,
      completedSlot: now,
    });
    // And the server's reputation counters
    const srv = readServer(t, server.server);
    expect(counters(server.server)).toEqual({
      ...ZERO_COUNTERS,
      completed: 1n,
      tokensOut: 420n,
      lamportsEarned: s.operatorShare,
    });
    expect(srv.sumFirstChunkSlots).toBe(firstChunkSlot - lockSlot);
    expect(srv.sumCompleteSlots).toBe(now - lockSlot);
    expect(srv.lastActiveSlot).toBe(now);
  });

  it("caps the cost at the stake: the client gets only the rent back", async () => {
    // Given a stake of 300,000 (covers the 200,000 prompt cost) and a long answer
    const { req } = await answered([MAX_CHUNK_IN_TX, MAX_CHUNK_IN_TX], { stake: 300_000n });
    const rent = rentExempt(t.svm, requestSize(0, DEFAULT_REQUEST.promptLen));
    // When the server charges 200 in + 1,000 out (3,200,000 lamports at list price)
    const report = await complete(ledger, market, server, target(req), 200, 1_000);
    // Then cost = stake, fee = 10 % of it, the client gets exactly the rent
    expect(lamportDelta(report, server.operator.address)).toBe(270_000n - report.fee);
    expect(lamportDelta(report, market.cfg.feeVaults[feeShardOf(req.nonce)]!)).toBe(30_000n);
    expect(lamportDelta(report, req.client.address)).toBe(rent);
    expect(readResponse(t, (await responsePda(req.address))[0]).cost).toBe(300_000n);
  });

  it("charges nothing for zero tokens: full refund, no fee", async () => {
    // Given an answered request
    const { req } = await answered([CHUNK_TAG_LEN]);
    const held = balanceOf(t.svm, req.address);
    // When the server completes with 0 / 0 tokens
    const report = await complete(ledger, market, server, target(req), 0, 0);
    // Then the client gets everything and the vault nothing
    expect(lamportDelta(report, req.client.address)).toBe(held);
    expect(lamportDelta(report, market.cfg.feeVaults[feeShardOf(req.nonce)]!)).toBe(0n);
    expect(lamportDelta(report, server.operator.address)).toBe(-report.fee);
  });

  it("rounds each side's cost up and the fee down (1 token in, 1 token out at odd prices)", async () => {
    // Given a request locked at 1,000,001 / 999 lamports per million tokens (fee 10 %)
    const odd = await registerServer(t, { models: [{ ...PRICED_MODEL, priceIn: 1_000_001n, priceOut: 999n }] });
    const req = await open();
    await lock(ledger, market, req.address, odd);
    await stream(ledger, odd, req.address, [CHUNK_TAG_LEN + 1]);
    // When completed with 1 token each way
    const report = await complete(ledger, market, odd, target(req), 1, 1);
    // Then cost = ⌈1.000001⌉ + ⌈0.000999⌉ = 2 + 1 = 3; fee = ⌊0.3⌋ = 0
    expect(lamportDelta(report, odd.operator.address)).toBe(3n - report.fee);
    expect(readResponse(t, (await responsePda(req.address))[0]).cost).toBe(3n);
  });

  it("accepts the token bounds exactly: tokens_in = prompt_len, tokens_out = plaintext bytes", async () => {
    // Given an answer of 2 chunks: 484 + 284 plaintext bytes
    const { req } = await answered([500, 300]);
    // When completed at the bounds / Then it settles
    await complete(ledger, market, server, target(req), DEFAULT_REQUEST.promptLen, 500 + 300 - 2 * CHUNK_TAG_LEN);
    expect(accountExists(t, req.address)).toBe(false);
  });
});

describe("expire_request", () => {
  it("refunds an Open request past open_until in full, expired by anyone", async () => {
    // Given an Open request whose lock window has passed
    const req = await open();
    const held = balanceOf(t.svm, req.address);
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    // When a stranger expires it (paying the fee)
    const stranger = await fundedSigner(t.svm);
    const report = await ledger.send(expireInstruction({ request: req.address, client: req.client.address }), {
      feePayer: stranger,
    });
    // Then the client got every lamport back and the account is closed
    expect(lamportDelta(report, req.client.address)).toBe(held);
    expect(lamportDelta(report, stranger.address)).toBe(-report.fee);
    expect(accountExists(t, req.address)).toBe(false);
  });

  it("refunds a Locked request past its deadline; server.expired += 1, active_locks −= 1", async () => {
    // Given a request locked by the server, never answered
    const req = await open({ responseTimeout: 50n });
    await lock(ledger, market, req.address, server);
    expect(counters(server.server)).toEqual({ ...ZERO_COUNTERS, activeLocks: 1 });
    const held = balanceOf(t.svm, req.address);
    warpSlots(t.svm, 51n);
    // When the client expires it
    const report = await ledger.send(
      expireInstruction({ request: req.address, client: req.client.address, server: server.server }),
      { feePayer: req.client },
    );
    // Then full refund, the request closed, and the miss counted against the server
    expect(lamportDelta(report, req.client.address)).toBe(held - report.fee);
    expect(accountExists(t, req.address)).toBe(false);
    expect(counters(server.server)).toEqual({ ...ZERO_COUNTERS, expired: 1n });
  });

  it("closes a partial response to the operator who funded it when a Locked request expires", async () => {
    // Given a request with a partial (non-final) response
    const req = await open({ responseTimeout: 50n });
    await lock(ledger, market, req.address, server);
    await stream(ledger, server, req.address, [300], { final: false, reserveBytes: 2_048 });
    const [response] = await responsePda(req.address);
    const held = balanceOf(t.svm, req.address);
    const responseHeld = balanceOf(t.svm, response);
    warpSlots(t.svm, 51n);
    // When anyone expires it passing the response and its operator
    const stranger = await fundedSigner(t.svm);
    const report = await ledger.send(
      expireInstruction({
        request: req.address,
        client: req.client.address,
        server: server.server,
        response,
        operator: server.operator.address,
      }),
      { feePayer: stranger },
    );
    // Then the client got the full stake + rent, the operator the response's lamports
    expect(lamportDelta(report, req.client.address)).toBe(held);
    expect(lamportDelta(report, server.operator.address)).toBe(responseHeld);
    expect(accountExists(t, req.address)).toBe(false);
    expect(accountExists(t, response)).toBe(false);
    expect(counters(server.server)).toEqual({ ...ZERO_COUNTERS, expired: 1n });
  });

  it("expires a Locked request whose open window passed long ago only by its deadline", async () => {
    // Given a request locked just before open_until, with a deadline after it
    const req = await open({ responseTimeout: 100n });
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots);
    await lock(ledger, market, req.address, server);
    // When the deadline passes
    warpSlots(t.svm, 101n);
    // Then it expires as Locked
    await ledger.send(expireInstruction({ request: req.address, client: req.client.address, server: server.server }), {
      feePayer: req.client,
    });
    expect(counters(server.server).expired).toBe(1n);
  });
});

describe("rate_server", () => {
  it("records one rating per completed response: rating_sum and rating_count grow", async () => {
    // Given two completed requests of the same client
    const client = await fundedSigner(t.svm);
    const ratings = [5, 2];
    for (const rating of ratings) {
      const req = await open({}, { client });
      await lock(ledger, market, req.address, server);
      await stream(ledger, server, req.address, [64]);
      await complete(ledger, market, server, target(req), 10, 10);
      const [response] = await responsePda(req.address);
      // When the client rates each
      const report = await ledger.send(rateInstruction(client, response, server.server, rating), { feePayer: client });
      // Then the response is marked rated and nothing moved but the fee
      expect(readResponse(t, response).rated).toBe(true);
      expect(lamportDelta(report, client.address)).toBe(-report.fee);
    }
    // And the server's counters add up
    expect(counters(server.server)).toMatchObject({ ratingSum: 7n, ratingCount: 2n, completed: 2n });
  });
});

describe("close_response", () => {
  it("lets the client close a completed response any time: every lamport to the operator", async () => {
    // Given a completed request
    const { req, response } = await answered([200]);
    await complete(ledger, market, server, target(req), 1, 1);
    const held = balanceOf(t.svm, response);
    // When the client closes the response right away
    const report = await ledger.send(
      closeResponseInstruction(req.client, response, server.operator.address, market.cfg.config),
      { feePayer: req.client },
    );
    // Then the operator got its lamports back and the account is gone
    expect(lamportDelta(report, server.operator.address)).toBe(held);
    expect(accountExists(t, response)).toBe(false);
  });

  it("lets anyone close a completed response once the grace period has passed", async () => {
    // Given a completed response and the grace period elapsed
    const { req, response } = await answered([200]);
    await complete(ledger, market, server, target(req), 1, 1);
    const held = balanceOf(t.svm, response);
    warpSlots(t.svm, DEFAULT_LIMITS.closeGraceSlots + 1n);
    // When a stranger closes it
    const stranger = await fundedSigner(t.svm);
    const report = await ledger.send(
      closeResponseInstruction(stranger, response, server.operator.address, market.cfg.config),
      { feePayer: stranger },
    );
    // Then the operator (not the stranger) got the lamports
    expect(lamportDelta(report, server.operator.address)).toBe(held);
    expect(lamportDelta(report, stranger.address)).toBe(-report.fee);
  });

  it("lets the operator reclaim the rent after the grace period", async () => {
    // Given a completed response past the grace period
    const { req, response } = await answered([200]);
    await complete(ledger, market, server, target(req), 1, 1);
    warpSlots(t.svm, DEFAULT_LIMITS.closeGraceSlots + 1n);
    const held = balanceOf(t.svm, response);
    // When the operator closes it
    const report = await ledger.send(
      closeResponseInstruction(server.operator, response, server.operator.address, market.cfg.config),
      { feePayer: server.operator },
    );
    // Then it got the lamports
    expect(lamportDelta(report, server.operator.address)).toBe(held - report.fee);
  });
});

describe("close_server", () => {
  it("is refused while a lock is active (ServerHasActiveLocks) and allowed once the request settled", async () => {
    // Given the server locked a request
    const req = await open();
    await lock(ledger, market, req.address, server);
    const closeIx = await getCloseServerInstructionAsync({ operator: server.operator });
    // When the operator closes the server / Then ServerHasActiveLocks
    await expectProgramError(
      ledger.send(closeIx, { feePayer: server.operator }),
      CHAINFERENCE_ERROR__SERVER_HAS_ACTIVE_LOCKS,
    );
    // When the request is answered and completed
    await stream(ledger, server, req.address, [100]);
    await complete(ledger, market, server, target(req), 5, 5);
    expect(readServer(t, server.server).activeLocks).toBe(0);
    // Then the server closes, every lamport back to the operator
    const held = balanceOf(t.svm, server.server);
    const report = await ledger.send(closeIx, { feePayer: server.operator });
    expect(lamportDelta(report, server.operator.address)).toBe(held - report.fee);
    expect(accountExists(t, server.server)).toBe(false);
  });

  it("is allowed after the locked request expired", async () => {
    // Given a lock that expired
    const req = await open({ responseTimeout: 10n });
    await lock(ledger, market, req.address, server);
    warpSlots(t.svm, 11n);
    await ledger.send(expireInstruction({ request: req.address, client: req.client.address, server: server.server }), {
      feePayer: req.client,
    });
    // When the operator closes the server / Then it succeeds
    await ledger.send(await getCloseServerInstructionAsync({ operator: server.operator }), {
      feePayer: server.operator,
    });
    expect(accountExists(t, server.server)).toBe(false);
  });
});

describe("withdraw_fees", () => {
  it("sweeps the fees of settlements in several shards into the treasury", async () => {
    // Given settled requests in shards 3, 3 and 12
    setSystemAccount(t.svm, market.cfg.treasury, LAMPORTS_PER_SOL);
    let fees = 0n;
    for (const [nonce, tokensOut] of [
      [16n * 2_000n + 3n, 100],
      [16n * 2_001n + 3n, 50],
      [16n * 2_002n + 12n, 10],
    ] as const) {
      const { req } = await answered([200], {}, nonce);
      const report = await complete(ledger, market, server, target(req), 20, tokensOut);
      fees += lamportDelta(report, market.cfg.feeVaults[feeShardOf(nonce)]!);
    }
    expect(fees).toBe(
      [100, 50, 10].reduce(
        (sum, out) =>
          sum +
          settlement({
            stake: DEFAULT_REQUEST.stake,
            tokensIn: 20,
            tokensOut: out,
            priceIn: PRICED_MODEL.priceIn,
            priceOut: PRICED_MODEL.priceOut,
            feeBps: DEFAULT_LIMITS.feeBps,
          }).fee,
        0n,
      ),
    );
    // When the admin withdraws from every vault
    const report = await ledger.send(
      await getWithdrawFeesInstructionAsync({
        admin: market.cfg.admin,
        treasury: market.cfg.treasury,
        feeVaults: market.cfg.feeVaults,
      }),
      { feePayer: market.cfg.admin },
    );
    // Then the treasury received exactly the fees and the vaults are back at their rent minimum
    expect(lamportDelta(report, market.cfg.treasury)).toBe(fees);
    for (const v of market.cfg.feeVaults) expect(balanceOf(t.svm, v)).toBe(rentExempt(t.svm, FEE_VAULT_SIZE));
  });
});

describe("a market day (every instruction, counters after each step)", () => {
  it("keeps the reputation counters and every balance exact through a mixed scenario", async () => {
    // Given two servers and three clients
    const [a, b] = market.servers as [RegisteredServer, RegisteredServer];
    const clients = [await fundedSigner(t.svm), await fundedSigner(t.svm), await fundedSigner(t.svm)];
    ledger.track(...clients.map((c) => c.address), a.operator.address, b.operator.address, a.server, b.server);
    ledger.track(...market.cfg.feeVaults);
    const expectA = { ...ZERO_COUNTERS };
    const expectB = { ...ZERO_COUNTERS };
    const check = () => {
      expect(counters(a.server)).toEqual(expectA);
      expect(counters(b.server)).toEqual(expectB);
    };

    // 1. Client 0's request is locked by A, answered and completed, then rated 4
    const r1 = await open({}, { client: clients[0]! });
    await lock(ledger, market, r1.address, a);
    expectA.activeLocks = 1;
    check();
    await stream(ledger, a, r1.address, [300, 200], { reserveBytes: 1_024 });
    check();
    await complete(ledger, market, a, target(r1), 100, 400);
    const s1 = settlement({
      stake: DEFAULT_REQUEST.stake,
      tokensIn: 100,
      tokensOut: 400,
      priceIn: PRICED_MODEL.priceIn,
      priceOut: PRICED_MODEL.priceOut,
      feeBps: DEFAULT_LIMITS.feeBps,
    });
    Object.assign(expectA, { activeLocks: 0, completed: 1n, tokensOut: 400n, lamportsEarned: s1.operatorShare });
    check();
    const [resp1] = await responsePda(r1.address);
    await ledger.send(rateInstruction(clients[0]!, resp1, a.server, 4), { feePayer: clients[0]! });
    Object.assign(expectA, { ratingSum: 4n, ratingCount: 1n });
    check();

    // 2. Client 1's request is locked by B, which goes silent: expired after the deadline
    const r2 = await open({ responseTimeout: 20n }, { client: clients[1]! });
    await lock(ledger, market, r2.address, b);
    expectB.activeLocks = 1;
    check();
    await stream(ledger, b, r2.address, [100], { final: false });
    warpSlots(t.svm, 21n);
    const [resp2] = await responsePda(r2.address);
    await ledger.send(
      expireInstruction({
        request: r2.address,
        client: clients[1]!.address,
        server: b.server,
        response: resp2,
        operator: b.operator.address,
      }),
      { feePayer: clients[2]! },
    );
    Object.assign(expectB, { activeLocks: 0, expired: 1n });
    check();

    // 3. Client 2 cancels one request and lets another lapse unlocked
    const r3 = await open({}, { client: clients[2]! });
    await ledger.send(cancelInstruction(clients[2]!, r3.address), { feePayer: clients[2]! });
    const r4 = await open({}, { client: clients[2]! });
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    await ledger.send(expireInstruction({ request: r4.address, client: clients[2]!.address }), {
      feePayer: clients[2]!,
    });
    check();

    // 4. A requires-history request: only A (1 completed, 100 %, 4.0) qualifies; B is refused
    const r5 = await open({ minCompleted: 1n, minSuccessBps: 10_000, minAvgRating: 400 }, { client: clients[1]! });
    await expectProgramError(lock(ledger, market, r5.address, b), CHAINFERENCE_ERROR__NOT_ENOUGH_COMPLETED);
    await lock(ledger, market, r5.address, a);
    expectA.activeLocks = 1;
    check();
    await stream(ledger, a, r5.address, [MAX_CHUNK_IN_TX]);
    await complete(ledger, market, a, target(r5), 200, 800);
    const s5 = settlement({
      stake: DEFAULT_REQUEST.stake,
      tokensIn: 200,
      tokensOut: 800,
      priceIn: PRICED_MODEL.priceIn,
      priceOut: PRICED_MODEL.priceOut,
      feeBps: DEFAULT_LIMITS.feeBps,
    });
    Object.assign(expectA, {
      activeLocks: 0,
      completed: 2n,
      tokensOut: 1_200n,
      lamportsEarned: s1.operatorShare + s5.operatorShare,
    });
    check();

    // 5. The responses are closed (client now, stranger after grace), the fees withdrawn
    await ledger.send(closeResponseInstruction(clients[0]!, resp1, a.operator.address, market.cfg.config), {
      feePayer: clients[0]!,
    });
    warpSlots(t.svm, DEFAULT_LIMITS.closeGraceSlots + 1n);
    const [resp5] = await responsePda(r5.address);
    await ledger.send(closeResponseInstruction(clients[2]!, resp5, a.operator.address, market.cfg.config), {
      feePayer: clients[2]!,
    });
    setSystemAccount(t.svm, market.cfg.treasury, LAMPORTS_PER_SOL);
    const withdraw = await ledger.send(
      await getWithdrawFeesInstructionAsync({
        admin: market.cfg.admin,
        treasury: market.cfg.treasury,
        feeVaults: market.cfg.feeVaults,
      }),
      { feePayer: market.cfg.admin },
    );
    expect(lamportDelta(withdraw, market.cfg.treasury)).toBe(s1.fee + s5.fee);
    check();

    // Then no request or response account is left, and both servers can close
    for (const acc of [r1.address, r2.address, r3.address, r4.address, r5.address, resp1, resp2, resp5]) {
      expect(accountExists(t, acc)).toBe(false);
    }
    for (const s of [a, b]) {
      await ledger.send(await getCloseServerInstructionAsync({ operator: s.operator }), { feePayer: s.operator });
    }
    // And every wallet ends exactly where the settlements put it (checked by the ledger in afterEach)
  });
});
