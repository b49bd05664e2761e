/**
 * `expire_request`: happy paths.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/lifecycle.ts.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../helpers/fixtures";
import { accountExists, expireInstruction, lock, responsePda, stream } from "../../helpers/lifecycle";
import { lamportDelta } from "../../helpers/lamports";
import { balanceOf, fundedSigner, warpSlots } from "../../helpers/svm";
import { t, market, ledger, server, counters, ZERO_COUNTERS, open, answered, useLifecycleFixture } from "../fixtures/lifecycle";

useLifecycleFixture();

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
    const report = await ledger.send(expireInstruction({ request: req.address, client: req.client.address, server: server.server }), {
      feePayer: req.client,
    });
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
