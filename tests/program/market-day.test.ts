/**
 * `a market day (every instruction, counters after each step)`: happy paths.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/lifecycle.ts.
 */
import { afterEach, describe, expect, it } from "vitest";
import {
  CHAINFERENCE_ERROR__NOT_ENOUGH_COMPLETED,
  getCloseServerInstructionAsync,
  getWithdrawFeesInstructionAsync,
} from "../../clients/js/src/generated";
import { expectProgramError } from "../helpers/errors";
import { DEFAULT_LIMITS, type RegisteredServer } from "../helpers/fixtures";
import {
  DEFAULT_REQUEST,
  MAX_CHUNK_IN_TX,
  PRICED_MODEL,
  accountExists,
  cancelInstruction,
  closeResponseInstruction,
  complete,
  expireInstruction,
  lock,
  rateInstruction,
  responsePda,
  settlement,
  stream,
} from "../helpers/lifecycle";
import { lamportDelta } from "../helpers/lamports";
import { LAMPORTS_PER_SOL, fundedSigner, setSystemAccount, warpSlots } from "../helpers/svm";
import { t, market, ledger, server, counters, ZERO_COUNTERS, open, answered, target, useLifecycleFixture } from "./fixtures/lifecycle";

useLifecycleFixture();

describe("a market day (every instruction, counters after each step)", () => {
  it("keeps the reputation counters and every balance exact through a mixed scenario", async () => {
    // Given two servers and three clients
    const [a, b] = market.servers as [RegisteredServer, RegisteredServer];
    const clients = [await fundedSigner(t.svm), await fundedSigner(t.svm), await fundedSigner(t.svm)];
    ledger.track(...clients.map((c) => c.address), a.operator.address, b.operator.address, a.server, b.server);
    ledger.track(...market.cfg.feeVaults);
    const expectA = { ...ZERO_COUNTERS };
    const expectB = { ...ZERO_COUNTERS };
    const check = () => {
      expect(counters(a.server)).toEqual(expectA);
      expect(counters(b.server)).toEqual(expectB);
    };

    // 1. Client 0's request is locked by A, answered and completed, then rated 4
    const r1 = await open({}, { client: clients[0]! });
    await lock(ledger, market, r1.address, a);
    expectA.activeLocks = 1;
    check();
    await stream(ledger, a, r1.address, [300, 200], { reserveBytes: 1_024 });
    check();
    await complete(ledger, market, a, target(r1), 100, 400);
    const s1 = settlement({
      stake: DEFAULT_REQUEST.stake,
      tokensIn: 100,
      tokensOut: 400,
      priceIn: PRICED_MODEL.priceIn,
      priceOut: PRICED_MODEL.priceOut,
      feeBps: DEFAULT_LIMITS.feeBps,
    });
    Object.assign(expectA, { activeLocks: 0, completed: 1n, tokensOut: 400n, lamportsEarned: s1.operatorShare });
    check();
    const [resp1] = await responsePda(r1.address);
    await ledger.send(rateInstruction(clients[0]!, resp1, a.server, 4), { feePayer: clients[0]! });
    Object.assign(expectA, { ratingSum: 4n * s1.cost, ratingCount: s1.cost }); // weighted by the lamports paid
    check();

    // 2. Client 1's request is locked by B, which goes silent: expired after the deadline
    const r2 = await open({ responseTimeout: 20n }, { client: clients[1]! });
    await lock(ledger, market, r2.address, b);
    expectB.activeLocks = 1;
    check();
    await stream(ledger, b, r2.address, [100], { final: false });
    warpSlots(t.svm, 21n);
    const [resp2] = await responsePda(r2.address);
    await ledger.send(
      expireInstruction({
        request: r2.address,
        client: clients[1]!.address,
        server: b.server,
        response: resp2,
        operator: b.operator.address,
      }),
      { feePayer: clients[2]! },
    );
    Object.assign(expectB, { activeLocks: 0, expired: 1n });
    check();

    // 3. Client 2 cancels one request and lets another lapse unlocked
    const r3 = await open({}, { client: clients[2]! });
    await ledger.send(cancelInstruction(clients[2]!, r3.address), { feePayer: clients[2]! });
    const r4 = await open({}, { client: clients[2]! });
    warpSlots(t.svm, DEFAULT_LIMITS.openRequestSlots + 1n);
    await ledger.send(expireInstruction({ request: r4.address, client: clients[2]!.address }), {
      feePayer: clients[2]!,
    });
    check();

    // 4. A requires-history request: only A (1 completed, 100 %, 4.0) qualifies; B is refused
    const r5 = await open({ minCompleted: 1n, minSuccessBps: 10_000, minAvgRating: 400 }, { client: clients[1]! });
    await expectProgramError(lock(ledger, market, r5.address, b), CHAINFERENCE_ERROR__NOT_ENOUGH_COMPLETED);
    await lock(ledger, market, r5.address, a);
    expectA.activeLocks = 1;
    check();
    await stream(ledger, a, r5.address, [MAX_CHUNK_IN_TX]);
    await complete(ledger, market, a, target(r5), 200, 800);
    const s5 = settlement({
      stake: DEFAULT_REQUEST.stake,
      tokensIn: 200,
      tokensOut: 800,
      priceIn: PRICED_MODEL.priceIn,
      priceOut: PRICED_MODEL.priceOut,
      feeBps: DEFAULT_LIMITS.feeBps,
    });
    Object.assign(expectA, {
      activeLocks: 0,
      completed: 2n,
      tokensOut: 1_200n,
      lamportsEarned: s1.operatorShare + s5.operatorShare,
    });
    check();

    // 5. The responses are closed (client now, stranger after grace), the fees withdrawn
    await ledger.send(closeResponseInstruction(clients[0]!, resp1, a.operator.address, market.cfg.config), {
      feePayer: clients[0]!,
    });
    warpSlots(t.svm, DEFAULT_LIMITS.closeGraceSlots + 1n);
    const [resp5] = await responsePda(r5.address);
    await ledger.send(closeResponseInstruction(clients[2]!, resp5, a.operator.address, market.cfg.config), {
      feePayer: clients[2]!,
    });
    setSystemAccount(t.svm, market.cfg.treasury, LAMPORTS_PER_SOL);
    const withdraw = await ledger.send(
      await getWithdrawFeesInstructionAsync({
        admin: market.cfg.admin,
        treasury: market.cfg.treasury,
        feeVaults: market.cfg.feeVaults,
      }),
      { feePayer: market.cfg.admin },
    );
    expect(lamportDelta(withdraw, market.cfg.treasury)).toBe(s1.fee + s5.fee);
    check();

    // Then no request or response account is left, and both servers can close
    for (const acc of [r1.address, r2.address, r3.address, r4.address, r5.address, resp1, resp2, resp5]) {
      expect(accountExists(t, acc)).toBe(false);
    }
    for (const s of [a, b]) {
      await ledger.send(await getCloseServerInstructionAsync({ operator: s.operator }), { feePayer: s.operator });
    }
    // And every wallet ends exactly where the settlements put it (checked by the ledger in afterEach)
  });
});
