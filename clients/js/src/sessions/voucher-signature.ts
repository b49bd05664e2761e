/** Signing and checking vouchers off-chain with the session's voucher signer (Ed25519 over the 54 voucher bytes). */
import { ed25519 } from "@noble/curves/ed25519.js";
import type { Address } from "@solana/kit";

import { addressBytes, bytesOfLength, toBytes, type BytesLike } from "../crypto/bytes";
import { CRYPTO_KEY_LENGTH } from "../crypto/constants";
import { SESSION_SIGNATURE_LENGTH } from "./constants";
import { encodeVoucher, VOUCHER_LENGTH, type Voucher } from "./voucher";

/** A voucher with its signature, as the client posts it and the node keeps it for `settle_session`. */
export type SignedVoucher = Readonly<{ voucher: Voucher; bytes: Uint8Array; signature: Uint8Array }>;

/**
 * Encodes and signs a voucher with the voucher signer's 32-byte Ed25519 seed ({@link SessionKeys}.voucherSecret).
 *
 * @example
 * ```ts
 * const signed = signVoucher({ voucher: { session, lamports: 2_500n, tokens: 530n, answers: 1 }, voucherSecret: keys.voucherSecret });
 * ```
 */
export function signVoucher({ voucher, voucherSecret }: { voucher: Voucher; voucherSecret: BytesLike }): SignedVoucher {
  const bytes = encodeVoucher(voucher);
  const signature = ed25519.sign(bytes, bytesOfLength(voucherSecret, CRYPTO_KEY_LENGTH, "voucher signer seed"));
  return { voucher, bytes, signature };
}

/**
 * True when `signature` is a valid Ed25519 signature by `voucherSigner` over exactly the 54 `bytes`.
 *
 * @example
 * ```ts
 * if (!verifyVoucherSignature({ bytes, signature, voucherSigner: session.voucherSigner })) reject();
 * ```
 */
export function verifyVoucherSignature({
  bytes,
  signature,
  voucherSigner,
}: {
  bytes: BytesLike;
  signature: BytesLike;
  voucherSigner: Address;
}): boolean {
  if (bytes.length !== VOUCHER_LENGTH || signature.length !== SESSION_SIGNATURE_LENGTH) return false;
  try {
    return ed25519.verify(toBytes(signature), toBytes(bytes), addressBytes(voucherSigner));
  } catch {
    return false;
  }
}
