/**
 * `settle_session`: the classic Ed25519-introspection attacks and every voucher rule, each with its named
 * error (and nothing but the fee charged). Real signatures (@noble/curves) verified by the real precompile.
 * Shared setup (fresh chain, market with servers A and B): tests/program/fixtures/attacks.ts.
 */
import { AccountRole, type Instruction } from "@solana/kit";
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__FEE_VAULT_MISMATCH,
  CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER,
  CHAINFERENCE_ERROR__INVALID_INSTRUCTIONS_SYSVAR,
  CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
  CHAINFERENCE_ERROR__SERVER_MISMATCH,
  CHAINFERENCE_ERROR__SESSION_CLOSED,
  CHAINFERENCE_ERROR__VOUCHER_ABOVE_DEPOSIT,
  CHAINFERENCE_ERROR__VOUCHER_MAGIC_MISMATCH,
  CHAINFERENCE_ERROR__VOUCHER_MALFORMED,
  CHAINFERENCE_ERROR__VOUCHER_MISSING,
  CHAINFERENCE_ERROR__VOUCHER_NOT_INCREASING,
  CHAINFERENCE_ERROR__VOUCHER_NOT_INLINE,
  CHAINFERENCE_ERROR__VOUCHER_SESSION_MISMATCH,
  CHAINFERENCE_ERROR__VOUCHER_SIGNER_MISMATCH,
  CHAINFERENCE_ERROR__VOUCHER_USAGE_DECREASED,
} from "../../../clients/js/src/generated";
import { encodeVoucher } from "../../../clients/js/src/sessions";
import { expectRejected } from "../../helpers/attacks";
import { expectProgramError } from "../../helpers/errors";
import { addressBytes, systemTransfer } from "../../helpers/instructions";
import {
  DEFAULT_DEPOSIT,
  ED25519_PROGRAM,
  OPEN_SLOT_WINDOW,
  reclaimInstruction,
  closeSessionInstruction,
  feeShardOfSession,
  openSession,
  readSession,
  sessionKey,
  settleInstructions,
  settleOnly,
  sign,
  verifyInstruction,
  voucherOf,
  type OpenedSession,
  type SessionKey,
} from "../../helpers/sessions";
import { freshAddress, fundedSigner, send, warpSlots } from "../../helpers/svm";
import { t, market, A, B, useAttacksFixture } from "../fixtures/attacks";

useAttacksFixture();

const settle = (s: OpenedSession, instructions: Instruction[]) => send(t, instructions, { feePayer: s.server.operator });
const settleIx = (s: OpenedSession) => settleOnly(s, market, feeShardOfSession(s));

/** Ed25519 precompile data with raw offset records (count = records.length) followed by `body` at offset 2 + 14n. */
function precompile(records: number[][], body: Uint8Array): Instruction {
  const head = new Uint8Array(2 + 14 * records.length);
  const view = new DataView(head.buffer);
  head[0] = records.length;
  records.forEach((r, i) => r.forEach((v, j) => view.setUint16(2 + 14 * i + 2 * j, v, true)));
  const data = new Uint8Array(head.length + body.length);
  data.set(head);
  data.set(body, head.length);
  return { programAddress: ED25519_PROGRAM, data } as Instruction;
}

/** `pubkey ‖ signature ‖ message` (the canonical body after the 16-byte header). */
const body = (key: SessionKey, message: Uint8Array, signature = sign(key, message)) =>
  new Uint8Array([...addressBytes(key.address), ...signature, ...message]);

