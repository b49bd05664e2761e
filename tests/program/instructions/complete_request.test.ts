/**
 * `complete_request`: happy paths.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/lifecycle.ts.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, readServer, registerServer } from "../../helpers/fixtures";
import {
  CHUNK_OVERHEAD_LEN,
  DEFAULT_REQUEST,
  MAX_CHUNK_IN_TX,
  PRICED_MODEL,
  accountExists,
  complete,
  feeShardOf,
  lock,
  readResponse,
  requestSize,
  responsePda,
  settlement,
  stream,
} from "../../helpers/lifecycle";
import { lamportDelta } from "../../helpers/lamports";
import { balanceOf, currentSlot, rentExempt, warpSlots } from "../../helpers/svm";
import { t, market, ledger, server, counters, ZERO_COUNTERS, open, answered, target, useLifecycleFixture } from "../fixtures/lifecycle";

useLifecycleFixture();

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
    const { req } = await answered([CHUNK_OVERHEAD_LEN]);
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
    await stream(ledger, odd, req.address, [CHUNK_OVERHEAD_LEN + 1]);
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
    await complete(ledger, market, server, target(req), DEFAULT_REQUEST.promptLen, 500 + 300 - 2 * CHUNK_OVERHEAD_LEN);
    expect(accountExists(t, req.address)).toBe(false);
  });
});
