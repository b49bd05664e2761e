import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  pipe,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Blockhash,
  type Instruction,
  type TransactionSigner,
} from "@solana/kit";

const COMPUTE_BUDGET_PROGRAM = "ComputeBudget111111111111111111111111111111" as const;

/** A ComputeBudget `SetComputeUnitLimit` instruction (discriminator 2, u32 units). */
export function computeUnitLimitInstruction(units: number): Instruction {
  const data = new Uint8Array(5);
  data[0] = 2;
  new DataView(data.buffer).setUint32(1, units, true);
  return { programAddress: COMPUTE_BUDGET_PROGRAM as Instruction["programAddress"], accounts: [], data };
}

/** Builds and signs a v0 transaction; every signer attached to an instruction account signs. */
export async function signInstructions(
  instructions: readonly Instruction[],
  feePayer: TransactionSigner,
  lifetime: { blockhash: Blockhash; lastValidBlockHeight: bigint },
  computeUnitLimit?: number,
) {
  const all = computeUnitLimit === undefined ? instructions : [computeUnitLimitInstruction(computeUnitLimit), ...instructions];
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
    (m) => appendTransactionMessageInstructions(all, m),
  );
  return signTransactionMessageWithSigners(message);
}