describe("settle_session attacks: the Ed25519 instruction", () => {
  it("no voucher instruction at all → VoucherMissing", async () => {
    const s = await openSession(t, A);
    await expectProgramError(settle(s, [settleIx(s)]), CHAINFERENCE_ERROR__VOUCHER_MISSING);
  });

  it("another instruction between the voucher and the settle → VoucherMissing", async () => {
    const s = await openSession(t, A);
    const [verify, settleOne] = settleInstructions(s, market, voucherOf(s, 1_000n));
    const between = systemTransfer(A.operator, s.client.address, 1n);
    await expectProgramError(settle(s, [verify!, between, settleOne!]), CHAINFERENCE_ERROR__VOUCHER_MISSING);
  });

  it("the voucher instruction after the settle → VoucherMissing", async () => {
    const s = await openSession(t, A);
    const [verify, settleOne] = settleInstructions(s, market, voucherOf(s, 1_000n));
    await expectProgramError(settle(s, [settleOne!, verify!]), CHAINFERENCE_ERROR__VOUCHER_MISSING);
  });

  it("one voucher instruction reused by a second settle in the same transaction → VoucherMissing", async () => {
    const s = await openSession(t, A);
    const [verify, settleOne] = settleInstructions(s, market, voucherOf(s, 1_000n));
    await expectProgramError(settle(s, [verify!, settleOne!, settleIx(s)]), CHAINFERENCE_ERROR__VOUCHER_MISSING);
    expect(readSession(t, s.address).settled).toBe(0n);
  });

  it("offsets pointing into another instruction (a genuine old voucher) while its own bytes forge a bigger one → VoucherNotInline", async () => {
    // Given a genuine voucher for 1,000 lamports in instruction 0 (itself a valid precompile instruction)
    const s = await openSession(t, A);
    const genuine = verifyInstruction(s.key, voucherOf(s, 1_000n));
    // And instruction 1: a precompile instruction whose three indexes point at instruction 0 (so the
    // precompile verifies the genuine signature) while its own canonical region claims the whole deposit
    const forged = encodeVoucher(voucherOf(s, DEFAULT_DEPOSIT));
    const cross = precompile([[48, 0, 16, 0, 112, 54, 0]], body(s.key, forged, new Uint8Array(64).fill(7)));
    // When the settle follows it / Then VoucherNotInline (the precompile itself accepted the transaction)
    await expectProgramError(settle(s, [genuine, cross, settleIx(s)]), CHAINFERENCE_ERROR__VOUCHER_NOT_INLINE);
  });

  it("only the message read from another instruction → VoucherNotInline", async () => {
    const s = await openSession(t, A);
    const genuine = verifyInstruction(s.key, voucherOf(s, 1_000n));
    const own = encodeVoucher(voucherOf(s, 1_000n));
    // Signature and key here, message in instruction 0 (same bytes: the precompile verifies)
    const cross = precompile([[48, 0xffff, 16, 0xffff, 112, 54, 0]], body(s.key, own));
    await expectProgramError(settle(s, [genuine, cross, settleIx(s)]), CHAINFERENCE_ERROR__VOUCHER_NOT_INLINE);
  });

  it("two signatures in one precompile instruction (both valid) → VoucherMalformed", async () => {
    const s = await openSession(t, A);
    const first = encodeVoucher(voucherOf(s, 1_000n));
    const second = encodeVoucher(voucherOf(s, DEFAULT_DEPOSIT));
    // header 30 bytes; record 1 at 30/62/126, record 2 at 180/212/276
    const ix = precompile(
      [
        [62, 0xffff, 30, 0xffff, 126, 54, 0xffff],
        [212, 0xffff, 180, 0xffff, 276, 54, 0xffff],
      ],
      new Uint8Array([...body(s.key, first), ...body(s.key, second)]),
    );
    await expectProgramError(settle(s, [ix, settleIx(s)]), CHAINFERENCE_ERROR__VOUCHER_MALFORMED);
  });

  it("a 55-byte or 53-byte signed message → VoucherMalformed", async () => {
    const s = await openSession(t, A);
    const bytes = encodeVoucher(voucherOf(s, 1_000n));
    for (const message of [new Uint8Array([...bytes, 0]), bytes.subarray(0, 53)]) {
      const ix = precompile([[48, 0xffff, 16, 0xffff, 112, message.length, 0xffff]], body(s.key, message));
      await expectProgramError(settle(s, [ix, settleIx(s)]), CHAINFERENCE_ERROR__VOUCHER_MALFORMED);
    }
  });

  it("non-canonical offsets (a padding byte before the key) → VoucherMalformed", async () => {
    const s = await openSession(t, A);
    const bytes = encodeVoucher(voucherOf(s, 1_000n));
    const ix = precompile([[49, 0xffff, 17, 0xffff, 113, 54, 0xffff]], new Uint8Array([0, ...body(s.key, bytes)]));
    await expectProgramError(settle(s, [ix, settleIx(s)]), CHAINFERENCE_ERROR__VOUCHER_MALFORMED);
  });

  it("a signature that does not verify is refused by the precompile before the program runs", async () => {
    const s = await openSession(t, A);
    const bytes = encodeVoucher(voucherOf(s, 1_000n));
    const ix = precompile([[48, 0xffff, 16, 0xffff, 112, 54, 0xffff]], body(s.key, bytes, new Uint8Array(64).fill(1)));
    const error = await expectRejected(settle(s, [ix, settleIx(s)]));
    expect(error.instructionIndex).toBe(0);
    expect(readSession(t, s.address).settled).toBe(0n);
  });
});

