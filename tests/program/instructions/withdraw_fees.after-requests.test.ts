/**
 * `withdraw_fees`: happy paths.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/lifecycle.ts.
 */
import { describe, expect, it } from "vitest";
import { getWithdrawFeesInstructionAsync } from "../../../clients/js/src/generated";
import { DEFAULT_LIMITS, FEE_VAULT_SIZE } from "../../helpers/fixtures";
import { DEFAULT_REQUEST, PRICED_MODEL, complete, feeShardOf, settlement } from "../../helpers/lifecycle";
import { lamportDelta } from "../../helpers/lamports";
import { LAMPORTS_PER_SOL, balanceOf, rentExempt, setSystemAccount } from "../../helpers/svm";
import { t, market, ledger, server, answered, target, useLifecycleFixture } from "../fixtures/lifecycle";

useLifecycleFixture();

describe("withdraw_fees", () => {
  it("sweeps the fees of settlements in several shards into the treasury", async () => {
    // Given settled requests in shards 3, 3 and 12
    setSystemAccount(t.svm, market.cfg.treasury, LAMPORTS_PER_SOL);
    let fees = 0n;
    for (const [nonce, tokensOut] of [
      [16n * 2_000n + 3n, 100],
      [16n * 2_001n + 3n, 50],
      [16n * 2_002n + 12n, 10],
    ] as const) {
      const { req } = await answered([200], {}, nonce);
      const report = await complete(ledger, market, server, target(req), 20, tokensOut);
      fees += lamportDelta(report, market.cfg.feeVaults[feeShardOf(nonce)]!);
    }
    expect(fees).toBe(
      [100, 50, 10].reduce(
        (sum, out) =>
          sum +
          settlement({
            stake: DEFAULT_REQUEST.stake,
            tokensIn: 20,
            tokensOut: out,
            priceIn: PRICED_MODEL.priceIn,
            priceOut: PRICED_MODEL.priceOut,
            feeBps: DEFAULT_LIMITS.feeBps,
          }).fee,
        0n,
      ),
    );
    // When the admin withdraws from every vault
    const report = await ledger.send(
      await getWithdrawFeesInstructionAsync({
        admin: market.cfg.admin,
        treasury: market.cfg.treasury,
        feeVaults: market.cfg.feeVaults,
      }),
      { feePayer: market.cfg.admin },
    );
    // Then the treasury received exactly the fees and the vaults are back at their rent minimum
    expect(lamportDelta(report, market.cfg.treasury)).toBe(fees);
    for (const v of market.cfg.feeVaults) expect(balanceOf(t.svm, v)).toBe(rentExempt(t.svm, FEE_VAULT_SIZE));
  });
});
