import type { Address, TransactionSigner } from "@solana/kit";
import {
  getMaxResponseChunkPlaintextLength,
  getResponseChunkCiphertextLength,
  measureTransactionSize,
  responseChunkInstructions,
  TRANSACTION_SIZE_LIMIT,
} from "@chainference/client";

/**
 * Stream bytes of one chunk of `plaintextBytes`: the u16 frame length, the nonce, the padded plaintext and the tag.
 *
 * @example
 * getChunkFrameSize(3); // 106: 2 + 24 + 64 + 16
 */
export const getChunkFrameSize = (plaintextBytes: number): number => 2 + getResponseChunkCiphertextLength(plaintextBytes);

/** Any addresses: the transaction's size does not depend on which (only on how many distinct ones). */
const PLACEHOLDER_REQUEST = "11111111111111111111111111111112" as Address;
const PLACEHOLDER_CLIENT = "11111111111111111111111111111113" as Address;
/** Ciphertext bytes the size is measured with: the instruction data is then ≥ 128 bytes, so its compact-u16
 * length takes the 2 bytes it takes for any chunk near the limit. */
const PROBE = 128;

/** The transactions a chunk travels in: alone, beside the lock (first chunk), beside the settlement (final chunk), or both (an answer in one chunk). */
export type ChunkTransaction = "alone" | "with-lock" | "with-complete" | "with-lock-and-complete";

/** The shape of a chunk's transaction given what shares it. */
export const chunkTransaction = (lock: boolean, complete: boolean): ChunkTransaction =>
  lock ? (complete ? "with-lock-and-complete" : "with-lock") : complete ? "with-complete" : "alone";

const SHAPES: readonly ChunkTransaction[] = ["alone", "with-lock", "with-complete", "with-lock-and-complete"];

/**
 * The largest chunk ciphertext one transaction of `shape` can carry: Solana's 1,232-byte limit minus the exact
 * wire size of that transaction (one signature, its accounts, the instruction data) measured with a 128-byte
 * ciphertext, plus those 128. The ciphertext is a Borsh `bytes` field, so each further byte costs exactly one
 * (the data's compact-u16 length already takes its 2 bytes). For the operator as sole signer (v0 message, no
 * compute-budget instruction) an append alone holds 913 bytes: nonce (24) + tag (16) + a padded plaintext of at
 * most 873, whose largest bucket holds 860 bytes of text. Beside `lock_request` (the first chunk) and
 * `complete_request` (the final chunk) it holds less: the lock adds the Config account and its instruction with
 * the server's key, the settlement the client and fee vault accounts and its instruction.
 *
 * @example
 * const maxCiphertext = await getMaxChunkCiphertextBytes(operator, "with-complete");
 */
export async function getMaxChunkCiphertextBytes(operator: TransactionSigner, shape: ChunkTransaction = "alone"): Promise<number> {
  const instructions = await responseChunkInstructions(operator, {
    request: PLACEHOLDER_REQUEST,
    chunkIndex: 0,
    isFinal: shape === "with-complete" || shape === "with-lock-and-complete",
    reserveBytes: 0,
    ciphertext: new Uint8Array(PROBE),
    ...(shape === "with-lock" || shape === "with-lock-and-complete" ? { lock: { x25519Key: new Uint8Array(32) } } : {}),
    ...(shape === "with-complete" || shape === "with-lock-and-complete"
      ? { complete: { request: { address: PLACEHOLDER_REQUEST, client: PLACEHOLDER_CLIENT, feeShard: 0 }, tokensIn: 0, tokensOut: 0 } }
      : {}),
  });
  return TRANSACTION_SIZE_LIMIT - measureTransactionSize(instructions, operator) + PROBE;
}

/**
 * The largest chunk plaintext the node writes in a transaction of `shape`: the configured size, never more than
 * the transaction holds once padded and sealed.
 *
 * @example
 * const maxPlaintext = await getMaxChunkPlaintextBytes(operator, config.flush.maxChunkBytes); // ≤ 860
 */
export async function getMaxChunkPlaintextBytes(
  operator: TransactionSigner,
  configured: number,
  shape: ChunkTransaction = "alone",
): Promise<number> {
  return Math.max(1, Math.min(configured, getMaxResponseChunkPlaintextLength(await getMaxChunkCiphertextBytes(operator, shape))));
}

/** The largest chunk plaintext of each transaction shape. */
export type ChunkRoom = Readonly<Record<ChunkTransaction, number>>;

/**
 * {@link getMaxChunkPlaintextBytes} for each shape.
 *
 * @example
 * const room = await getChunkRoom(operator, config.flush.maxChunkBytes); // { alone: 860, … }
 */
export async function getChunkRoom(operator: TransactionSigner, configured: number): Promise<ChunkRoom> {
  const sizes = await Promise.all(SHAPES.map((shape) => getMaxChunkPlaintextBytes(operator, configured, shape)));
  return Object.fromEntries(SHAPES.map((shape, i) => [shape, sizes[i]!])) as Record<ChunkTransaction, number>;
}
