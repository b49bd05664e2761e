/**
 * A seeded random walk over the session instructions against the real program, checked against a model
 * after every transaction: each session's status, deposit and settled watermark, the exact lamports of the
 * session account (`rent + deposit − settled` while Open or Closing, `rent` as a tombstone, none when freed),
 * the exact delta of the client, the operator and the fee vault shard, the server's paid volume, and which
 * named error an action the rules refuse must fail with. A `Ledger` checks that across the whole walk
 * nothing but transaction fees left the accounts it touched.
 */
import type { Address } from "@solana/kit";
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__CLOSE_NOT_ALLOWED_YET,
  CHAINFERENCE_ERROR__SESSION_CLOSED,
  CHAINFERENCE_ERROR__SESSION_NOT_CLOSED,
  CHAINFERENCE_ERROR__SESSION_NOT_OPEN,
  CHAINFERENCE_ERROR__SESSION_TOO_RECENT,
  CHAINFERENCE_ERROR__SETTLE_WINDOW_CLOSED,
  CHAINFERENCE_ERROR__VOUCHER_ABOVE_DEPOSIT,
  CHAINFERENCE_ERROR__VOUCHER_NOT_INCREASING,
  SessionStatus,
} from "../../clients/js/src/generated";
import { readServer } from "../helpers/fixtures";
import { expectProgramError } from "../helpers/errors";
import { Ledger, setupMarket } from "../helpers/lifecycle";
import { lamportDelta } from "../helpers/lamports";
import {
  OPEN_SLOT_WINDOW,
  SESSION_SIZE,
  closeSessionInstruction,
  feeOn,
  feeShardOfSession,
  openSession,
  readSession,
  reclaimInstruction,
  requestCloseInstruction,
  settleInstructions,
  topUpInstruction,
  voucherOf,
  type OpenedSession,
} from "../helpers/sessions";
import { balanceOf, createTestSvm, currentSlot, rentExempt } from "../helpers/svm";

/** xorshift64*: a seeded generator (the walk replays exactly for a seed). */
function rng(seed: bigint) {
  let x = seed;
  return (n: number): number => {
    x ^= x >> 12n;
    x ^= (x << 25n) & 0xffff_ffff_ffff_ffffn;
    x ^= x >> 27n;
    return Number(((x * 0x2545f4914f6cdd1dn) & 0xffff_ffff_ffff_ffffn) % BigInt(n));
  };
}

type Model = {
  s: OpenedSession;
  status: "open" | "closing" | "closed" | "freed";
  deposit: bigint;
  settled: bigint;
  tokens: bigint;
  answers: number;
  expiry: bigint;
  closeRequested: bigint;
};

const deadline = (m: Model) =>
  m.status === "closing" && m.closeRequested + BigInt(m.s.params.graceSlots) < m.expiry
    ? m.closeRequested + BigInt(m.s.params.graceSlots)
    : m.expiry;

