/**
 * The harness itself: the real .so is loaded, fees are what `send` accounts for, failures expose the
 * exact custom code, and the clock warps.
 */
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { CHAINFERENCE_ERROR__INVALID_INSTRUCTION } from "../../clients/js/src/generated";
import { expectProgramError } from "../helpers/errors";
import { findUnresolvedCalls } from "../helpers/elf";
import { systemTransfer } from "../helpers/instructions";
import { expectLamportsConserved, expectOnlyFeeCharged, lamportDelta } from "../helpers/lamports";
import {
  LAMPORTS_PER_SIGNATURE,
  PROGRAM_ADDRESS,
  PROGRAM_SO,
  TransactionFailedError,
  createTestSvm,
  currentSlot,
  freshAddress,
  fundedSigner,
  send,
  warpSlots,
} from "../helpers/svm";

describe("test harness", () => {
  it("loads the real program as an executable account", async () => {
    // Given / When a test chain
    const t = await createTestSvm();
    // Then the program account is executable
    const account = t.svm.getAccount(PROGRAM_ADDRESS);
    expect(account.exists && account.executable).toBe(true);
  });

  it("has no call instruction the linker left unresolved", () => {
    // Given the program binary
    const elf = readFileSync(PROGRAM_SO);
    // When its call instructions are checked against its relocations
    const unresolved = findUnresolvedCalls(elf).map((a) => `0x${a.toString(16)}`);
    // Then every `call -1` is a relocated syscall (an unresolved one crashes the VM when reached)
    expect(unresolved, `unresolved calls at ${unresolved.join(", ")}`).toEqual([]);
  });

  it("charges exactly 5,000 lamports per signature on a landed transaction", async () => {
    // Given a transfer signed by the fee payer and a second signer
    const t = await createTestSvm();
    const from = await fundedSigner(t.svm);
    const to = await freshAddress();
    // When it lands
    const report = expectLamportsConserved(await send(t, systemTransfer(from, to, 1_000_000n)));
    // Then the fee is 2 × 5,000, paid by the fee payer only
    expect(report.fee).toBe(2n * LAMPORTS_PER_SIGNATURE);
    expect(lamportDelta(report, t.payer.address)).toBe(-report.fee);
    expect(lamportDelta(report, from.address)).toBe(-1_000_000n);
    expect(lamportDelta(report, to)).toBe(1_000_000n);
  });

  it("charges the fee on a failed transaction and rolls back everything else", async () => {
    // Given a transfer of more lamports than the sender has
    const t = await createTestSvm();
    const from = await fundedSigner(t.svm, 1_000_000n);
    // When it fails
    const error = await send(t, systemTransfer(from, await freshAddress(), 2_000_000n)).catch((e: unknown) => e);
    // Then the system program's custom error is exposed and only the fee moved
    expect(error).toBeInstanceOf(TransactionFailedError);
    const failed = error as TransactionFailedError;
    expect(failed.customCode).toBe(1); // SystemError::ResultWithNegativeLamports
    expect(failed.instructionIndex).toBe(0);
    expect(failed.report.fee).toBe(2n * LAMPORTS_PER_SIGNATURE);
    expectOnlyFeeCharged(failed.report);
  });

  it("exposes the program's custom error code", async () => {
    // Given an unknown instruction discriminator
    const t = await createTestSvm();
    // When / Then
    const error = await expectProgramError(
      send(t, { programAddress: PROGRAM_ADDRESS, accounts: [], data: new Uint8Array([255]) }),
      CHAINFERENCE_ERROR__INVALID_INSTRUCTION,
    );
    expect(error.report.computeUnits).toBeGreaterThan(0n);
  });

  it("sends two identical transactions back to back (the blockhash expires between sends)", async () => {
    // Given the same transfer twice
    const t = await createTestSvm();
    const to = await freshAddress();
    // When both are sent
    await send(t, systemTransfer(t.payer, to, 1_000_000n));
    await send(t, systemTransfer(t.payer, to, 1_000_000n));
    // Then both landed
    expect(t.svm.getBalance(to)).toBe(2_000_000n);
  });

  it("warps the clock forward", async () => {
    // Given the current slot
    const t = await createTestSvm();
    const start = currentSlot(t.svm);
    // When warping 1,000 slots
    warpSlots(t.svm, 1_000n);
    // Then the Clock sysvar follows
    expect(currentSlot(t.svm)).toBe(start + 1_000n);
  });
});
