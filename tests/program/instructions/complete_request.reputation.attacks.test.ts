/**
 * Reputation that costs real money to fake: one wallet acting as client and server loops create →
 * lock → final chunk → complete → rate → close (two transactions per loop: append_response takes the
 * Server read-only, lock and complete write it, so the chunk cannot share their transaction). Zero-cost and 1-lamport
 * completions (and their ratings) count for nothing; a counted completion costs the 10,000-lamport
 * fee the self-dealer cannot recover. Exact lamport sums.
 */
import type { KeyPairSigner } from "@solana/kit";
import { beforeEach, describe, expect, it } from "vitest";
import { model, readServer, registerServer, type RegisteredServer } from "../../helpers/fixtures";
import {
  appendResponseInstruction,
  chunk,
  closeResponseInstruction,
  completeInstruction,
  createRequestInstruction,
  feeShardOf,
  freshNonce,
  lockInstruction,
  PRICED_MODEL,
  rateInstruction,
  requestPda,
  responsePda,
  setupMarket,
  type Market,
} from "../../helpers/lifecycle";
import { balanceOf, createTestSvm, fundedSigner, send, type TestSvm } from "../../helpers/svm";

let t: TestSvm;
let market: Market;
let self: KeyPairSigner;
let server: RegisteredServer;

/** A model at 1,001 / 2,001 lamports per million tokens: one prompt token costs 1 lamport. */
const CHEAP = model(1);

beforeEach(async () => {
  t = await createTestSvm();
  market = await setupMarket(t, { servers: 0 });
  self = await fundedSigner(t.svm);
  server = await registerServer(t, { models: [PRICED_MODEL, CHEAP] }, self);
});

/** One self-dealt answer: the wallet is client, operator and fee payer. Returns the fees paid. */
async function selfDeal(tokensIn: number, rating: number, hfId = PRICED_MODEL.hfId): Promise<bigint> {
  const nonce = freshNonce();
  const [request] = await requestPda(self.address, nonce);
  const [response] = await responsePda(request);
  const prompt = new Uint8Array(100).fill(1);
  const posted = await send(
    t,
    [
      await createRequestInstruction(self, nonce, { model: hfId, stake: 200_000n, promptLen: 100, prompt }),
      lockInstruction(self, server.server, request, market.cfg.config),
    ],
    { feePayer: self },
  );
  const streamed = await send(
    t,
    await appendResponseInstruction(self, server.server, request, { chunkIndex: 0, isFinal: true, ciphertext: chunk(41) }),
    { feePayer: self },
  );
  const settled = await send(
    t,
    [
      completeInstruction({
        operator: self,
        server: server.server,
        request,
        response,
        client: self.address,
        feeVault: market.cfg.feeVaults[feeShardOf(nonce)]!,
        tokensIn,
        tokensOut: 0,
      }),
      rateInstruction(self, response, server.server, rating),
      closeResponseInstruction(self, response, self.address, market.cfg.config),
    ],
    { feePayer: self },
  );
  return posted.fee + streamed.fee + settled.fee;
}

const reputation = () => {
  const s = readServer(t, server.server);
  return { completed: s.completed, paidVolume: s.paidVolume, ratingSum: s.ratingSum, ratingCount: s.ratingCount };
};

describe("self-dealing reputation attacks", () => {
  it("zero-cost completion rated 5: counts for nothing, costs the three transaction fees (15,000)", async () => {
    const before = balanceOf(t.svm, self.address);
    const fees = await selfDeal(0, 5);
    expect(reputation()).toEqual({ completed: 0n, paidVolume: 0n, ratingSum: 0n, ratingCount: 0n });
    expect(fees).toBe(15_000n);
    expect(before - balanceOf(t.svm, self.address)).toBe(15_000n); // rents came back, nothing was shown
  });

  it("1-lamport completions rated 5: paid volume and rating weight of 1 lamport each, never a counted completion", async () => {
    for (let i = 0; i < 3; i++) await selfDeal(1, 5, CHEAP.hfId);
    expect(reputation()).toEqual({ completed: 0n, paidVolume: 3n, ratingSum: 15n, ratingCount: 3n });
  });

  it("a counted fake completion costs the 10,000-lamport protocol fee the faker cannot recover (+ the transaction fee)", async () => {
    // 100 prompt tokens at 1,000 lamports: cost 100,000, fee 10,000 = MIN_COUNTED_FEE
    const before = balanceOf(t.svm, self.address);
    const fees = await selfDeal(100, 5);
    expect(reputation()).toEqual({ completed: 1n, paidVolume: 100_000n, ratingSum: 500_000n, ratingCount: 100_000n });
    expect(before - balanceOf(t.svm, self.address)).toBe(10_000n + fees);
  });

  it("99,000 lamports (fee 9,900) is not a counted completion", async () => {
    // 99 prompt tokens at 1,000 lamports: cost 99,000, fee 9,900 < MIN_COUNTED_FEE
    const nonce = freshNonce();
    const [request] = await requestPda(self.address, nonce);
    const [response] = await responsePda(request);
    await send(
      t,
      [
        await createRequestInstruction(self, nonce, { stake: 100_000n, promptLen: 99, prompt: new Uint8Array(99) }),
        lockInstruction(self, server.server, request, market.cfg.config),
      ],
      { feePayer: self },
    );
    await send(t, await appendResponseInstruction(self, server.server, request, { chunkIndex: 0, isFinal: true, ciphertext: chunk(41) }), {
      feePayer: self,
    });
    await send(
      t,
      [
        completeInstruction({
          operator: self,
          server: server.server,
          request,
          response,
          client: self.address,
          feeVault: market.cfg.feeVaults[feeShardOf(nonce)]!,
          tokensIn: 99,
          tokensOut: 0,
        }),
      ],
      { feePayer: self },
    );
    expect(reputation()).toMatchObject({ completed: 0n, paidVolume: 99_000n });
  });

  it("rating spam: five 1-lamport five-star self-ratings against one honest one-star on 1,000,000 lamports", async () => {
    // Given an honest client's one-star rating on a paid 1,000,000-lamport answer is modelled by its weight
    for (let i = 0; i < 5; i++) await selfDeal(1, 5, CHEAP.hfId);
    const s = reputation();
    const honestCost = 1_000_000n;
    const average = ((s.ratingSum + 1n * honestCost) * 100n) / (s.ratingCount + honestCost);
    // Then the average stays at 1.00 (100): 5 lamports of spam cannot move it
    expect(average).toBe(100n);
  });
});