describe("session random walk", () => {
  it.each([1n, 2n, 3n, 4n, 5n])("seed %s: 100 actions over 4 sessions match the model exactly", async (seed) => {
    const t = await createTestSvm();
    const market = await setupMarket(t, { servers: 2 });
    const ledger = new Ledger(t);
    const rand = rng(seed * 0x9e3779b97f4a7c15n + 1n);
    const rent = rentExempt(t.svm, SESSION_SIZE);
    const models: Model[] = [];
    const landed = { settle: 0, topUp: 0, requestClose: 0, closeFreed: 0, closeTombstone: 0, reclaim: 0 };
    const paid = new Map<Address, bigint>(market.servers.map((s) => [s.server, 0n]));

    for (let i = 0; i < 4; i++) {
      const server = market.servers[i % 2]!;
      const now = currentSlot(t.svm);
      const deposit = 1_000_000n + BigInt(rand(5_000_000));
      const expiry = now + 400n + BigInt(rand(1_500));
      const s = await openSession(t, server, { deposit, expirySlot: expiry, graceSlots: 150n + BigInt(rand(200)) }, { sender: ledger });
      models.push({ s, status: "open", deposit, settled: 0n, tokens: 0n, answers: 0, expiry, closeRequested: 0n });
      t.svm.warpToSlot(now + 1n);
    }

    const check = (m: Model) => {
      const balance = balanceOf(t.svm, m.s.address);
      if (m.status === "freed") return expect(balance).toBe(0n);
      if (m.status === "closed") expect(balance).toBe(rent);
      else expect(balance).toBe(rent + m.deposit - m.settled);
      const onChain = readSession(t, m.s.address);
      expect(onChain).toMatchObject({ deposit: m.deposit, settled: m.settled, settledTokens: m.tokens, settledAnswers: m.answers });
      expect(onChain.status).toBe({ open: SessionStatus.Open, closing: SessionStatus.Closing, closed: SessionStatus.Closed }[m.status]);
    };

    for (let step = 0; step < 100; step++) {
      const m = models[rand(models.length)]!;
      const { s } = m;
      const now = currentSlot(t.svm);
      const live = m.status === "open" || m.status === "closing";
      // Weighted: settles most often, closes rarely (so sessions live long enough to be exercised).
      const action = [0, 0, 1, 1, 1, 1, 1, 1, 1, 2, 2, 3, 4, 5, 6, 1][rand(16)]!;
      if (action === 0) {
        // Time passes
        t.svm.warpToSlot(now + 1n + BigInt(rand(300)));
      } else if (action === 1 && m.status !== "freed") {
        // settle a larger voucher (sometimes too large, sometimes not larger)
        const kind = rand(6);
        const target =
          kind === 0 ? m.settled : kind === 1 ? m.deposit + 1n : m.settled + 1n + BigInt(rand(Number(m.deposit - m.settled + 1n)));
        const ixs = settleInstructions(s, market, voucherOf(s, target, m.tokens + BigInt(rand(500)), m.answers + 1));
        const send = ledger.send(ixs, { feePayer: s.server.operator });
        if (m.status === "closed") await expectProgramError(send, CHAINFERENCE_ERROR__SESSION_CLOSED);
        else if (now >= deadline(m)) await expectProgramError(send, CHAINFERENCE_ERROR__SETTLE_WINDOW_CLOSED);
        else if (target <= m.settled) await expectProgramError(send, CHAINFERENCE_ERROR__VOUCHER_NOT_INCREASING);
        else if (target > m.deposit) await expectProgramError(send, CHAINFERENCE_ERROR__VOUCHER_ABOVE_DEPOSIT);
        else {
          const report = await send;
          landed.settle++;
          const delta = target - m.settled;
          expect(lamportDelta(report, s.server.operator.address)).toBe(delta - feeOn(delta) - report.fee);
          expect(lamportDelta(report, market.cfg.feeVaults[feeShardOfSession(s)]!)).toBe(feeOn(delta));
          m.settled = target;
          const v = readSession(t, s.address);
          m.tokens = v.settledTokens;
          m.answers = v.settledAnswers;
          paid.set(s.server.server, paid.get(s.server.server)! + delta);
        }
      } else if (action === 2 && m.status !== "freed") {
        const amount = 1n + BigInt(rand(2_000_000));
        const send = ledger.send(topUpInstruction(s.client, s.address, amount), { feePayer: s.client });
        if (m.status !== "open") await expectProgramError(send, CHAINFERENCE_ERROR__SESSION_NOT_OPEN);
        else {
          const report = await send;
          landed.topUp++;
          expect(lamportDelta(report, s.client.address)).toBe(-amount - report.fee);
          m.deposit += amount;
        }
      } else if (action === 3 && m.status !== "freed") {
        const send = ledger.send(requestCloseInstruction(s.client, s.address), { feePayer: s.client });
        if (m.status !== "open") await expectProgramError(send, CHAINFERENCE_ERROR__SESSION_NOT_OPEN);
        else {
          await send;
          landed.requestClose++;
          m.status = "closing";
          m.closeRequested = now;
        }
      } else if ((action === 4 || action === 5) && m.status !== "freed") {
        // close by the operator (4) or the client (5)
        const byOperator = action === 4;
        const caller = byOperator ? s.server.operator : s.client;
        const send = ledger.send(closeSessionInstruction(caller, s.address, s.client.address), { feePayer: caller });
        if (m.status === "closed") await expectProgramError(send, CHAINFERENCE_ERROR__SESSION_CLOSED);
        else if (!byOperator && now < deadline(m)) await expectProgramError(send, CHAINFERENCE_ERROR__CLOSE_NOT_ALLOWED_YET);
        else if (live) {
          const report = await send;
          const frees = now > s.openSlot + OPEN_SLOT_WINDOW;
          const refund = m.deposit - m.settled + (frees ? rent : 0n);
          const fee = byOperator ? 0n : report.fee;
          expect(lamportDelta(report, s.client.address)).toBe(refund - fee);
          m.status = frees ? "freed" : "closed";
          landed[frees ? "closeFreed" : "closeTombstone"]++;
        }
      } else if (action === 6 && m.status !== "freed") {
        const send = ledger.send(reclaimInstruction(s.address, s.client.address));
        if (m.status !== "closed") await expectProgramError(send, CHAINFERENCE_ERROR__SESSION_NOT_CLOSED);
        else if (now <= s.openSlot + OPEN_SLOT_WINDOW) await expectProgramError(send, CHAINFERENCE_ERROR__SESSION_TOO_RECENT);
        else {
          const report = await send;
          expect(lamportDelta(report, s.client.address)).toBe(rent);
          landed.reclaim++;
          m.status = "freed";
        }
      }
      for (const each of models) check(each);
    }

    for (const server of market.servers) expect(readServer(t, server.server).paidVolume).toBe(paid.get(server.server));
    ledger.expectConserved();
    // And the walk exercised the landing paths, not only refusals
    expect(landed.settle).toBeGreaterThan(3);
  });
});
