/**
 * `append_response`: happy paths.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/lifecycle.ts.
 */
import type { Address } from "@solana/kit";
import { beforeEach, describe, expect, it } from "vitest";
import { DEFAULT_LIMITS, x25519Key } from "../../helpers/fixtures";
import {
  CHUNK_OVERHEAD_LEN,
  MAX_CHUNK_IN_TX,
  appendResponseInstruction,
  chunk,
  frameSize,
  lock,
  readRequest,
  readResponse,
  responsePda,
  responseSize,
  stream,
  type OpenRequest,
} from "../../helpers/lifecycle";
import { lamportDelta } from "../../helpers/lamports";
import { balanceOf, currentSlot, dataOf, rentExempt, warpSlots } from "../../helpers/svm";
import { t, market, ledger, server, open, useLifecycleFixture } from "../fixtures/lifecycle";

useLifecycleFixture();

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
      plaintextBytes: 100 - CHUNK_OVERHEAD_LEN,
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
      plaintextBytes: 100 + MAX_CHUNK_IN_TX + 500 - 3 * CHUNK_OVERHEAD_LEN,
      firstChunkSlot: firstSlot,
      lastSlot,
    });
    // And the frames follow each other
    const bytes = new Uint8Array(readResponse(t, response).stream);
    expect(bytes.subarray(frameSize(100), frameSize(100) + 2)).toEqual(Uint8Array.from([MAX_CHUNK_IN_TX & 0xff, MAX_CHUNK_IN_TX >> 8]));
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

  it("accepts a chunk of exactly nonce and tag, 40 bytes (no plaintext)", async () => {
    // When the first chunk is just a nonce and a tag
    await append(0, CHUNK_OVERHEAD_LEN, { isFinal: true });
    // Then it counts 0 plaintext bytes
    expect(readResponse(t, response)).toMatchObject({ plaintextBytes: 0, chunkCount: 1, isFinal: true });
  });
});
