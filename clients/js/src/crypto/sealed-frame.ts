/**
 * The chunk AEAD shared by response chunks and session frames: `nonce(24) || XChaCha20-Poly1305(key, nonce,
 * aad)(plaintext)` with a fresh random nonce per call. A key may then seal any number of plaintexts, also two
 * different ones at one position (a node that crashes and regenerates a chunk), without reusing a (key, nonce):
 * 192-bit random nonces collide with negligible probability.
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { randomBytes } from "@noble/hashes/utils.js";

import { bytesOfLength, concatBytes, toBytes, type BytesLike } from "./bytes";
import { CRYPTO_KEY_LENGTH, CRYPTO_NONCE_LENGTH, SEALED_FRAME_OVERHEAD } from "./constants";

/**
 * Seals `plaintext`; `nonce` is for fixed test vectors only.
 *
 * @example
 * ```ts
 * const frame = sealFrame({ key, aad, plaintext }); // plaintext.length + 40 bytes
 * ```
 */
export function sealFrame({
  key,
  aad,
  plaintext,
  nonce,
}: {
  key: BytesLike;
  aad: Uint8Array;
  plaintext: BytesLike;
  nonce?: BytesLike | undefined;
}): Uint8Array {
  const k = bytesOfLength(key, CRYPTO_KEY_LENGTH, "frame key");
  const n = nonce === undefined ? randomBytes(CRYPTO_NONCE_LENGTH) : bytesOfLength(nonce, CRYPTO_NONCE_LENGTH, "frame nonce");
  return concatBytes(n, xchacha20poly1305(k, n, aad).encrypt(toBytes(plaintext)));
}

/**
 * Opens a sealed frame; `null` when it is shorter than nonce and tag or does not authenticate (callers name the
 * error: they know what the frame was).
 *
 * @example
 * ```ts
 * const plaintext = openFrame({ key, aad, frame }) ?? fail();
 * ```
 */
export function openFrame({ key, aad, frame }: { key: Uint8Array; aad: Uint8Array; frame: BytesLike }): Uint8Array | null {
  if (frame.length < SEALED_FRAME_OVERHEAD) return null;
  const bytes = toBytes(frame);
  try {
    return xchacha20poly1305(key, bytes.subarray(0, CRYPTO_NONCE_LENGTH), aad).decrypt(bytes.subarray(CRYPTO_NONCE_LENGTH));
  } catch {
    return null;
  }
}
