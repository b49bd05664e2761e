/**
 * One response chunk: the padded plaintext sealed under the response key with a random nonce carried in the
 * chunk (`nonce(24) || ciphertext || tag(16)`), and the request, index and final flag bound as associated data.
 */
import type { Address } from "@solana/kit";

import {
  CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX,
  CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT,
  CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
  ChainferenceClientError,
} from "../errors";
import { addressBytes, bytesOfLength, concatBytes, MAX_U32, u32le, utf8, type BytesLike } from "./bytes";
import {
  CRYPTO_KEY_LENGTH,
  MAX_RESPONSE_CHUNK_CIPHERTEXT_LENGTH,
  RESPONSE_CHUNK_AAD_PREFIX,
  RESPONSE_CHUNK_PADDING_FLOOR,
  SEALED_FRAME_OVERHEAD,
} from "./constants";
import { getMaxUnpaddedLength, getPaddedLength, padPlaintext, unpadPlaintext } from "./padding";
import { openFrame, sealFrame } from "./sealed-frame";

/** Largest chunk plaintext: its padded size plus nonce and tag must fit a `u16` frame (63,484 bytes). */
export const MAX_RESPONSE_CHUNK_PLAINTEXT_LENGTH = getMaxUnpaddedLength(
  MAX_RESPONSE_CHUNK_CIPHERTEXT_LENGTH - SEALED_FRAME_OVERHEAD,
  RESPONSE_CHUNK_PADDING_FLOOR,
);

function assertIsChunkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > MAX_U32) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX, { index });
  }
}

/**
 * The ciphertext length of a chunk of `plaintextLength` bytes: nonce + padded plaintext + tag.
 *
 * @example
 * ```ts
 * getResponseChunkCiphertextLength(3); // 104: 24 + 64 + 16
 * ```
 */
export function getResponseChunkCiphertextLength(plaintextLength: number): number {
  return SEALED_FRAME_OVERHEAD + getPaddedLength(plaintextLength, RESPONSE_CHUNK_PADDING_FLOOR);
}

/**
 * The largest chunk plaintext whose ciphertext is at most `maxCiphertextLength` bytes (what one transaction holds).
 *
 * @example
 * ```ts
 * getMaxResponseChunkPlaintextLength(913); // 860
 * ```
 */
export function getMaxResponseChunkPlaintextLength(maxCiphertextLength: number): number {
  return getMaxUnpaddedLength(maxCiphertextLength - SEALED_FRAME_OVERHEAD, RESPONSE_CHUNK_PADDING_FLOOR);
}

/**
 * `utf8("chainference/v2/response-chunk") || requestAddress(32) || u32le(index) || u8(isFinal)` (67 bytes).
 *
 * @example
 * ```ts
 * getResponseChunkAad({ requestAddress, index: 0, isFinal: false }).length; // 67
 * ```
 */
export function getResponseChunkAad({
  requestAddress,
  index,
  isFinal,
}: {
  requestAddress: Address;
  index: number;
  isFinal: boolean;
}): Uint8Array {
  assertIsChunkIndex(index);
  return concatBytes(utf8(RESPONSE_CHUNK_AAD_PREFIX), addressBytes(requestAddress), u32le(index), Uint8Array.of(isFinal ? 1 : 0));
}

type ChunkInput = { responseKey: BytesLike; requestAddress: Address; index: number; isFinal: boolean };

/**
 * Server side: pads and encrypts chunk `index` (plaintext may be empty for a final chunk) under a fresh random
 * nonce. The result is the `ciphertext` of `append_response`. Encrypting the same index again (a retry after a
 * crash) gives other bytes under another nonce; both open only at this index. `nonce` is for test vectors only.
 *
 * @example
 * ```ts
 * const ciphertext = encryptResponseChunk({
 *   responseKey, requestAddress, index: 0, isFinal: false, plaintext: new TextEncoder().encode("Hel"),
 * });
 * ```
 */
export function encryptResponseChunk(input: ChunkInput & { plaintext: BytesLike; nonce?: BytesLike }): Uint8Array {
  if (input.plaintext.length > MAX_RESPONSE_CHUNK_PLAINTEXT_LENGTH) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE, {
      length: getResponseChunkCiphertextLength(input.plaintext.length),
      maxLength: MAX_RESPONSE_CHUNK_CIPHERTEXT_LENGTH,
    });
  }
  return sealFrame({
    key: input.responseKey,
    aad: getResponseChunkAad(input),
    plaintext: padPlaintext(input.plaintext, RESPONSE_CHUNK_PADDING_FLOOR),
    nonce: input.nonce,
  });
}

/**
 * Opens one chunk at an index and final flag and returns its padded plaintext, or `null` if it does not
 * authenticate there (internal: the stream reader classifies failures).
 */
export function openResponseChunk(
  key: Uint8Array,
  requestAddress: Address,
  index: number,
  isFinal: boolean,
  ciphertext: BytesLike,
): Uint8Array | null {
  return openFrame({ key, aad: getResponseChunkAad({ requestAddress, index, isFinal }), frame: ciphertext });
}

/**
 * Decrypts one chunk at a known index and final flag and removes its padding. Throws
 * `..._MALFORMED_CIPHERTEXT` for fewer than 40 bytes, `..._TAG_MISMATCH` if any of key, request, index, flag or
 * bytes differ, `..._INVALID_PADDING` for a malformed padded plaintext. To read a whole stream use
 * {@link decryptResponseStream}, which also classifies the failure.
 *
 * @example
 * ```ts
 * const plaintext = decryptResponseChunk({ responseKey, requestAddress, index: 0, isFinal: false, ciphertext });
 * ```
 */
export function decryptResponseChunk(input: ChunkInput & { ciphertext: BytesLike }): Uint8Array {
  if (input.ciphertext.length < SEALED_FRAME_OVERHEAD) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT, {
      kind: "response-chunk",
      length: input.ciphertext.length,
      minLength: SEALED_FRAME_OVERHEAD,
    });
  }
  const key = bytesOfLength(input.responseKey, CRYPTO_KEY_LENGTH, "response key");
  const padded = openResponseChunk(key, input.requestAddress, input.index, input.isFinal, input.ciphertext);
  if (padded === null) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH, { kind: "response-chunk", position: input.index });
  }
  return unpadPlaintext(padded, "response-chunk");
}
