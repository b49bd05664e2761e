/**
 * One response chunk: XChaCha20-Poly1305 under the response key, with a nonce fixed by the chunk
 * index and the index and final flag bound as associated data.
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import type { Address } from "@solana/kit";

import {
  CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX,
  CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT,
  CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
  ChainferenceClientError,
} from "../errors";
import { addressBytes, bytesOfLength, concatBytes, MAX_U32, toBytes, u32le, utf8, type BytesLike } from "./bytes";
import {
  CRYPTO_KEY_LENGTH,
  MAX_RESPONSE_CHUNK_PLAINTEXT_LENGTH,
  CRYPTO_NONCE_LENGTH,
  RESPONSE_CHUNK_NONCE_PREFIX,
  CRYPTO_TAG_LENGTH,
} from "./constants";

function assertIsChunkIndex(index: number): void {
  if (!Number.isInteger(index) || index < 0 || index > MAX_U32) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX, { index });
  }
}

/**
 * `utf8("cfr1") || u32le(index) || 16 zero bytes` (24 bytes). Unique per key because every request
 * has its own response key and an index is encrypted once.
 *
 * @example
 * ```ts
 * getResponseChunkNonce(1); // 63 66 72 31 01 00 00 00 00 .. 00
 * ```
 */
export function getResponseChunkNonce(index: number): Uint8Array {
  assertIsChunkIndex(index);
  const nonce = new Uint8Array(CRYPTO_NONCE_LENGTH);
  nonce.set(utf8(RESPONSE_CHUNK_NONCE_PREFIX), 0);
  nonce.set(u32le(index), 4);
  return nonce;
}

/**
 * `requestAddress(32) || u32le(index) || u8(isFinal)` (37 bytes).
 *
 * @example
 * ```ts
 * getResponseChunkAad({ requestAddress, index: 0, isFinal: false }).length; // 37
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
  return concatBytes(addressBytes(requestAddress), u32le(index), Uint8Array.of(isFinal ? 1 : 0));
}

type ChunkInput = { responseKey: BytesLike; requestAddress: Address; index: number; isFinal: boolean };

function chunkCipher({ responseKey, requestAddress, index, isFinal }: ChunkInput) {
  const key = bytesOfLength(responseKey, CRYPTO_KEY_LENGTH, "response key");
  return xchacha20poly1305(key, getResponseChunkNonce(index), getResponseChunkAad({ requestAddress, index, isFinal }));
}

/**
 * Server side: encrypts chunk `index` (plaintext may be empty for a final chunk). The result is
 * the `ciphertext` of `append_response`; never encrypt two different plaintexts for one index.
 *
 * @example
 * ```ts
 * const ciphertext = encryptResponseChunk({
 *   responseKey, requestAddress, index: 0, isFinal: false, plaintext: new TextEncoder().encode("Hel"),
 * });
 * ```
 */
export function encryptResponseChunk(input: ChunkInput & { plaintext: BytesLike }): Uint8Array {
  if (input.plaintext.length > MAX_RESPONSE_CHUNK_PLAINTEXT_LENGTH) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE, {
      length: input.plaintext.length + CRYPTO_TAG_LENGTH,
      maxLength: MAX_RESPONSE_CHUNK_PLAINTEXT_LENGTH + CRYPTO_TAG_LENGTH,
    });
  }
  return chunkCipher(input).encrypt(toBytes(input.plaintext));
}

/**
 * Decrypts one chunk at a known index and final flag; throws
 * `CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH` if any of key, request, index, flag or bytes differ.
 * To read a whole stream use {@link decryptResponseStream}, which also classifies the failure.
 *
 * @example
 * ```ts
 * const plaintext = decryptResponseChunk({ responseKey, requestAddress, index: 0, isFinal: false, ciphertext });
 * ```
 */
export function decryptResponseChunk(input: ChunkInput & { ciphertext: BytesLike }): Uint8Array {
  if (input.ciphertext.length < CRYPTO_TAG_LENGTH) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT, {
      kind: "response-chunk",
      length: input.ciphertext.length,
      minLength: CRYPTO_TAG_LENGTH,
    });
  }
  const cipher = chunkCipher(input);
  try {
    return cipher.decrypt(toBytes(input.ciphertext));
  } catch (cause) {
    throw new ChainferenceClientError(
      CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
      { kind: "response-chunk", position: input.index },
      { cause },
    );
  }
}
