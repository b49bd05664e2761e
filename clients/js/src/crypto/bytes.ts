/** Byte helpers shared by the crypto module (internal: not re-exported from the SDK). */
import { getAddressEncoder, type Address, type ReadonlyUint8Array } from "@solana/kit";

import { CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_LENGTH, ChainferenceClientError } from "../errors";

/** Bytes as callers hold them: kit decoders hand out `ReadonlyUint8Array`. */
export type BytesLike = Uint8Array | ReadonlyUint8Array;

/** Largest u32 (chunk indexes, key epochs, maxTokens). */
export const MAX_U32 = 0xffff_ffff;

const textEncoder = new TextEncoder();

/** A fresh mutable copy (noble takes `Uint8Array`; copying also shields callers' buffers). */
export function toBytes(bytes: BytesLike): Uint8Array {
  return Uint8Array.from(bytes as Uint8Array);
}

/** Copies `bytes` after checking its length, naming the input in the error. */
export function bytesOfLength(bytes: BytesLike, expected: number, name: string): Uint8Array {
  if (bytes.length !== expected) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_LENGTH, {
      name,
      expected,
      actual: bytes.length,
    });
  }
  return toBytes(bytes);
}

export function utf8(text: string): Uint8Array {
  return textEncoder.encode(text);
}

export function u32le(value: number): Uint8Array {
  const out = new Uint8Array(4);
  new DataView(out.buffer).setUint32(0, value, true);
  return out;
}

export function concatBytes(...parts: readonly BytesLike[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part as Uint8Array, offset);
    offset += part.length;
  }
  return out;
}

export function bytesEqual(a: BytesLike, b: BytesLike): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= (a[i] as number) ^ (b[i] as number);
  return diff === 0;
}

/** The 32 bytes of a base58 address. */
export function addressBytes(address: Address): Uint8Array {
  return toBytes(getAddressEncoder().encode(address));
}
