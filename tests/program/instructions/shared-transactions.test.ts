/**
 * The per-request path in fewer transactions: `lock_request` + the first `append_response`, and the final
 * `append_response` + `complete_request`, each pair in one transaction (one fee). `append_response` only reads
 * the Server but accepts it writable, which the lock and the settlement make it. Exact lamport sums per
 * transaction; the harness also checks each transaction conserves lamports.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/lifecycle.ts.
 */
import { describe, expect, it } from "vitest";
import { CHAINFERENCE_ERROR__RESPONSE_NOT_FINAL, RequestStatus } from "../../../clients/js/src/generated";
import { DEFAULT_LIMITS, readServer } from "../../helpers/fixtures";
import { expectProgramError } from "../../helpers/errors";
import {
  CHUNK_OVERHEAD_LEN,
  DEFAULT_REQUEST,
  PRICED_MODEL,
  accountExists,
  appendResponseInstruction,
  chunk,
  completeInstruction,
  frameSize,
  lock,
  lockInstruction,
  readRequest,
  readResponse,
  requestSize,
  responsePda,
  responseSize,
  settlement,
  stream,
  type OpenRequest,
} from "../../helpers/lifecycle";
import { lamportDelta } from "../../helpers/lamports";
import { balanceOf, currentSlot, rentExempt, warpSlots } from "../../helpers/svm";
import { t, market, ledger, server, open, target, useLifecycleFixture } from "../fixtures/lifecycle";

useLifecycleFixture();

const RESERVE = 2_048;

const firstChunk = async (req: OpenRequest, len: number, isFinal = false) =>
  appendResponseInstruction(server.operator, server.server, req.address, {
    chunkIndex: 0,
    isFinal,
    ciphertext: chunk(len, 1),
    reserveBytes: RESERVE,
  });

const settle = async (req: OpenRequest, tokensIn: number, tokensOut: number) =>
  completeInstruction({
    operator: server.operator,
    server: server.server,
    request: req.address,
    response: (await responsePda(req.address))[0],
    client: req.client.address,
    feeVault: market.cfg.feeVaults[target(req).feeShard]!,
    tokensIn,
    tokensOut,
  });

const lockIx = (req: OpenRequest) => lockInstruction(server.operator, server.server, req.address, market.cfg.config);

describe("lock_request + first append_response in one transaction", () => {
  it("locks and creates the response in one slot for one fee; the operator pays the fee and the reserved rent", async () => {
    // Given an Open request
    const req = await open();
    warpSlots(t.svm, 2n);
    const now = currentSlot(t.svm);
    // When the server sends the lock and a 48-byte first chunk (nonce, tag and 8 bytes) together
    const report = await ledger.send([lockIx(req), await firstChunk(req, 48)], { feePayer: server.operator });

    // Then one fee, and the operator paid exactly that plus the response rent for the reserve
    const [response] = await responsePda(req.address);
    const rent = rentExempt(t.svm, responseSize(RESERVE));
    expect(report.fee).toBe(5_000n);
    expect(lamportDelta(report, server.operator.address)).toBe(-(rent + report.fee));
    expect(lamportDelta(report, response)).toBe(rent);
    expect(lamportDelta(report, req.address)).toBe(0n);
    expect(lamportDelta(report, server.server)).toBe(0n);
    // And the request is Locked by the server, with the first chunk in the same slot (0 slots to first chunk)
    expect(readRequest(t, req.address)).toMatchObject({ status: RequestStatus.Locked, lockSlot: now, hasResponse: true });
    expect(readResponse(t, response)).toMatchObject({ chunkCount: 1, firstChunkSlot: now, streamLen: frameSize(48) });
    expect(readServer(t, server.server).activeLocks).toBe(1);
    ledger.expectConserved();
  });
});

