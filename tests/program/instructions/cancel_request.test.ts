/**
 * `cancel_request`: happy paths.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/lifecycle.ts.
 */
import { describe, expect, it } from "vitest";
import { accountExists, cancelInstruction } from "../../helpers/lifecycle";
import { lamportDelta } from "../../helpers/lamports";
import { balanceOf } from "../../helpers/svm";
import { t, ledger, open, useLifecycleFixture } from "../fixtures/lifecycle";

useLifecycleFixture();

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
