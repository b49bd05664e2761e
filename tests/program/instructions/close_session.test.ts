/**
 * `request_close_session`, `close_session` and `reclaim_session`: the forced close, the cooperative close
 * inside the open-slot window (Closed tombstone), and the reclaim. Exact lamports for every account.
 * Shared setup (fresh chain, market, ledger checked in afterEach): tests/program/fixtures/lifecycle.ts.
 */
import { describe, expect, it } from "vitest";
import { SessionStatus } from "../../../clients/js/src/generated";
import { accountExists } from "../../helpers/lifecycle";
import { lamportDelta } from "../../helpers/lamports";
import {
  DEFAULT_DEPOSIT,
  DEFAULT_GRACE,
  OPEN_SLOT_WINDOW,
  SESSION_SIZE,
  closeSessionInstruction,
  openSession,
  readSession,
  reclaimInstruction,
  requestCloseInstruction,
  settleInstructions,
  voucherOf,
} from "../../helpers/sessions";
import { balanceOf, currentSlot, fundedSigner, rentExempt, warpSlots } from "../../helpers/svm";
import { t, market, ledger, server, useLifecycleFixture } from "../fixtures/lifecycle";

useLifecycleFixture();

describe("forced close", () => {
  it("request_close → the server settles inside the grace → the client closes at the deadline and gets the rest", async () => {
    // Given a session with one settled voucher
    const s = await openSession(t, server, {}, { sender: ledger });
    await ledger.send(settleInstructions(s, market, voucherOf(s, 1_000_000n, 300n, 1)), { feePayer: server.operator });
    warpSlots(t.svm, 200n);

    // When the client requests the close
    const requested = currentSlot(t.svm);
    const request = await ledger.send(requestCloseInstruction(s.client, s.address), { feePayer: s.client });
    // Then the session is Closing and nothing but the fee moved
    expect(readSession(t, s.address)).toMatchObject({ status: SessionStatus.Closing, closeRequestedSlot: requested });
    expect(lamportDelta(request, s.address)).toBe(0n);

    // And the server settles its last voucher inside the grace
    warpSlots(t.svm, DEFAULT_GRACE - 1n);
    await ledger.send(settleInstructions(s, market, voucherOf(s, 2_500_000n, 700n, 2)), { feePayer: server.operator });

    // When the client closes at the deadline (requested + grace), past the open-slot window
    warpSlots(t.svm, 1n);
    const rent = rentExempt(t.svm, SESSION_SIZE);
    const close = await ledger.send(closeSessionInstruction(s.client, s.address, s.client.address), { feePayer: s.client });
    // Then the client gets deposit − settled + rent (minus its fee) and the account is freed
    expect(lamportDelta(close, s.client.address)).toBe(DEFAULT_DEPOSIT - 2_500_000n + rent - close.fee);
    expect(accountExists(t, s.address)).toBe(false);
  });

  it("a vanished server: the client closes once the expiry has passed, without a close request", async () => {
    const s = await openSession(t, server, { expirySlot: currentSlot(t.svm) + 400n }, { sender: ledger });
    warpSlots(t.svm, 400n);
    const rent = rentExempt(t.svm, SESSION_SIZE);
    const close = await ledger.send(closeSessionInstruction(s.client, s.address, s.client.address), { feePayer: s.client });
    expect(lamportDelta(close, s.client.address)).toBe(DEFAULT_DEPOSIT + rent - close.fee);
    expect(accountExists(t, s.address)).toBe(false);
  });
});

describe("tombstone and reclaim", () => {
  it("a close inside the open-slot window leaves a Closed tombstone holding exactly its rent; reclaim frees it after the window", async () => {
    // Given a session settled once
    const s = await openSession(t, server, {}, { sender: ledger });
    await ledger.send(settleInstructions(s, market, voucherOf(s, 400_000n)), { feePayer: server.operator });
    const rent = rentExempt(t.svm, SESSION_SIZE);

    // When the operator closes at once (inside the window)
    const close = await ledger.send(closeSessionInstruction(server.operator, s.address, s.client.address), { feePayer: server.operator });
    // Then the client got deposit − settled, and the account is a Closed tombstone holding its rent
    expect(lamportDelta(close, s.client.address)).toBe(DEFAULT_DEPOSIT - 400_000n);
    expect(balanceOf(t.svm, s.address)).toBe(rent);
    expect(readSession(t, s.address).status).toBe(SessionStatus.Closed);

    // When anyone reclaims once now > open_slot + OPEN_SLOT_WINDOW
    t.svm.warpToSlot(s.openSlot + OPEN_SLOT_WINDOW + 1n);
    const anyone = await fundedSigner(t.svm);
    const reclaim = await ledger.send(reclaimInstruction(s.address, s.client.address), { feePayer: anyone });
    // Then the rent goes to the client and the account is freed
    expect(lamportDelta(reclaim, s.client.address)).toBe(rent);
    expect(lamportDelta(reclaim, anyone.address)).toBe(-reclaim.fee);
    expect(accountExists(t, s.address)).toBe(false);
  });

  it("a cooperative close without any settle refunds the whole deposit", async () => {
    const s = await openSession(t, server, {}, { sender: ledger });
    const close = await ledger.send(closeSessionInstruction(server.operator, s.address, s.client.address), { feePayer: server.operator });
    expect(lamportDelta(close, s.client.address)).toBe(DEFAULT_DEPOSIT);
    expect(readSession(t, s.address)).toMatchObject({ status: SessionStatus.Closed, settled: 0n });
  });
});

describe("top_up_session", () => {
  it("adds to the deposit: the client's lamports move into the session", async () => {
    const s = await openSession(t, server, {}, { sender: ledger });
    const { topUpInstruction } = await import("../../helpers/sessions");
    const report = await ledger.send(topUpInstruction(s.client, s.address, 7_000_000n), { feePayer: s.client });
    expect(lamportDelta(report, s.client.address)).toBe(-7_000_000n - report.fee);
    expect(lamportDelta(report, s.address)).toBe(7_000_000n);
    expect(readSession(t, s.address).deposit).toBe(DEFAULT_DEPOSIT + 7_000_000n);
    // And a voucher up to the new deposit settles
    await ledger.send(settleInstructions(s, market, voucherOf(s, DEFAULT_DEPOSIT + 7_000_000n)), { feePayer: server.operator });
    expect(balanceOf(t.svm, s.address)).toBe(rentExempt(t.svm, SESSION_SIZE));
  });
});
