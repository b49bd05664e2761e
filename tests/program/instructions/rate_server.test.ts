/**
 * `rate_server`: happy paths.
 * Shared setup (fresh chain, market, helpers): tests/program/fixtures/lifecycle.ts.
 */
import { describe, expect, it } from "vitest";
import { complete, lock, rateInstruction, readResponse, responsePda, stream } from "../../helpers/lifecycle";
import { lamportDelta } from "../../helpers/lamports";
import { fundedSigner } from "../../helpers/svm";
import { t, market, ledger, server, counters, open, target, useLifecycleFixture } from "../fixtures/lifecycle";

useLifecycleFixture();

describe("rate_server", () => {
  it("records one rating per completed response, weighted by its cost: rating_sum += rating × cost, rating_count += cost", async () => {
    // Given two completed requests of the same client, 10 tokens in + 10 out: 10,000 + 30,000 = 40,000 lamports each
    const client = await fundedSigner(t.svm);
    const ratings = [5, 2];
    for (const rating of ratings) {
      const req = await open({}, { client });
      await lock(ledger, market, req.address, server);
      await stream(ledger, server, req.address, [64]);
      await complete(ledger, market, server, target(req), 10, 10);
      const [response] = await responsePda(req.address);
      // When the client rates each
      const report = await ledger.send(rateInstruction(client, response, server.server, rating), { feePayer: client });
      // Then the response is marked rated and nothing moved but the fee
      expect(readResponse(t, response).rated).toBe(true);
      expect(lamportDelta(report, client.address)).toBe(-report.fee);
    }
    // And the server's counters add up: (5 + 2) × 40,000 over 80,000 rated lamports (average 3.5). The fee of each
    // (4,000) is below MIN_COUNTED_FEE, so neither counts as a completion
    expect(counters(server.server)).toMatchObject({ ratingSum: 280_000n, ratingCount: 80_000n, completed: 0n });
  });

  it("a zero-cost completion's rating counts for nothing; a 100,000-lamport one counts once and weighs 100,000", async () => {
    const client = await fundedSigner(t.svm);
    for (const [tokensIn, rating] of [
      [0, 1],
      [100, 4],
    ] as const) {
      const req = await open({}, { client });
      await lock(ledger, market, req.address, server);
      await stream(ledger, server, req.address, [64]);
      await complete(ledger, market, server, target(req), tokensIn, 0);
      const [response] = await responsePda(req.address);
      await ledger.send(rateInstruction(client, response, server.server, rating), { feePayer: client });
    }
    // 100 tokens in × 1,000 = 100,000 lamports, fee 10,000 = MIN_COUNTED_FEE: one counted completion
    expect(counters(server.server)).toMatchObject({ ratingSum: 400_000n, ratingCount: 100_000n, completed: 1n });
  });
});
