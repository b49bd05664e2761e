/**
 * `nonce reuse (a request re-created at the address of a settled one)`: attacks and rejections.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/attacks.ts.
 */
import { describe, expect, it } from "vitest";
import { CHAINFERENCE_ERROR__ALREADY_INITIALIZED, CHAINFERENCE_ERROR__RESPONSE_MISMATCH } from "../../clients/js/src/generated";
import { expectProgramError } from "../helpers/errors";
import { DEFAULT_LIMITS, readServer } from "../helpers/fixtures";
import { lamportDelta } from "../helpers/lamports";
import {
  accountExists,
  chunk,
  closeResponseInstruction,
  complete,
  createRequest,
  expireInstruction,
  lock,
  readRequest,
  readResponse,
  stream,
} from "../helpers/lifecycle";
import { balanceOf, send, warpSlots } from "../helpers/svm";
import { t, market, A, sender, open, locked, target, completed, completeIx, appendIx, useAttacksFixture } from "./fixtures/attacks";

useAttacksFixture();

describe("nonce reuse attacks (a request re-created at the address of a settled one)", () => {
  /** A request completed by A whose response the client leaves open, then re-created (same nonce). */
  async function recreatedOverStaleResponse() {
    const first = await completed();
    const again = await createRequest(t, {}, { client: first.req.client, nonce: first.req.nonce });
    expect(again.address).toBe(first.req.address);
    await lock(sender(), market, again.address, A);
    return { req: again, response: first.response };
  }

  // The response PDA is derived from the request address alone, so a response the client never
  // closed still sits at the PDA when the client re-creates the request with the same nonce, and it
  // names the same request address. complete_request therefore also requires request.has_response,
  // which only this request's own first chunk sets.
  it("complete without this request's response (re-created over the previous request's stale final response, same slot) → ResponseMismatch", async () => {
    // Given the old response (completed, final, 184 plaintext bytes) still open at the same PDA
    const r = await recreatedOverStaleResponse();
    expect(readRequest(t, r.req.address).hasResponse).toBe(false);
    expect(readResponse(t, r.response)).toMatchObject({ request: r.req.address, isFinal: true, completed: true });
    const before = readServer(t, A.server);
    // When the server completes the new request without appending anything / Then it is refused
    await expectProgramError(
      send(t, completeIx(r, { tokensIn: 100, tokensOut: 184 }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__RESPONSE_MISMATCH,
    );
    // and nothing was paid or counted: the request is still locked, the server's record unchanged
    expect(readRequest(t, r.req.address).status).toBe(1);
    expect(readServer(t, A.server)).toMatchObject({ completed: before.completed, lamportsEarned: before.lamportsEarned });
  });

  it("complete without this request's response (stale response from an earlier slot) → ResponseMismatch", async () => {
    // Given the stale response's first chunk lies slots before the new lock
    const first = await completed();
    warpSlots(t.svm, 3n);
    const again = await createRequest(t, {}, { client: first.req.client, nonce: first.req.nonce });
    await lock(sender(), market, again.address, A);
    // When the server completes against it / Then has_response rejects it (before any slot arithmetic)
    await expectProgramError(
      send(t, completeIx({ req: again, response: first.response }, { tokensOut: 184 }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__RESPONSE_MISMATCH,
    );
  });

  // The stale response also blocks the new request's first chunk (the program never writes over an
  // initialized account). A server that locked it could only let it expire and take an `expired`
  // mark, so provider nodes screen such requests out before locking (`stale-response`, tests/node).
  it("first chunk of a request re-created over a response the client never closed → AlreadyInitialized", async () => {
    // Given the re-created, locked request
    const r = await recreatedOverStaleResponse();
    // When the server appends its first chunk / Then the occupied PDA refuses it
    await expectProgramError(
      send(t, await appendIx(A, r.req.address, { isFinal: true }), { feePayer: A.operator }),
      CHAINFERENCE_ERROR__ALREADY_INITIALIZED,
    );
    expect(readResponse(t, r.response)).toMatchObject({ chunkCount: 1, completed: true });
  });

  it("a request re-created over a stale response that no server locks expires Open: full refund, no server penalized", async () => {
    // Given a request re-created over a stale response, left Open (screened out by every node)
    const first = await completed();
    const before = readServer(t, A.server);
    const again = await createRequest(t, {}, { client: first.req.client, nonce: first.req.nonce });
    const stakeAndRent = balanceOf(t.svm, again.address);
    // When its open window passes and anyone expires it
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    const report = await send(t, expireInstruction({ request: again.address, client: again.client.address }), {
      feePayer: again.client,
    });
    // Then the client got everything back and no server's record changed
    expect(lamportDelta(report, again.client.address)).toBe(stakeAndRent - report.fee);
    expect(readServer(t, A.server)).toMatchObject({ completed: before.completed, expired: before.expired, activeLocks: 0 });
    expect(accountExists(t, again.address)).toBe(false);
  });

  it("re-creating a request after its response was closed works end to end", async () => {
    // Given a settled request whose response the client closed
    const first = await completed();
    await send(t, closeResponseInstruction(first.req.client, first.response, A.operator.address, market.cfg.config), {
      feePayer: first.req.client,
    });
    // When the client re-creates it with the same nonce and A serves it
    const again = await createRequest(t, {}, { client: first.req.client, nonce: first.req.nonce });
    await lock(sender(), market, again.address, A);
    await stream(sender(), A, again.address, [100]);
    await complete(sender(), market, A, target(again), 10, 10);
    // Then it settled, and A was paid for both (40,000 lamports each; fees below MIN_COUNTED_FEE, so
    // neither counts as a completion)
    expect(readServer(t, A.server)).toMatchObject({ paidVolume: 80_000n, completed: 0n });
  });
});
