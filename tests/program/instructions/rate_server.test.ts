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
  it("records one rating per completed response: rating_sum and rating_count grow", async () => {
    // Given two completed requests of the same client
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
    // And the server's counters add up
    expect(counters(server.server)).toMatchObject({ ratingSum: 7n, ratingCount: 2n, completed: 2n });
  });
});