describe("settle_session attacks: the voucher", () => {
  it("signed by another key (valid signature) → VoucherSignerMismatch", async () => {
    const s = await openSession(t, A);
    const mallory = sessionKey();
    await expectProgramError(
      settle(s, [verifyInstruction(mallory, voucherOf(s, 1_000n)), settleIx(s)]),
      CHAINFERENCE_ERROR__VOUCHER_SIGNER_MISMATCH,
    );
  });

  it("wrong magic or version → VoucherMagicMismatch", async () => {
    const s = await openSession(t, A);
    for (const [at, value] of [
      [0, 0x44],
      [1, 0x02],
    ] as const) {
      const bytes = encodeVoucher(voucherOf(s, 1_000n));
      bytes[at] = value;
      await expectProgramError(settle(s, [verifyInstruction(s.key, bytes), settleIx(s)]), CHAINFERENCE_ERROR__VOUCHER_MAGIC_MISMATCH);
    }
  });

  it("a voucher for another session of the same client and key → VoucherSessionMismatch", async () => {
    const s = await openSession(t, A);
    warpSlots(t.svm, 1n);
    const other = await openSession(t, A, {}, { client: s.client, key: s.key });
    await expectProgramError(
      settle(s, [verifyInstruction(s.key, voucherOf(other, 1_000n)), settleIx(s)]),
      CHAINFERENCE_ERROR__VOUCHER_SESSION_MISMATCH,
    );
  });

  it("equal, lower or zero cumulative amount → VoucherNotIncreasing", async () => {
    const s = await openSession(t, A);
    await expectProgramError(settle(s, settleInstructions(s, market, voucherOf(s, 0n))), CHAINFERENCE_ERROR__VOUCHER_NOT_INCREASING);
    await settle(s, settleInstructions(s, market, voucherOf(s, 5_000n, 10n, 1)));
    await expectProgramError(
      settle(s, settleInstructions(s, market, voucherOf(s, 5_000n, 10n, 1))),
      CHAINFERENCE_ERROR__VOUCHER_NOT_INCREASING,
    );
    await expectProgramError(
      settle(s, settleInstructions(s, market, voucherOf(s, 4_999n, 10n, 1))),
      CHAINFERENCE_ERROR__VOUCHER_NOT_INCREASING,
    );
  });

  it("the same signed voucher replayed in a later transaction → VoucherNotIncreasing", async () => {
    const s = await openSession(t, A);
    const ixs = settleInstructions(s, market, voucherOf(s, 5_000n));
    await settle(s, ixs);
    warpSlots(t.svm, 1n);
    await expectProgramError(settle(s, ixs), CHAINFERENCE_ERROR__VOUCHER_NOT_INCREASING);
  });

  it("cumulative tokens or answers lower than settled → VoucherUsageDecreased", async () => {
    const s = await openSession(t, A);
    await settle(s, settleInstructions(s, market, voucherOf(s, 5_000n, 100n, 3)));
    await expectProgramError(
      settle(s, settleInstructions(s, market, voucherOf(s, 6_000n, 99n, 3))),
      CHAINFERENCE_ERROR__VOUCHER_USAGE_DECREASED,
    );
    await expectProgramError(
      settle(s, settleInstructions(s, market, voucherOf(s, 6_000n, 100n, 2))),
      CHAINFERENCE_ERROR__VOUCHER_USAGE_DECREASED,
    );
  });

  it("above the deposit → VoucherAboveDeposit", async () => {
    const s = await openSession(t, A);
    await expectProgramError(
      settle(s, settleInstructions(s, market, voucherOf(s, DEFAULT_DEPOSIT + 1n))),
      CHAINFERENCE_ERROR__VOUCHER_ABOVE_DEPOSIT,
    );
  });

  it("settle after close (tombstone) → SessionClosed; after the account is freed → InvalidAccountOwner", async () => {
    const s = await openSession(t, A);
    await send(t, closeSessionInstruction(A.operator, s.address, s.client.address), { feePayer: A.operator });
    await expectProgramError(settle(s, settleInstructions(s, market, voucherOf(s, 1_000n))), CHAINFERENCE_ERROR__SESSION_CLOSED);
    warpSlots(t.svm, OPEN_SLOT_WINDOW + 1n);
    await send(t, reclaimInstruction(s.address, s.client.address));
    await expectProgramError(settle(s, settleInstructions(s, market, voucherOf(s, 1_000n))), CHAINFERENCE_ERROR__INVALID_ACCOUNT_OWNER);
  });
});

