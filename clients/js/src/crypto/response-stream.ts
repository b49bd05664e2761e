/**
 * The response account's stream: frames `u16le(len) || ciphertext`, one per chunk, in index
 * order. Decryption checks order, uniqueness, completeness and origin of every chunk.
 */
import type { Address } from "@solana/kit";

import {
  CHAINFERENCE_ERROR__CRYPTO__CHUNK_OUT_OF_ORDER,
  CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE,
  CHAINFERENCE_ERROR__CRYPTO__DATA_AFTER_FINAL_CHUNK,
  CHAINFERENCE_ERROR__CRYPTO__DUPLICATE_CHUNK,
  CHAINFERENCE_ERROR__CRYPTO__MALFORMED_FRAME,
  CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
  CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM,
  ChainferenceClientError,
} from "../errors";
import { bytesOfLength, concatBytes, toBytes, type BytesLike } from "./bytes";
import { CRYPTO_KEY_LENGTH, MAX_RESPONSE_CHUNK_CIPHERTEXT_LENGTH, SEALED_FRAME_OVERHEAD } from "./constants";
import { unpadPlaintext } from "./padding";
import { openResponseChunk } from "./response-chunk";

/** Frame header: the ciphertext length as u16 little-endian. */
const FRAME_HEADER_LENGTH = 2;
/** How far past the stream's end a misplaced chunk's true index is searched for. */
const MISPLACED_INDEX_SEARCH_SLACK = 16;

/**
 * Concatenates chunk ciphertexts into the on-chain stream layout.
 *
 * @example
 * ```ts
 * const stream = encodeResponseFrames([chunk0, chunk1]);
 * // u16le(chunk0.length) || chunk0 || u16le(chunk1.length) || chunk1
 * ```
 */
export function encodeResponseFrames(ciphertexts: readonly BytesLike[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const ciphertext of ciphertexts) {
    if (ciphertext.length > MAX_RESPONSE_CHUNK_CIPHERTEXT_LENGTH) {
      throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE, {
        length: ciphertext.length,
        maxLength: MAX_RESPONSE_CHUNK_CIPHERTEXT_LENGTH,
      });
    }
    const header = new Uint8Array(FRAME_HEADER_LENGTH);
    new DataView(header.buffer).setUint16(0, ciphertext.length, true);
    parts.push(header, toBytes(ciphertext));
  }
  return concatBytes(...parts);
}

/**
 * Splits stream bytes (the response account data from offset 228, `stream_len` bytes) into chunk
 * ciphertexts. A frame shorter than nonce and tag (40 bytes) throws `..._MALFORMED_FRAME`; bytes that end inside a
 * frame throw `..._TRUNCATED_STREAM`.
 *
 * @example
 * ```ts
 * const chunks = decodeResponseStream(accountData.subarray(228, 228 + streamLen));
 * ```
 */
export function decodeResponseStream(stream: BytesLike): Uint8Array[] {
  const bytes = toBytes(stream);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const chunks: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    if (offset + FRAME_HEADER_LENGTH > bytes.length) {
      throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM, {
        reason: "partial-frame",
        chunkCount: chunks.length,
      });
    }
    const length = view.getUint16(offset, true);
    if (length < SEALED_FRAME_OVERHEAD) {
      throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__MALFORMED_FRAME, { offset, length, minLength: SEALED_FRAME_OVERHEAD });
    }
    const start = offset + FRAME_HEADER_LENGTH;
    if (start + length > bytes.length) {
      throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM, {
        reason: "partial-frame",
        chunkCount: chunks.length,
      });
    }
    chunks.push(bytes.slice(start, start + length));
    offset = start + length;
  }
  return chunks;
}

/** A decrypted stream. */
export type DecryptedResponse = Readonly<{
  /** Each chunk's plaintext, in index order. */
  chunks: readonly Uint8Array[];
  /** All chunks concatenated (decode as UTF-8 once complete: a chunk may split a character). */
  plaintext: Uint8Array;
  /** Whether the last chunk authenticated as final. */
  isFinal: boolean;
}>;

type Opened = { plaintext: Uint8Array; isFinal: boolean };

/** Opens a chunk at `index` trying final flag 0 then 1; `null` when it opens under neither. Returns the padded plaintext. */
function openAt(key: Uint8Array, requestAddress: Address, index: number, ciphertext: Uint8Array): Opened | null {
  for (const isFinal of [false, true]) {
    const plaintext = openResponseChunk(key, requestAddress, index, isFinal, ciphertext);
    if (plaintext !== null) return { plaintext, isFinal };
  }
  return null;
}

function misplacedChunkError(
  key: Uint8Array,
  requestAddress: Address,
  position: number,
  ciphertext: Uint8Array,
  frameCount: number,
): ChainferenceClientError {
  const searchEnd = frameCount + MISPLACED_INDEX_SEARCH_SLACK;
  for (let index = 0; index < searchEnd; index++) {
    if (index === position || openAt(key, requestAddress, index, ciphertext) === null) continue;
    return index < position
      ? new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__DUPLICATE_CHUNK, { position, index })
      : new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__CHUNK_OUT_OF_ORDER, { position, index });
  }
  // Tampered, or encrypted for another request or under another key: indistinguishable by design.
  return new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH, { kind: "response-chunk", position });
}

/**
 * Decrypts a whole stream in order. Chunk `i` must open at index `i` (with final flag 0, or 1 for
 * the last one). Failures, each a named error:
 * - a chunk whose true index is earlier: `..._DUPLICATE_CHUNK` (replay);
 * - a chunk whose true index is later: `..._CHUNK_OUT_OF_ORDER` (reordered or a chunk dropped);
 * - a chunk that opens under no index: `..._TAG_MISMATCH` (tampered, or spliced from another request);
 * - frames after the final chunk: `..._DATA_AFTER_FINAL_CHUNK`;
 * - `expectFinal` and no final chunk: `..._TRUNCATED_STREAM`.
 *
 * Pass `expectFinal: response.isFinal` (a stream still being written is read with `false`).
 *
 * @example
 * ```ts
 * const { plaintext, isFinal } = decryptResponseStream({ responseKey, requestAddress, stream, expectFinal: true });
 * const answer = new TextDecoder().decode(plaintext);
 * ```
 */
export function decryptResponseStream({
  responseKey,
  requestAddress,
  stream,
  expectFinal,
}: {
  responseKey: BytesLike;
  requestAddress: Address;
  stream: BytesLike;
  expectFinal: boolean;
}): DecryptedResponse {
  const key = bytesOfLength(responseKey, CRYPTO_KEY_LENGTH, "response key");
  const frames = decodeResponseStream(stream);
  const chunks: Uint8Array[] = [];
  let isFinal = false;
  for (const [position, ciphertext] of frames.entries()) {
    if (isFinal) {
      throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__DATA_AFTER_FINAL_CHUNK, {
        finalIndex: position - 1,
        extraFrames: frames.length - position,
      });
    }
    const opened = openAt(key, requestAddress, position, ciphertext);
    if (opened === null) throw misplacedChunkError(key, requestAddress, position, ciphertext, frames.length);
    chunks.push(unpadPlaintext(opened.plaintext, "response-chunk"));
    isFinal = opened.isFinal;
  }
  if (expectFinal && !isFinal) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM, {
      reason: "no-final-chunk",
      chunkCount: chunks.length,
    });
  }
  return { chunks, plaintext: concatBytes(...chunks), isFinal };
}
