/** The session server's decisions as pure functions: ask and voucher judges, the settle schedule, the config. */
import { ed25519 } from "@noble/curves/ed25519.js";
import { getAddressDecoder, type Address } from "@solana/kit";
import { describe, expect, it } from "vitest";

import { encodeVoucher, signVoucher, ZERO_SESSION_TOTALS, type SessionTotals } from "@chainference/client/sessions";
import { judgeVoucher, parseNodeConfig, settleReason, type SessionEntry, type SessionView } from "@chainference/node";

const address = (byte: number): Address => getAddressDecoder().decode(new Uint8Array(32).fill(byte));
const session = address(1);
const signerSecret = new Uint8Array(32).fill(7);
const voucherSigner = getAddressDecoder().decode(ed25519.getPublicKey(signerSecret));

const view: SessionView = {
  address: session,
  status: "open",
  client: address(2),
  server: address(3),
  voucherSigner,
  modelId: "org/model",
  revision: "",
  priceIn: 1_000_000n,
  priceOut: 5_000_000n,
  keyEpoch: 1,
  deposit: 1_000n,
  settledLamports: 0n,
  settleDeadlineSlot: 10_000n,
};

function entry(
  paid: SessionTotals = ZERO_SESSION_TOTALS,
  billed: SessionTotals = { lamports: 500n, tokens: 100n, answers: 2 },
): SessionEntry {
  return {
    session,
    paid,
    voucher: null,
    billed,
    arrears: 0n,
    nextAnswer: 0,
    settledLamports: 0n,
    unsettledSince: null,
    answering: false,
    closed: false,
    view: null,
    waiters: new Set(),
    saving: Promise.resolve(),
  };
}

const judge = (lamports: bigint, tokens = 10n, answers = 1, e = entry()) => {
  const signed = signVoucher({ voucher: { session, lamports, tokens, answers }, voucherSecret: signerSecret });
  return judgeVoucher({ session, view, entry: e, bytes: signed.bytes, signature: signed.signature });
};

describe("judgeVoucher", () => {
  it("accepts a signed voucher ahead of the last and within bill and deposit", () => {
    expect(judge(100n)).toEqual({ voucher: { session, lamports: 100n, tokens: 10n, answers: 1 } });
  });

  it.each([
    ["voucher_above_billed", () => judge(501n)],
    ["voucher_above_deposit", () => judge(1_001n, 10n, 1, entry(ZERO_SESSION_TOTALS, { lamports: 2_000n, tokens: 100n, answers: 2 }))],
    ["voucher_not_increasing", () => judge(100n, 10n, 1, entry({ lamports: 100n, tokens: 10n, answers: 1 }))],
    ["voucher_not_increasing", () => judge(200n, 5n, 1, entry({ lamports: 100n, tokens: 10n, answers: 1 }))],
    ["voucher_invalid", () => judgeVoucher({ session, view, entry: entry(), bytes: new Uint8Array(53), signature: new Uint8Array(64) })],
    [
      "voucher_wrong_session",
      () => {
        const bytes = encodeVoucher({ session: address(9), lamports: 1n, tokens: 1n, answers: 1 });
        return judgeVoucher({ session, view, entry: entry(), bytes, signature: ed25519.sign(bytes, signerSecret) });
      },
    ],
    [
      "voucher_bad_signature",
      () => {
        const bytes = encodeVoucher({ session, lamports: 1n, tokens: 1n, answers: 1 });
        return judgeVoucher({ session, view, entry: entry(), bytes, signature: ed25519.sign(bytes, new Uint8Array(32).fill(8)) });
      },
    ],
  ])("refuses with %s", (code, verdict) => {
    expect(verdict()).toMatchObject({ code });
  });
});

describe("settleReason", () => {
  const policy = { settleThresholdLamports: 1_000n, settleIntervalMs: 60_000, settleMarginSlots: 150 };
  const withVoucher = (lamports: bigint, since: number | null = 0): SessionEntry => ({
    ...entry(),
    voucher: { ...signVoucher({ voucher: { session, lamports, tokens: 1n, answers: 1 }, voucherSecret: signerSecret }) },
    unsettledSince: since,
  });

  it("waits below the threshold, before the interval and far from the deadline", () => {
    expect(settleReason({ entry: withVoucher(10n), view, slot: 100n, nowMs: 1_000, policy })).toBeNull();
  });
  it("settles at the threshold, after the interval, near the deadline, and when the client asked to close", () => {
    expect(settleReason({ entry: withVoucher(1_000n), view, slot: 100n, nowMs: 1_000, policy })).toBe("threshold");
    expect(settleReason({ entry: withVoucher(10n), view, slot: 100n, nowMs: 60_000, policy })).toBe("interval");
    expect(settleReason({ entry: withVoucher(10n), view, slot: 9_850n, nowMs: 1_000, policy })).toBe("deadline");
    expect(settleReason({ entry: withVoucher(10n), view: { ...view, status: "closing" }, slot: 100n, nowMs: 1_000, policy })).toBe(
      "closing",
    );
  });
  it("never settles what is settled already, or at/after the deadline", () => {
    expect(settleReason({ entry: withVoucher(10n), view: { ...view, settledLamports: 10n }, slot: 100n, nowMs: 1e9, policy })).toBeNull();
    expect(settleReason({ entry: withVoucher(5_000n), view, slot: 10_000n, nowMs: 1e9, policy })).toBeNull();
  });
});

describe("sessions config", () => {
  it("is off by default and parses the session server's settings, lamports as numbers or decimal strings", () => {
    expect(parseNodeConfig({}).sessions.port).toBeNull();
    const sessions = parseNodeConfig({ sessions: { port: 0, creditWindowLamports: "800", settleThresholdLamports: 5 } }).sessions;
    expect(sessions).toMatchObject({ port: 0, creditWindowLamports: 800n, billStepLamports: 100n, settleThresholdLamports: 5n });
    expect(() => parseNodeConfig({ sessions: { prot: 1 } })).toThrow(/unknown field "prot" in sessions/);
    expect(() => parseNodeConfig({ sessions: { creditWindowLamports: 0 } })).toThrow(/creditWindowLamports must be positive/);
  });
});
