/**
 * The ask message: what the session key signs to ask the node for one answer. It binds the session, the answer
 * index (strictly increasing per session: a replay is refused), the client's X25519 key, the server key epoch
 * and the SHA-256 of the encrypted prompt frame.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Address } from "@solana/kit";

import { addressBytes, bytesOfLength, concatBytes, MAX_U32, toBytes, u32le, utf8, type BytesLike } from "../crypto/bytes";
import { CRYPTO_KEY_LENGTH } from "../crypto/constants";
import { CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE, ChainferenceClientError } from "../errors";
import { SESSION_ASK_MESSAGE_PREFIX, SESSION_SIGNATURE_LENGTH } from "./constants";

/** What one ask names. */
export type SessionAsk = Readonly<{
  session: Address;
  /** u32, strictly increasing per session. */
  answer: number;
  /** The client's per-session X25519 public key. */
  clientKey: BytesLike;
  /** The server key epoch the prompt is encrypted for. */
  keyEpoch: number;
  /** The encrypted prompt frame (nonce || ciphertext). */
  promptFrame: BytesLike;
}>;

function u32(value: number, what: string): Uint8Array {
  if (!Number.isInteger(value) || value < 0 || value > MAX_U32)
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE, { what, reason: `${value} is not a u32` });
  return u32le(value);
}

/**
 * `utf8("chainference/v1/session-ask") || session(32) || u32le(answer) || clientKey(32) || u32le(keyEpoch) ||
 * sha256(promptFrame)(32)` (131 bytes).
 *
 * @example
 * ```ts
 * getSessionAskMessage({ session, answer: 0, clientKey, keyEpoch: 1, promptFrame }).length; // 131
 * ```
 */
export function getSessionAskMessage({ session, answer, clientKey, keyEpoch, promptFrame }: SessionAsk): Uint8Array {
  return concatBytes(
    utf8(SESSION_ASK_MESSAGE_PREFIX),
    addressBytes(session),
    u32(answer, "answer index"),
    bytesOfLength(clientKey, CRYPTO_KEY_LENGTH, "client session key"),
    u32(keyEpoch, "key epoch"),
    sha256(toBytes(promptFrame)),
  );
}

/**
 * Signs the ask message with the voucher signer's seed.
 *
 * @example
 * ```ts
 * const signature = signSessionAsk({ ask: { session, answer, clientKey: keys.clientKey, keyEpoch, promptFrame }, voucherSecret: keys.voucherSecret });
 * ```
 */
export function signSessionAsk({ ask, voucherSecret }: { ask: SessionAsk; voucherSecret: BytesLike }): Uint8Array {
  return ed25519.sign(getSessionAskMessage(ask), bytesOfLength(voucherSecret, CRYPTO_KEY_LENGTH, "voucher signer seed"));
}

/**
 * True when `signature` is the session's voucher signer's signature over the ask message.
 *
 * @example
 * ```ts
 * if (!verifySessionAsk({ ask, signature, voucherSigner: session.voucherSigner })) refuse("bad_signature");
 * ```
 */
export function verifySessionAsk({
  ask,
  signature,
  voucherSigner,
}: {
  ask: SessionAsk;
  signature: BytesLike;
  voucherSigner: Address;
}): boolean {
  if (signature.length !== SESSION_SIGNATURE_LENGTH) return false;
  try {
    return ed25519.verify(toBytes(signature), getSessionAskMessage(ask), addressBytes(voucherSigner));
  } catch {
    return false;
  }
}
