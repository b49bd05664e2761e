import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  pipe,
  setTransactionMessageComputeUnitLimit,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Blockhash,
  type Instruction,
  type TransactionSigner,
} from "@solana/kit";

/** Builds and signs a v0 transaction; every signer attached to an instruction account signs. */
export async function signInstructions(
  instructions: readonly Instruction[],
  feePayer: TransactionSigner,
  lifetime: { blockhash: Blockhash; lastValidBlockHeight: bigint },
  computeUnitLimit?: number,
) {
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
    (m) => setTransactionMessageComputeUnitLimit(computeUnitLimit, m),
  );
  return signTransactionMessageWithSigners(message);
}
