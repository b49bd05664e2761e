/**
 * `lock_request`: happy paths.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/lifecycle.ts.
 */
import { describe, expect, it } from "vitest";
import { RequestStatus, getUpdateServerInstructionAsync } from "../../../clients/js/src/generated";
import { readServer, registerServer, x25519Key } from "../../helpers/fixtures";
import { PRICED_MODEL, allowed, lock, readRequest } from "../../helpers/lifecycle";
import { lamportDelta } from "../../helpers/lamports";
import { currentSlot, warpSlots } from "../../helpers/svm";
import { t, market, ledger, server, counters, ZERO_COUNTERS, open, useLifecycleFixture } from "../fixtures/lifecycle";

useLifecycleFixture();

describe("lock_request", () => {
  it("locks to the server at its prices, snapshotting its key; active_locks += 1", async () => {
    // Given an Open request and a registered server with no history
    const req = await open({ responseTimeout: 300n });
    expect(counters(server.server)).toEqual(ZERO_COUNTERS);
    warpSlots(t.svm, 5n);
    const now = currentSlot(t.svm);

    // When the server's operator locks it
    const report = await lock(ledger, market, req.address, server);

    // Then the request is Locked by the server at the model's prices, deadline = lock + timeout
    expect(readRequest(t, req.address)).toMatchObject({
      status: RequestStatus.Locked,
      lockedBy: server.server,
      lockedKeyEpoch: 0,
      lockedPriceIn: PRICED_MODEL.priceIn,
      lockedPriceOut: PRICED_MODEL.priceOut,
      lockSlot: now,
      deadlineSlot: now + 300n,
    });
    expect(new Uint8Array(readRequest(t, req.address).lockedKey)).toEqual(x25519Key());
    // And the server holds one active lock
    expect(counters(server.server)).toEqual({ ...ZERO_COUNTERS, activeLocks: 1 });
    expect(readServer(t, server.server).lastActiveSlot).toBe(now);
    // And no lamports moved but the fee
    expect(lamportDelta(report, req.address)).toBe(0n);
    expect(lamportDelta(report, server.operator.address)).toBe(-report.fee);
  });

  it("lets an allow-listed server lock and snapshots its rotated key and epoch", async () => {
    // Given server 1 rotated its key (epoch 1) and is on the allow-list
    const other = market.servers[1]!;
    await ledger.send(
      await getUpdateServerInstructionAsync({
        operator: other.operator,
        x25519Key: x25519Key(42),
        endpoint: "",
        active: true,
        models: [PRICED_MODEL],
      }),
      { feePayer: other.operator },
    );
    const req = await open({ allowed: [allowed(other.server, 1)] });
    // When it locks with that key
    await lock(ledger, market, req.address, other, x25519Key(42));
    // Then its current key and epoch are recorded
    const r = readRequest(t, req.address);
    expect(r).toMatchObject({ lockedBy: other.server, lockedKeyEpoch: 1 });
    expect(new Uint8Array(r.lockedKey)).toEqual(x25519Key(42));
  });

  it("locks at the first entry within the client's maxima (a pinned revision picks only that revision)", async () => {
    // Given a server offering the model twice: an expensive main revision, then a cheap v2
    const reg = await registerServer(t, {
      models: [
        { ...PRICED_MODEL, revision: "main", priceIn: 5_000n, priceOut: 5_000n },
        { ...PRICED_MODEL, revision: "v2", priceIn: 100n, priceOut: 200n },
      ],
    });
    // When an unpinned request with maxima 1,000 / 1,000 is locked: the first affordable entry is v2
    const unpinned = await open({ maxPriceIn: 1_000n, maxPriceOut: 1_000n });
    await lock(ledger, market, unpinned.address, reg);
    expect(readRequest(t, unpinned.address)).toMatchObject({ lockedPriceIn: 100n, lockedPriceOut: 200n });
    // When a request pinned to "main" with maxima 10,000 is locked: the main entry's prices
    const pinned = await open({ revision: "main", maxPriceIn: 10_000n, maxPriceOut: 10_000n });
    await lock(ledger, market, pinned.address, reg);
    expect(readRequest(t, pinned.address)).toMatchObject({ lockedPriceIn: 5_000n, lockedPriceOut: 5_000n });
    expect(readServer(t, reg.server).activeLocks).toBe(2);
  });
});
