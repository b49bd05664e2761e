import {
  appendTransactionMessageInstructions,
  createTransactionMessage,
  getTransactionMessageSize,
  pipe,
  setTransactionMessageComputeUnitLimit,
  setTransactionMessageFeePayerSigner,
  setTransactionMessageLifetimeUsingBlockhash,
  signTransactionMessageWithSigners,
  type Blockhash,
  type FullySignedTransaction,
  type Instruction,
  type Transaction,
  type TransactionMessage,
  type TransactionMessageWithFeePayer,
  type TransactionMessageWithLifetime,
  type TransactionMessageWithSigners,
  type TransactionSigner,
  type TransactionWithinSizeLimit,
  type TransactionWithLifetime,
} from "@solana/kit";

/** What {@link signInstructions} returns, spelled with `@solana/kit` names (declarations never reach into kit's own dependencies). */
export type SignedTransaction = Transaction & FullySignedTransaction & TransactionWithinSizeLimit & TransactionWithLifetime;

/**
 * Builds and signs a v0 transaction; every signer attached to an instruction account signs.
 *
 * @example
 * const { value: latest } = await rpc.getLatestBlockhash().send();
 * const transaction = await signInstructions([instruction], payer, latest, 200_000);
 */
export async function signInstructions(
  instructions: readonly Instruction[],
  feePayer: TransactionSigner,
  lifetime: { blockhash: Blockhash; lastValidBlockHeight: bigint },
  computeUnitLimit?: number,
): Promise<SignedTransaction> {
  return signTransactionMessageWithSigners(buildTransactionMessage(instructions, feePayer, lifetime, computeUnitLimit));
}

/**
 * The unsigned v0 message {@link signInstructions} signs (a wallet that signs and sends takes it as is).
 *
 * @example
 * const message = buildTransactionMessage([instruction], payer, latest);
 */
export function buildTransactionMessage(
  instructions: readonly Instruction[],
  feePayer: TransactionSigner,
  lifetime: { blockhash: Blockhash; lastValidBlockHeight: bigint },
  computeUnitLimit?: number,
): TransactionMessage & TransactionMessageWithFeePayer & TransactionMessageWithSigners & TransactionMessageWithLifetime {
  return pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(lifetime, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
    (m) => setTransactionMessageComputeUnitLimit(computeUnitLimit, m),
  );
}

/** Any blockhash: a message's size does not depend on which (always 32 bytes). */
const SIZE_PROBE_BLOCKHASH = {
  blockhash: "11111111111111111111111111111111" as Blockhash,
  lastValidBlockHeight: 0n,
};

/**
 * Wire size in bytes of an unsigned v0 transaction carrying `instructions` with `feePayer` paying (no
 * compute-budget instruction), as `getTransactionMessageSize` counts it: signatures included, measured with a
 * placeholder blockhash. Callers subtract it from the 1,232-byte limit to find the room left for payload.
 *
 * @example
 * const size = measureTransactionSize([getAppendPromptInstruction({ client, request, offset: 0, data })], client);
 * const room = TRANSACTION_SIZE_LIMIT - size;
 */
export function measureTransactionSize(instructions: readonly Instruction[], feePayer: TransactionSigner): number {
  const message = pipe(
    createTransactionMessage({ version: 0 }),
    (m) => setTransactionMessageFeePayerSigner(feePayer, m),
    (m) => setTransactionMessageLifetimeUsingBlockhash(SIZE_PROBE_BLOCKHASH, m),
    (m) => appendTransactionMessageInstructions(instructions, m),
  );
  return getTransactionMessageSize(message);
}
