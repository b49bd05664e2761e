/**
 * `lock_request` and `expire_request` with a bond: lock-and-abandon costs the server the abandon
 * penalty per lock and leaves the client better off than before it posted; a server below the
 * minimum bond, or whose bond does not cover every lock it would hold, cannot lock.
 * Shared setup: tests/program/fixtures/bond.ts.
 */
import { describe, expect, it } from "vitest";
import { CHAINFERENCE_ERROR__BOND_BELOW_LOCK_COVER, CHAINFERENCE_ERROR__BOND_BELOW_MINIMUM } from "../../../clients/js/src/generated";
import { expectProgramError } from "../../helpers/errors";
import { depositBond, readServer } from "../../helpers/fixtures";
import { lamportDelta } from "../../helpers/lamports";
import { createRequestInstruction, expireInstruction, freshNonce, lock, lockInstruction, requestPda } from "../../helpers/lifecycle";
import { balanceOf, fundedSigner, send, warpSlots } from "../../helpers/svm";
import { BOND, bondOf, ledger, lockedRequest, market, open, server, setBondValues, t, unbonded, useBondFixture } from "../fixtures/bond";

useBondFixture();

describe("lock_request and expire_request with a bond", () => {
  it("a server with no bond locks → BondBelowMinimum", async () => {
    const req = await open();
    await expectProgramError(lock(ledger, market, req.address, unbonded), CHAINFERENCE_ERROR__BOND_BELOW_MINIMUM);
  });

  it("a server one lamport below the minimum locks → BondBelowMinimum; at the minimum it locks", async () => {
    await depositBond(t, unbonded, BOND.minBond - 1n);
    const req = await open();
    await expectProgramError(lock(ledger, market, req.address, unbonded), CHAINFERENCE_ERROR__BOND_BELOW_MINIMUM);
    await depositBond(t, unbonded, 1n);
    await lock(ledger, market, req.address, unbonded);
    expect(readServer(t, unbonded.server).activeLocks).toBe(1);
  });

  it("lock and abandon: the server loses the penalty + its lock fee, the client ends up better off than before it posted", async () => {
    // Given a client that posts a request (one create_request transaction)
    const client = await fundedSigner(t.svm);
    const before = balanceOf(t.svm, client.address);
    const nonce = freshNonce();
    const [request] = await requestPda(client.address, nonce);
    await send(t, await createRequestInstruction(client, nonce, { responseTimeout: 10n }), { feePayer: client });
    // When the server locks it and never answers
    const operatorBefore = balanceOf(t.svm, server.operator.address) + bondOf(server);
    const locked = await send(t, lockInstruction(server.operator, server.server, request, market.cfg.config), {
      feePayer: server.operator,
    });
    warpSlots(t.svm, 11n);
    // And the client expires it (paying that transaction's fee)
    const expired = await send(t, expireInstruction({ request, client: client.address, server: server.server }), { feePayer: client });
    // Then the penalty moved from the bond to the client
    expect(lamportDelta(expired, server.server)).toBe(-BOND.abandonPenalty);
    expect(bondOf(server)).toBe(BOND.minBond - BOND.abandonPenalty);
    // The attacker lost penalty + lock fee (20,000 + 5,000): lamports it cannot recover
    const operatorAfter = balanceOf(t.svm, server.operator.address) + bondOf(server);
    expect(operatorBefore - operatorAfter).toBe(BOND.abandonPenalty + locked.fee);
    expect(operatorBefore - operatorAfter).toBe(25_000n);
    // The client, from posting to refund, paid two fees (10,000) and got the penalty (20,000): +10,000
    expect(balanceOf(t.svm, client.address) - before).toBe(BOND.abandonPenalty - 2n * 5_000n);
    expect(balanceOf(t.svm, client.address) - before).toBe(10_000n);
    // And the abandon counts against the server's volume success rate
    const s = readServer(t, server.server);
    expect([s.expired, s.expiredVolume, s.activeLocks]).toEqual([1n, 10_000_000n, 0]);
  });

  it("repeated abandon inside one transaction: three locks, three penalties, bond down by exactly 60,000", async () => {
    // Given three requests
    const reqs = [await open({ responseTimeout: 10n }), await open({ responseTimeout: 10n }), await open({ responseTimeout: 10n })];
    // When the server locks all three in one transaction and abandons them
    await send(
      t,
      reqs.map((r) => lockInstruction(server.operator, server.server, r.address, market.cfg.config)),
      { feePayer: server.operator },
    );
    warpSlots(t.svm, 11n);
    for (const r of reqs) {
      const report = await send(t, expireInstruction({ request: r.address, client: r.client.address, server: server.server }), {
        feePayer: r.client,
      });
      // Each client: the whole request account (stake + rent) back, plus the penalty, minus its fee
      const held = report.before.get(r.address)!;
      expect(lamportDelta(report, r.client.address)).toBe(held + BOND.abandonPenalty - report.fee);
    }
    // Then each client got the penalty and the bond lost 3 × 20,000
    expect(bondOf(server)).toBe(BOND.minBond - 3n * BOND.abandonPenalty);
    // And now below the minimum the server cannot lock again
    const next = await open();
    await expectProgramError(lock(ledger, market, next.address, server), CHAINFERENCE_ERROR__BOND_BELOW_MINIMUM);
  });

  it("more locks than the bond covers in one transaction → BondBelowLockCover, none of them lands", async () => {
    // Given a penalty of half the minimum bond: a bond at the minimum covers two locks
    await setBondValues({ abandonPenalty: BOND.minBond / 2n });
    const reqs = [await open(), await open(), await open()];
    // When the server locks three in one transaction / Then the third fails and the transaction reverts
    await expectProgramError(
      send(
        t,
        reqs.map((r) => lockInstruction(server.operator, server.server, r.address, market.cfg.config)),
        { feePayer: server.operator },
      ),
      CHAINFERENCE_ERROR__BOND_BELOW_LOCK_COVER,
    );
    expect(readServer(t, server.server).activeLocks).toBe(0);
    // And two lock fine
    await send(
      t,
      reqs.slice(0, 2).map((r) => lockInstruction(server.operator, server.server, r.address, market.cfg.config)),
      { feePayer: server.operator },
    );
    expect(readServer(t, server.server).activeLocks).toBe(2);
  });

  it("a penalty raised above what is left: expire takes only what the bond holds, never the rent", async () => {
    // Given a lock, then the admin raises the penalty above the bond
    const req = await lockedRequest({ responseTimeout: 10n });
    await depositBond(t, server, 1n); // bond = min + 1
    await setBondValues({ minBond: 3_000_000n, abandonPenalty: 3_000_000n });
    warpSlots(t.svm, 11n);
    const rentAndBond = balanceOf(t.svm, server.server);
    // When it expires
    const report = await send(t, expireInstruction({ request: req.address, client: req.client.address, server: server.server }));
    // Then the whole bond (1,000,001) moved and the server keeps its rent
    expect(lamportDelta(report, server.server)).toBe(-(BOND.minBond + 1n));
    expect(balanceOf(t.svm, server.server)).toBe(rentAndBond - BOND.minBond - 1n);
    expect(bondOf(server)).toBe(0n);
  });
});