describe("settle_session attacks: the accounts", () => {
  it("another server's operator → OperatorMismatch; another server → ServerMismatch", async () => {
    const s = await openSession(t, A);
    const verify = verifyInstruction(s.key, voucherOf(s, 1_000n));
    await expectProgramError(
      send(t, [verify, settleOnly(s, market, feeShardOfSession(s), { operator: B.operator, server: B.server })], { feePayer: B.operator }),
      CHAINFERENCE_ERROR__SERVER_MISMATCH,
    );
    const stranger = await fundedSigner(t.svm);
    await expectProgramError(
      send(t, [verify, settleOnly(s, market, feeShardOfSession(s), { operator: stranger })], { feePayer: stranger }),
      CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
    );
  });

  it("another fee vault shard → FeeVaultMismatch", async () => {
    const s = await openSession(t, A);
    const wrong = market.cfg.feeVaults[(feeShardOfSession(s) + 1) % 16]!;
    await expectProgramError(
      settle(s, [verifyInstruction(s.key, voucherOf(s, 1_000n)), settleOnly(s, market, 0, { feeVault: wrong })]),
      CHAINFERENCE_ERROR__FEE_VAULT_MISMATCH,
    );
  });

  it("a fake Instructions sysvar → InvalidInstructionsSysvar", async () => {
    const s = await openSession(t, A);
    const fake = await freshAddress();
    await expectProgramError(
      settle(s, [
        verifyInstruction(s.key, voucherOf(s, 1_000n)),
        settleOnly(s, market, feeShardOfSession(s), { instructionsSysvar: fake }),
      ]),
      CHAINFERENCE_ERROR__INVALID_INSTRUCTIONS_SYSVAR,
    );
  });

  it("the Instructions sysvar passed writable is demoted by the runtime: the settle lands", async () => {
    const s = await openSession(t, A);
    const ix = settleIx(s);
    const accounts = ix.accounts!.map((m, i) => (i === 4 ? { ...m, role: AccountRole.WRITABLE } : m));
    await settle(s, [verifyInstruction(s.key, voucherOf(s, 1_000n)), { ...ix, accounts }]);
    expect(readSession(t, s.address).settled).toBe(1_000n);
  });
});
