/**
 * `deposit_bond`: the operator's lamports move into its Server and `bond` grows by exactly them.
 * Shared setup: tests/program/fixtures/bond.ts.
 */
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__OPERATOR_MISMATCH,
  CHAINFERENCE_ERROR__ZERO_BOND_AMOUNT,
  getDepositBondInstruction,
} from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { depositBond, readServer, serverSize } from "../../helpers/fixtures";
import { lamportDelta } from "../../helpers/lamports";
import { balanceOf, rentExempt, send } from "../../helpers/svm";
import { BOND, bondOf, server, t, unbonded, useBondFixture } from "../fixtures/bond";

useBondFixture();

describe("deposit_bond", () => {
  it("moves the amount from the operator into the server and adds it to bond", async () => {
    // Given a registered server with no bond, holding exactly its rent-exempt minimum
    const size = serverSize(readServer(t, unbonded.server).modelCount);
    expect(balanceOf(t.svm, unbonded.server)).toBe(rentExempt(t.svm, size));
    // When its operator deposits 1,234,567 lamports
    const report = await depositBond(t, unbonded, 1_234_567n);
    // Then the server holds rent + bond, and the operator paid the bond and the fee
    expect(lamportDelta(report, unbonded.server)).toBe(1_234_567n);
    expect(lamportDelta(report, unbonded.operator.address)).toBe(-1_234_567n - report.fee);
    expect(bondOf(unbonded)).toBe(1_234_567n);
    expect(balanceOf(t.svm, unbonded.server)).toBe(rentExempt(t.svm, size) + 1_234_567n);
  });

  it("adds to an existing bond", async () => {
    await depositBond(t, server, 5n);
    expect(bondOf(server)).toBe(BOND.minBond + 5n);
  });

  it("a zero deposit → ZeroBondAmount", async () => {
    await expectProgramError(depositBond(t, server, 0n), CHAINFERENCE_ERROR__ZERO_BOND_AMOUNT);
  });

  it("deposit into another operator's server → OperatorMismatch", async () => {
    // Given operator U signing for server S's account
    const ix = getDepositBondInstruction({ operator: unbonded.operator, server: server.server, amount: 1n });
    await expectProgramError(send(t, ix, { feePayer: unbonded.operator }), CHAINFERENCE_ERROR__OPERATOR_MISMATCH);
  });
});
