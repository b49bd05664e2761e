/**
 * `withdraw_bond`: the bond leaves only with no lock held and after the cooldown (so a server cannot
 * flee a pending slash), never more than the bond; close_server refuses a server still bonded.
 * Shared setup: tests/program/fixtures/bond.ts.
 */
import { describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__BOND_AMOUNT_TOO_LARGE,
  CHAINFERENCE_ERROR__BOND_COOLDOWN,
  CHAINFERENCE_ERROR__BOND_LOCKED,
  CHAINFERENCE_ERROR__BOND_NOT_WITHDRAWN,
  CHAINFERENCE_ERROR__ZERO_BOND_AMOUNT,
  getCloseServerInstruction,
} from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { readServer, withdrawBond } from "../../helpers/fixtures";
import { lamportDelta } from "../../helpers/lamports";
import { expireInstruction } from "../../helpers/lifecycle";
import { balanceOf, send, warpSlots } from "../../helpers/svm";
import { BOND, bondOf, lockedRequest, server, t, useBondFixture } from "../fixtures/bond";

useBondFixture();

describe("withdraw_bond", () => {
  it("after the cooldown with no lock held, moves the amount to the operator", async () => {
    // Given a bonded server idle for the whole cooldown since registration
    warpSlots(t.svm, BOND.bondCooldownSlots);
    // When its operator withdraws 400,000 lamports
    const report = await withdrawBond(t, server, 400_000n);
    // Then exactly that moves from the server to the operator
    expect(lamportDelta(report, server.server)).toBe(-400_000n);
    expect(lamportDelta(report, server.operator.address)).toBe(400_000n - report.fee);
    expect(bondOf(server)).toBe(BOND.minBond - 400_000n);
  });

  it("bond flight before a slash: withdrawing while a lock is held → BondLocked, and the slash still lands", async () => {
    // Given a server that locked a request and will not answer it
    const req = await lockedRequest({ responseTimeout: 10n });
    warpSlots(t.svm, BOND.bondCooldownSlots + 11n);
    // When it tries to take its bond out before anyone expires the request
    await expectProgramError(withdrawBond(t, server, BOND.minBond), CHAINFERENCE_ERROR__BOND_LOCKED);
    // Then the bond is intact and the client's expire still takes the penalty from it
    expect(bondOf(server)).toBe(BOND.minBond);
    const report = await send(t, expireInstruction({ request: req.address, client: req.client.address, server: server.server }), {
      feePayer: req.client,
    });
    expect(lamportDelta(report, server.server)).toBe(-BOND.abandonPenalty);
    expect(bondOf(server)).toBe(BOND.minBond - BOND.abandonPenalty);
  });

  it("withdraw one slot before the cooldown since the last lock ends → BondCooldown; at the end it works", async () => {
    // Given a server whose last lock ended (expired) — the cooldown runs from the lock's slot
    const req = await lockedRequest({ responseTimeout: 10n });
    const lockSlot = readServer(t, server.server).lastActiveSlot;
    warpSlots(t.svm, 11n);
    await send(t, expireInstruction({ request: req.address, client: req.client.address, server: server.server }));
    const left = bondOf(server);
    // When it withdraws at lock slot + cooldown − 1
    const now = readServer(t, server.server).lastActiveSlot; // unchanged by expire
    expect(now).toBe(lockSlot);
    warpSlots(t.svm, BOND.bondCooldownSlots - 12n);
    await expectProgramError(withdrawBond(t, server, left), CHAINFERENCE_ERROR__BOND_COOLDOWN);
    // Then one slot later the rest of the bond comes out
    warpSlots(t.svm, 1n);
    const report = await withdrawBond(t, server, left);
    expect(lamportDelta(report, server.operator.address)).toBe(left - report.fee);
    expect(bondOf(server)).toBe(0n);
  });

  it("withdraw more than the bond → BondAmountTooLarge (the rent stays)", async () => {
    warpSlots(t.svm, BOND.bondCooldownSlots);
    await expectProgramError(withdrawBond(t, server, BOND.minBond + 1n), CHAINFERENCE_ERROR__BOND_AMOUNT_TOO_LARGE);
  });

  it("a zero withdrawal → ZeroBondAmount", async () => {
    warpSlots(t.svm, BOND.bondCooldownSlots);
    await expectProgramError(withdrawBond(t, server, 0n), CHAINFERENCE_ERROR__ZERO_BOND_AMOUNT);
  });

  it("bond flight by closing the server → BondNotWithdrawn; after withdrawing, close returns only the rent", async () => {
    // Given a bonded server with no lock
    const close = getCloseServerInstruction({ operator: server.operator, server: server.server });
    // When it closes without withdrawing / Then refused
    await expectProgramError(send(t, close, { feePayer: server.operator }), CHAINFERENCE_ERROR__BOND_NOT_WITHDRAWN);
    // And after the cooldown and a full withdrawal the close works
    warpSlots(t.svm, BOND.bondCooldownSlots);
    await withdrawBond(t, server, BOND.minBond);
    const rent = balanceOf(t.svm, server.server);
    const report = await send(t, close, { feePayer: server.operator });
    expect(lamportDelta(report, server.operator.address)).toBe(rent - report.fee);
  });
});
