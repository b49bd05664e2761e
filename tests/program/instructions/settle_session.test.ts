/**
 * `settle_session`: happy paths (several settles, then the cooperative settle + close in one transaction).
 * Real Ed25519 signatures (@noble/curves) verified by the precompile; exact lamports for every account.
 * Shared setup (fresh chain, market, ledger checked in afterEach): tests/program/fixtures/lifecycle.ts.
 */
import { describe, expect, it } from "vitest";
import { SessionStatus } from "../../../clients/js/src/generated";
import { getSettleSessionInstructions } from "../../../clients/js/src/sessions";
import { readServer } from "../../helpers/fixtures";
import { lamportDelta } from "../../helpers/lamports";
import {
  DEFAULT_DEPOSIT,
  OPEN_SLOT_WINDOW,
  SESSION_SIZE,
  closeSessionInstruction,
  feeOn,
  feeShardOfSession,
  openSession,
  readSession,
  settleInstructions,
  sign,
  voucherOf,
} from "../../helpers/sessions";
import { encodeVoucher } from "../../../clients/js/src/sessions";
import { accountExists } from "../../helpers/lifecycle";
import { balanceOf, currentSlot, rentExempt, warpSlots } from "../../helpers/svm";
import { t, market, ledger, server, useLifecycleFixture } from "../fixtures/lifecycle";

useLifecycleFixture();

describe("settle_session", () => {
  it("pays each voucher's delta: delta − fee to the operator, fee to the shard; reputation grows by what was paid", async () => {
    // Given an open session and its fee vault shard
    const s = await openSession(t, server, {}, { sender: ledger });
    const vault = market.cfg.feeVaults[feeShardOfSession(s)]!;
    const rent = rentExempt(t.svm, SESSION_SIZE);
    const steps = [
      { lamports: 1_234_567n, tokens: 700n, answers: 1 },
      { lamports: 2_000_000n, tokens: 1_500n, answers: 2 },
      { lamports: 2_000_009n, tokens: 1_500n, answers: 3 },
    ];
    let settled = 0n;
    for (const step of steps) {
      warpSlots(t.svm, 3n);
      // When the operator settles the client's signed cumulative voucher
      const report = await ledger.send(settleInstructions(s, market, voucherOf(s, step.lamports, step.tokens, step.answers)), {
        feePayer: server.operator,
      });
      // Then the fee is 1 transaction signature + 1 precompile signature
      expect(report.fee).toBe(10_000n);
      const delta = step.lamports - settled;
      const fee = feeOn(delta);
      expect(lamportDelta(report, server.operator.address)).toBe(delta - fee - report.fee);
      expect(lamportDelta(report, vault)).toBe(fee);
      expect(lamportDelta(report, s.address)).toBe(-delta);
      settled = step.lamports;
      // And the session holds rent + deposit − settled, with the voucher's totals recorded
      expect(balanceOf(t.svm, s.address)).toBe(rent + DEFAULT_DEPOSIT - settled);
      expect(readSession(t, s.address)).toMatchObject({
        status: SessionStatus.Open,
        settled,
        settledTokens: step.tokens,
        settledAnswers: step.answers,
      });
    }
    // And the server's reputation counts the gross paid volume, the net earned and the tokens
    const paid = steps.at(-1)!.lamports;
    const fees = feeOn(1_234_567n) + feeOn(2_000_000n - 1_234_567n) + feeOn(9n);
    expect(readServer(t, server.server)).toMatchObject({
      paidVolume: paid,
      lamportsEarned: paid - fees,
      tokensOut: 1_500n,
      lastActiveSlot: currentSlot(t.svm),
      completed: 0n,
    });
  });

  it("cooperative close: final settle and close in one transaction (10,000 lamports fee), exact lamports for everyone", async () => {
    // Given a session settled once, past its open-slot window
    const s = await openSession(t, server, {}, { sender: ledger });
    const vault = market.cfg.feeVaults[feeShardOfSession(s)]!;
    await ledger.send(settleInstructions(s, market, voucherOf(s, 3_000_000n, 900n, 2)), { feePayer: server.operator });
    warpSlots(t.svm, OPEN_SLOT_WINDOW + 1n);
    const rent = rentExempt(t.svm, SESSION_SIZE);

    // When the operator sends [verify, settle(final voucher), close] built with the SDK helper
    const final = voucherOf(s, 7_777_777n, 2_000n, 5);
    const bytes = encodeVoucher(final);
    const report = await ledger.send(
      [
        ...getSettleSessionInstructions({
          operator: server.operator,
          server: server.server,
          session: s.address,
          feeVault: vault,
          voucherSigner: s.key.address,
          voucher: final,
          signature: sign(s.key, bytes),
        }),
        closeSessionInstruction(server.operator, s.address, s.client.address),
      ],
      { feePayer: server.operator },
    );

    // Then the fee is 10,000, the operator gets delta − fee, the shard the fee,
    // the client the unspent deposit and the rent, and the session account is gone
    const delta = 7_777_777n - 3_000_000n;
    expect(report.fee).toBe(10_000n);
    expect(lamportDelta(report, server.operator.address)).toBe(delta - feeOn(delta) - 10_000n);
    expect(lamportDelta(report, vault)).toBe(feeOn(delta));
    expect(lamportDelta(report, s.client.address)).toBe(DEFAULT_DEPOSIT - 7_777_777n + rent);
    expect(lamportDelta(report, s.address)).toBe(-(rent + DEFAULT_DEPOSIT - 3_000_000n));
    expect(accountExists(t, s.address)).toBe(false);
    expect(readServer(t, server.server)).toMatchObject({ paidVolume: 7_777_777n, tokensOut: 2_000n });
  });

  it("settles while Closing, before the grace ends", async () => {
    const s = await openSession(t, server, {}, { sender: ledger });
    const { requestCloseInstruction } = await import("../../helpers/sessions");
    await ledger.send(requestCloseInstruction(s.client, s.address), { feePayer: s.client });
    warpSlots(t.svm, 10n);
    await ledger.send(settleInstructions(s, market, voucherOf(s, 500_000n)), { feePayer: server.operator });
    expect(readSession(t, s.address)).toMatchObject({ status: SessionStatus.Closing, settled: 500_000n });
  });

  it("settles a voucher for the whole deposit, leaving only the rent", async () => {
    const s = await openSession(t, server, {}, { sender: ledger });
    await ledger.send(settleInstructions(s, market, voucherOf(s, DEFAULT_DEPOSIT)), { feePayer: server.operator });
    expect(balanceOf(t.svm, s.address)).toBe(rentExempt(t.svm, SESSION_SIZE));
  });
});
