/**
 * The in-process chain treats blockhashes like a cluster: any blockhash issued in the last 150 slots is
 * valid (concurrent senders sign before others land), an identical resend is AlreadyProcessed, and an
 * older blockhash is BlockhashNotFound. LiteSVM alone accepts only its newest blockhash.
 */
import { describe, expect, it } from "vitest";
import { generateKeyPairSigner, lamports, type KeyPairSigner } from "@solana/kit";
import { getTransferSolInstruction } from "@solana-program/system";
import { isTransactionFailed, signInstructions } from "@chainference/client";
import { createLiteSvmChain, type LiteSvmChain } from "@chainference/client/litesvm";

const transfer = async (chain: LiteSvmChain, from: KeyPairSigner, amount: bigint) => {
  const to = await generateKeyPairSigner();
  const slot = await chain.getSlot();
  return signInstructions([getTransferSolInstruction({ source: from, destination: to.address, amount: lamports(amount) })], from, {
    blockhash: chain.svm.latestBlockhash(),
    lastValidBlockHeight: slot + 150n,
  });
};

describe("blockhashes on the in-process chain", () => {
  it("lands transactions signed before others landed, rejects an identical resend as AlreadyProcessed", async () => {
    const chain = createLiteSvmChain({ slotDurationMs: 0 });
    const alice = await generateKeyPairSigner();
    await chain.airdrop(alice.address, 10_000_000_000n);
    // Given two transfers signed against the same (then newest) blockhash
    const [first, second] = [await transfer(chain, alice, 1_000_000n), await transfer(chain, alice, 2_000_000n)];
    // When both are submitted (the first moves the chain to a new blockhash) / Then both land
    chain.submit(first);
    chain.submit(second);
    // And sending the first again is AlreadyProcessed, not a second execution
    expect(() => chain.submit(first)).toThrow(
      expect.objectContaining({ failure: expect.objectContaining({ reason: "AlreadyProcessed" }) }),
    );
    expect(await chain.getBalance(alice.address)).toBe(10_000_000_000n - 3_000_000n - 10_000n);
  });

  it("rejects a blockhash older than 150 slots as BlockhashNotFound, with the name in the reason", async () => {
    const chain = createLiteSvmChain({ slotDurationMs: 0 });
    const alice = await generateKeyPairSigner();
    await chain.airdrop(alice.address, 10_000_000_000n);
    const stale = await transfer(chain, alice, 1_000_000n);
    chain.submit(await transfer(chain, alice, 1_000_000n)); // the stale one is no longer the newest
    chain.warpSlots(151n);
    let error: unknown;
    try {
      chain.submit(stale);
    } catch (e) {
      error = e;
    }
    expect(isTransactionFailed(error) && error.failure.reason).toBe("BlockhashNotFound");
  });
});
