/**
 * `close_response`: happy paths.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/lifecycle.ts.
 */
import { describe, expect, it } from "vitest";
import { DEFAULT_LIMITS } from "../../helpers/fixtures";
import { accountExists, closeResponseInstruction, complete } from "../../helpers/lifecycle";
import { lamportDelta } from "../../helpers/lamports";
import { balanceOf, fundedSigner, warpSlots } from "../../helpers/svm";
import { t, market, ledger, server, answered, target, useLifecycleFixture } from "../fixtures/lifecycle";

useLifecycleFixture();

describe("close_response", () => {
  it("lets the client close a completed response any time: every lamport to the operator", async () => {
    // Given a completed request
    const { req, response } = await answered([200]);
    await complete(ledger, market, server, target(req), 1, 1);
    const held = balanceOf(t.svm, response);
    // When the client closes the response right away
    const report = await ledger.send(closeResponseInstruction(req.client, response, server.operator.address, market.cfg.config), {
      feePayer: req.client,
    });
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
    const report = await ledger.send(closeResponseInstruction(stranger, response, server.operator.address, market.cfg.config), {
      feePayer: stranger,
    });
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
    const report = await ledger.send(closeResponseInstruction(server.operator, response, server.operator.address, market.cfg.config), {
      feePayer: server.operator,
    });
    // Then it got the lamports
    expect(lamportDelta(report, server.operator.address)).toBe(held - report.fee);
  });
});
