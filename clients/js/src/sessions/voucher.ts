/** The 54-byte session voucher (docs/sessions.md §2): what the session key signs and `settle_session` verifies. */
import { getAddressDecoder, type Address } from "@solana/kit";

import { addressBytes, toBytes, type BytesLike } from "../crypto/bytes";

/** Voucher bytes: magic (2) + session (32) + lamports (8) + tokens (8) + answers (4). */
export const VOUCHER_LENGTH = 54;
/** `'C'`, version 1. */
export const VOUCHER_MAGIC = Object.freeze([0x43, 0x01] as const);

/** Cumulative totals a client has paid on one session. */
export type Voucher = Readonly<{
  session: Address;
  /** Cumulative lamports (u64). */
  lamports: bigint;
  /** Cumulative prompt + answer tokens (u64). */
  tokens: bigint;
  /** Cumulative answers (u32). */
  answers: number;
}>;

const MAX_U64 = (1n << 64n) - 1n;

function invalid(reason: string): never {
  throw new RangeError(`invalid session voucher: ${reason}`);
}

/**
 * `0x43 0x01 || session(32) || u64le(lamports) || u64le(tokens) || u32le(answers)` (54 bytes).
 *
 * @example
 * ```ts
 * const bytes = encodeVoucher({ session, lamports: 2_500n, tokens: 530n, answers: 1 });
 * bytes.length; // 54
 * ```
 */
export function encodeVoucher(voucher: Voucher): Uint8Array {
  if (voucher.lamports < 0n || voucher.lamports > MAX_U64) invalid(`lamports ${voucher.lamports} is not a u64`);
  if (voucher.tokens < 0n || voucher.tokens > MAX_U64) invalid(`tokens ${voucher.tokens} is not a u64`);
  if (!Number.isInteger(voucher.answers) || voucher.answers < 0 || voucher.answers > 0xffff_ffff)
    invalid(`answers ${voucher.answers} is not a u32`);
  const out = new Uint8Array(VOUCHER_LENGTH);
  const view = new DataView(out.buffer);
  out.set(VOUCHER_MAGIC, 0);
  out.set(addressBytes(voucher.session), 2);
  view.setBigUint64(34, voucher.lamports, true);
  view.setBigUint64(42, voucher.tokens, true);
  view.setUint32(50, voucher.answers, true);
  return out;
}

/**
 * Reads voucher bytes; throws a `RangeError` for another length or magic.
 *
 * @example
 * ```ts
 * const { session, lamports } = decodeVoucher(bytes);
 * ```
 */
export function decodeVoucher(bytes: BytesLike): Voucher {
  if (bytes.length !== VOUCHER_LENGTH) invalid(`${bytes.length} bytes, expected ${VOUCHER_LENGTH}`);
  const copy = toBytes(bytes);
  if (copy[0] !== VOUCHER_MAGIC[0] || copy[1] !== VOUCHER_MAGIC[1])
    invalid(`magic ${copy[0]!.toString(16)} ${copy[1]!.toString(16)}, expected 43 01`);
  const view = new DataView(copy.buffer, copy.byteOffset, copy.byteLength);
  return {
    session: getAddressDecoder().decode(copy.subarray(2, 34)),
    lamports: view.getBigUint64(34, true),
    tokens: view.getBigUint64(42, true),
    answers: view.getUint32(50, true),
  };
}
