/** HKDF-SHA256 (RFC 5869) with UTF-8 labels (internal). */
import { hkdf } from "@noble/hashes/hkdf.js";
import { sha256 } from "@noble/hashes/sha2.js";

import { toBytes, utf8, type BytesLike, concatBytes } from "./bytes";

/** `HKDF-SHA256(ikm, salt, info = utf8(label) || infoSuffix, length)`. */
export function hkdfSha256(
  ikm: BytesLike,
  salt: BytesLike,
  label: string,
  length: number,
  infoSuffix: BytesLike = new Uint8Array(0),
): Uint8Array {
  return hkdf(sha256, toBytes(ikm), toBytes(salt), concatBytes(utf8(label), infoSuffix), length);
}
