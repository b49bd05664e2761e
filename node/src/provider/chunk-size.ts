import type { Address, TransactionSigner } from "@solana/kit";
import {
  findResponsePda,
  getMaxResponseChunkPlaintextLength,
  getResponseChunkCiphertextLength,
  getAppendResponseInstructionAsync,
  measureTransactionSize,
  TRANSACTION_SIZE_LIMIT,
} from "@chainference/client";

/**
 * Stream bytes of one chunk of `plaintextBytes`: the u16 frame length, the nonce, the padded plaintext and the tag.
 *
 * @example
 * getChunkFrameSize(3); // 106: 2 + 24 + 64 + 16
 */
export const getChunkFrameSize = (plaintextBytes: number): number => 2 + getResponseChunkCiphertextLength(plaintextBytes);

/** Any address: the transaction's size does not depend on which. */
const PLACEHOLDER_REQUEST = "11111111111111111111111111111112" as Address;
/** Ciphertext bytes the size is measured with: the instruction data is then ≥ 128 bytes, so its compact-u16
 * length takes the 2 bytes it takes for any chunk near the limit. */
const PROBE = 128;

/**
 * The largest chunk ciphertext one `append_response` transaction can carry: Solana's 1,232-byte limit minus
 * the exact wire size of that transaction (one signature, six accounts, the instruction data) measured with a
 * 128-byte ciphertext, plus those 128. The ciphertext is a Borsh `bytes` field, so each further byte costs
 * exactly one (the data's compact-u16 length already takes its 2 bytes).
 * For the operator as sole signer (v0 message, no compute-budget instruction) this is 913 bytes: nonce (24) + tag
 * (16) + a padded plaintext of at most 873, whose largest bucket is 864 (860 bytes of text after the 4-byte
 * length), so the default 900-byte chunk setting is clamped to 860.
 *
 * @example
 * const maxCiphertext = await getMaxChunkCiphertextBytes(operator);
 */
export async function getMaxChunkCiphertextBytes(operator: TransactionSigner): Promise<number> {
  const instruction = await getAppendResponseInstructionAsync({
    operator,
    request: PLACEHOLDER_REQUEST,
    response: (await findResponsePda({ request: PLACEHOLDER_REQUEST }))[0],
    chunkIndex: 0,
    isFinal: false,
    reserveBytes: 0,
    ciphertext: new Uint8Array(PROBE),
  });
  return TRANSACTION_SIZE_LIMIT - measureTransactionSize([instruction], operator) + PROBE;
}

/**
 * The largest chunk plaintext the node writes: the configured size, never more than one transaction holds once
 * padded and sealed.
 *
 * @example
 * const maxPlaintext = await getMaxChunkPlaintextBytes(operator, config.flush.maxChunkBytes); // ≤ 860
 */
export async function getMaxChunkPlaintextBytes(operator: TransactionSigner, configured: number): Promise<number> {
  return Math.max(1, Math.min(configured, getMaxResponseChunkPlaintextLength(await getMaxChunkCiphertextBytes(operator))));
}
