/**
 * `open_session`: happy paths.
 * Shared setup (fresh chain, market, ledger checked in afterEach): tests/program/fixtures/lifecycle.ts.
 */
import { describe, expect, it } from "vitest";
import { SessionStatus } from "../../../clients/js/src/generated";
import { x25519Key } from "../../helpers/fixtures";
import { PRICED_MODEL } from "../../helpers/lifecycle";
import { lamportDelta } from "../../helpers/lamports";
import {
  DEFAULT_DEPOSIT,
  DEFAULT_GRACE,
  OPEN_SLOT_WINDOW,
  SESSION_SIZE,
  openSession,
  readSession,
  sessionKey,
  sessionPda,
} from "../../helpers/sessions";
import { balanceOf, currentSlot, fundedSigner, rentExempt, warpSlots } from "../../helpers/svm";
import { systemTransfer } from "../../helpers/instructions";
import { t, market, ledger, server, useLifecycleFixture } from "../fixtures/lifecycle";
import { readServer } from "../../helpers/fixtures";

useLifecycleFixture();

describe("open_session", () => {
  it("escrows rent + deposit in the Session and snapshots prices, fee, shard, key epoch and operator", async () => {
    // Given a registered server offering the priced model, at slot 1,000
    warpSlots(t.svm, 1_000n);
    const now = currentSlot(t.svm);
    const serverBefore = readServer(t, server.server);

    // When a client opens a session at the current slot with a 0.05 SOL deposit
    const s = await openSession(t, server, { expirySlot: now + 5_000n }, { sender: ledger });

    // Then the session holds exactly rent + deposit, paid by the client (plus the fee)
    const rent = rentExempt(t.svm, SESSION_SIZE);
    expect(balanceOf(t.svm, s.address)).toBe(rent + DEFAULT_DEPOSIT);
    expect(lamportDelta(s.report, s.client.address)).toBe(-(rent + DEFAULT_DEPOSIT) - s.report.fee);
    expect(s.report.fee).toBe(5_000n);
    // And the account records every snapshot
    const session = readSession(t, s.address);
    expect(session).toMatchObject({
      status: SessionStatus.Open,
      client: s.client.address,
      server: server.server,
      operator: server.operator.address,
      voucherSigner: s.key.address,
      model: PRICED_MODEL.hfId,
      revision: "",
      feeBps: 1_000,
      feeShard: Number(now % 16n),
      keyEpoch: 0,
      priceIn: PRICED_MODEL.priceIn,
      priceOut: PRICED_MODEL.priceOut,
      deposit: DEFAULT_DEPOSIT,
      settled: 0n,
      settledTokens: 0n,
      settledAnswers: 0,
      openSlot: now,
      expirySlot: now + 5_000n,
      graceSlots: DEFAULT_GRACE,
      closeRequestedSlot: 0n,
    });
    expect(session.bump).toBe((await sessionPda(s.client.address, server.server, now))[1]);
    // And the server account is only read
    expect(readServer(t, server.server)).toEqual(serverBefore);
  });

  it("accepts an open slot up to OPEN_SLOT_WINDOW old, and a session address someone pre-funded", async () => {
    // Given the clock 500 slots in and an open slot exactly 150 slots old, whose address holds a donation
    warpSlots(t.svm, 500n);
    const openSlot = currentSlot(t.svm) - OPEN_SLOT_WINDOW;
    const client = await fundedSigner(t.svm);
    const [address] = await sessionPda(client.address, server.server, openSlot);
    const donor = await fundedSigner(t.svm);
    await ledger.send(systemTransfer(donor, address, rentExempt(t.svm, 0)), { feePayer: donor });
    // When the client opens there
    const s = await openSession(t, server, {}, { client, openSlot, sender: ledger });
    // Then the session holds rent + deposit (the shortfall was transferred; the donation stays)
    expect(s.address).toBe(address);
    expect(balanceOf(t.svm, address)).toBe(rentExempt(t.svm, SESSION_SIZE) + DEFAULT_DEPOSIT);
    expect(readSession(t, address).openSlot).toBe(openSlot);
  });

  it("picks the first entry within the client's maxima and records a pinned revision and a rotated key epoch", async () => {
    // Given server 1 offering the model at main (expensive) then v2 (cheap), after a key rotation
    const other = market.servers[1]!;
    const { getUpdateServerInstructionAsync } = await import("../../../clients/js/src/generated");
    await ledger.send(
      await getUpdateServerInstructionAsync({
        operator: other.operator,
        x25519Key: x25519Key(42),
        endpoint: "",
        active: true,
        models: [
          { ...PRICED_MODEL, revision: "main", priceIn: 5_000n, priceOut: 5_000n },
          { ...PRICED_MODEL, revision: "v2", priceIn: 100n, priceOut: 200n },
        ],
      }),
      { feePayer: other.operator },
    );
    // When an unpinned session with maxima 1,000 opens, and one pinned to main with maxima 10,000
    const cheap = await openSession(t, other, { maxPriceIn: 1_000n, maxPriceOut: 1_000n }, { sender: ledger });
    const pinned = await openSession(t, other, { revision: "main", maxPriceIn: 10_000n, maxPriceOut: 10_000n }, { sender: ledger });
    // Then each snapshots its entry's prices and the key epoch 1
    expect(readSession(t, cheap.address)).toMatchObject({ priceIn: 100n, priceOut: 200n, keyEpoch: 1, revision: "" });
    expect(readSession(t, pinned.address)).toMatchObject({ priceIn: 5_000n, priceOut: 5_000n, keyEpoch: 1, revision: "main" });
  });

  it("lets one client hold several sessions with one server (one per open slot)", async () => {
    const client = await fundedSigner(t.svm);
    const key = sessionKey();
    const a = await openSession(t, server, {}, { client, key, sender: ledger });
    warpSlots(t.svm, 1n);
    const b = await openSession(t, server, {}, { client, key, sender: ledger });
    expect(a.address).not.toBe(b.address);
    expect(readSession(t, b.address).openSlot).toBe(a.openSlot + 1n);
  });
});
