/**
 * Length hiding: a plaintext is sealed as `u32le(len) || plaintext || zeros`, padded to a size bucket. Buckets
 * are Padmé sizes (Nikitin et al., "Reducing Metadata Leakage from Encrypted Files and Communication with
 * PURBs", PETS 2019: at most ~12% overhead, leaking O(log log n) bits of the length) with a floor, so every
 * short prompt and every short answer chunk has the same size.
 */
import { CHAINFERENCE_ERROR__CRYPTO__INVALID_PADDING, ChainferenceClientError, type CiphertextKind } from "../errors";
import { concatBytes, MAX_U32, toBytes, u32le, type BytesLike } from "./bytes";
import { PADDING_LENGTH_PREFIX } from "./constants";

/**
 * Padmé: `n` rounded up so that only its top `floor(log2(floor(log2 n))) + 1` bits may be non-zero.
 *
 * @example
 * ```ts
 * padme(100); // 104
 * padme(1000); // 1024
 * ```
 */
export function padme(length: number): number {
  if (length < 2) return length;
  const exponent = 31 - Math.clz32(length);
  const exponentBits = 32 - Math.clz32(exponent);
  const mask = 2 ** (exponent - exponentBits) - 1;
  return Math.ceil(length / (mask + 1)) * (mask + 1);
}

/**
 * The padded size of a plaintext of `length` bytes: `max(floor, padme(4 + length))`.
 *
 * @example
 * ```ts
 * getPaddedLength(3, 64); // 64
 * getPaddedLength(200, 64); // 208
 * ```
 */
export function getPaddedLength(length: number, floor: number): number {
  return Math.max(floor, padme(PADDING_LENGTH_PREFIX + length));
}

/**
 * The largest plaintext whose padded size is at most `maxPaddedLength` (the node sizes its chunks with it).
 *
 * @example
 * ```ts
 * getMaxUnpaddedLength(873, 64); // 860: 864 is the largest bucket up to 873
 * ```
 */
export function getMaxUnpaddedLength(maxPaddedLength: number, floor: number): number {
  for (let size = maxPaddedLength; size >= floor; size--) if (padme(size) === size) return size - PADDING_LENGTH_PREFIX;
  return floor - PADDING_LENGTH_PREFIX;
}

/**
 * `u32le(len(plaintext)) || plaintext || 0x00 × (getPaddedLength(len, floor) − 4 − len)`.
 *
 * @example
 * ```ts
 * padPlaintext(new TextEncoder().encode("Hi"), 64).length; // 64
 * ```
 */
export function padPlaintext(plaintext: BytesLike, floor: number): Uint8Array {
  const padded = new Uint8Array(getPaddedLength(plaintext.length, floor));
  padded.set(concatBytes(u32le(plaintext.length), plaintext));
  return padded;
}

/**
 * Inverse of {@link padPlaintext}. Throws `CHAINFERENCE_ERROR__CRYPTO__INVALID_PADDING` when the input is
 * shorter than the prefix, the length exceeds the bytes that follow, or a padding byte is not zero (the
 * padding is authenticated with the plaintext, so this means a faulty encoder, never an attacker).
 * The bucket size itself is not checked: a decoder accepts any padding amount.
 *
 * @example
 * ```ts
 * unpadPlaintext(padPlaintext(bytes, 64), "response-chunk"); // bytes
 * ```
 */
export function unpadPlaintext(padded: BytesLike, kind: CiphertextKind): Uint8Array {
  const bytes = toBytes(padded);
  const invalid = (reason: string): never => {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__INVALID_PADDING, { kind, reason });
  };
  if (bytes.length < PADDING_LENGTH_PREFIX) invalid(`${bytes.length} bytes, shorter than the 4-byte length prefix`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, PADDING_LENGTH_PREFIX).getUint32(0, true);
  if (length > Math.min(MAX_U32, bytes.length - PADDING_LENGTH_PREFIX)) {
    invalid(`length prefix ${length} exceeds the ${bytes.length - PADDING_LENGTH_PREFIX} bytes that follow`);
  }
  const end = PADDING_LENGTH_PREFIX + length;
  if (bytes.subarray(end).some((b) => b !== 0)) invalid("a padding byte is not zero");
  return bytes.slice(PADDING_LENGTH_PREFIX, end);
}