describe("final append_response + complete_request in one transaction", () => {
  it("writes the final chunk and settles for one fee: cost − fee to the operator, fee to the shard, refund + rent to the client", async () => {
    // Given a locked request with a first chunk that reserved the whole answer
    const req = await open({}, { nonce: 16n * 2_000n + 5n }); // shard 5
    await lock(ledger, market, req.address, server);
    await stream(ledger, server, req.address, [100], { final: false, reserveBytes: RESERVE });
    const requestRent = rentExempt(t.svm, requestSize(0, DEFAULT_REQUEST.promptLen));
    const [response] = await responsePda(req.address);
    const responseBefore = balanceOf(t.svm, response);
    // When the final 400-byte chunk and the settlement (150 tokens in, 420 out) go in one transaction
    const final = await appendResponseInstruction(server.operator, server.server, req.address, {
      chunkIndex: 1,
      isFinal: true,
      ciphertext: chunk(400, 2),
    });
    const report = await ledger.send([final, await settle(req, 150, 420)], { feePayer: server.operator });

    // Then one fee; the operator got cost − protocol fee, the shard the fee, the client the rest and the rent
    const s = settlement({
      stake: DEFAULT_REQUEST.stake,
      tokensIn: 150,
      tokensOut: 420,
      priceIn: PRICED_MODEL.priceIn,
      priceOut: PRICED_MODEL.priceOut,
      feeBps: DEFAULT_LIMITS.feeBps,
    });
    expect(report.fee).toBe(5_000n);
    expect(lamportDelta(report, server.operator.address)).toBe(s.operatorShare - report.fee);
    expect(lamportDelta(report, market.cfg.feeVaults[5]!)).toBe(s.fee);
    expect(lamportDelta(report, req.client.address)).toBe(DEFAULT_REQUEST.stake - s.cost + requestRent);
    // And the reserve covered the grown response: no top-up
    expect(balanceOf(t.svm, response)).toBe(responseBefore);
    expect(accountExists(t, req.address)).toBe(false);
    expect(readResponse(t, response)).toMatchObject({
      isFinal: true,
      completed: true,
      chunkCount: 2,
      plaintextBytes: 500 - 2 * CHUNK_OVERHEAD_LEN,
      cost: s.cost,
    });
    ledger.expectConserved();
  });

  it("answers a short request whole in one transaction: lock, the only (final) chunk, and the settlement", async () => {
    // Given an Open request
    const req = await open();
    const requestHeld = balanceOf(t.svm, req.address);
    // When lock, a final 64-byte chunk and complete (10 tokens in, 12 out) go in one transaction
    const report = await ledger.send([lockIx(req), await firstChunk(req, 64, true), await settle(req, 10, 12)], {
      feePayer: server.operator,
    });

    // Then the request closed to the client, the operator paid the fee and the response rent and got its share
    const s = settlement({
      stake: DEFAULT_REQUEST.stake,
      tokensIn: 10,
      tokensOut: 12,
      priceIn: PRICED_MODEL.priceIn,
      priceOut: PRICED_MODEL.priceOut,
      feeBps: DEFAULT_LIMITS.feeBps,
    });
    const [response] = await responsePda(req.address);
    const rent = rentExempt(t.svm, responseSize(RESERVE));
    expect(lamportDelta(report, server.operator.address)).toBe(s.operatorShare - rent - report.fee);
    expect(lamportDelta(report, req.client.address)).toBe(requestHeld - s.cost);
    expect(lamportDelta(report, response)).toBe(rent);
    expect(readResponse(t, response)).toMatchObject({ completed: true, chunkCount: 1, firstChunkSlot: currentSlot(t.svm) });
    expect(readServer(t, server.server)).toMatchObject({ activeLocks: 0 });
    ledger.expectConserved();
  });

  it("refuses the settlement before the final chunk in the same transaction (ResponseNotFinal): the order is lock, append, complete", async () => {
    // Given a locked request with a non-final first chunk
    const req = await open();
    await lock(ledger, market, req.address, server);
    await stream(ledger, server, req.address, [100], { final: false, reserveBytes: RESERVE });
    const final = await appendResponseInstruction(server.operator, server.server, req.address, {
      chunkIndex: 1,
      isFinal: true,
      ciphertext: chunk(40, 2),
    });
    // When complete precedes the final append / Then the whole transaction fails and only the fee is charged
    await expectProgramError(
      ledger.send([await settle(req, 10, 10), final], { feePayer: server.operator }),
      CHAINFERENCE_ERROR__RESPONSE_NOT_FINAL,
    );
    expect(readRequest(t, req.address).status).toBe(RequestStatus.Locked);
    ledger.expectConserved();
  });
});
