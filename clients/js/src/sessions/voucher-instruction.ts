/**
 * The on-chain half of a voucher: the Ed25519 precompile instruction `settle_session` reads through the
 * Instructions sysvar (docs/sessions.md §2), and the two-instruction pair a server sends to settle.
 */
import { type Address, type Instruction, type ReadonlyUint8Array, type TransactionSigner } from "@solana/kit";

import { addressBytes, toBytes, type BytesLike } from "../crypto/bytes";
import { getSettleSessionInstruction } from "../generated";
import { encodeVoucher, type Voucher } from "./voucher";

/** The Ed25519 signature-verification precompile. */
export const ED25519_PROGRAM_ADDRESS =
  "Ed25519SigVerify111111111111111111111111111" as Address<"Ed25519SigVerify111111111111111111111111111">;

/** Canonical single-signature layout: public key at 16, signature at 48, the 54-byte voucher at 112 (166 bytes). */
export const ED25519_PUBLIC_KEY_OFFSET = 16;
export const ED25519_SIGNATURE_OFFSET = 48;
export const ED25519_MESSAGE_OFFSET = 112;
/** "This instruction" as a precompile instruction index. */
const THIS_INSTRUCTION = 0xffff;

function voucherBytes(voucher: Voucher | BytesLike): Uint8Array {
  return voucher instanceof Uint8Array || ArrayBuffer.isView(voucher) ? toBytes(voucher as BytesLike) : encodeVoucher(voucher as Voucher);
}

/**
 * The Ed25519 precompile instruction that verifies `signature` by `voucherSigner` over the voucher, in the
 * exact layout `settle_session` accepts: one signature, every offset inside this instruction (index 0xFFFF),
 * public key at 16, signature at 48, the 54-byte voucher at 112. Place it immediately before `settle_session`.
 * Pure: it signs nothing (sign with the session key first, e.g. `ed25519.sign(encodeVoucher(v), secret)`).
 *
 * @example
 * ```ts
 * const ix = getVoucherVerifyInstruction({ voucherSigner, voucher, signature });
 * ix.data!.length; // 166
 * ```
 */
export function getVoucherVerifyInstruction(input: {
  voucherSigner: Address;
  /** The voucher, or its 54 encoded bytes exactly as signed. */
  voucher: Voucher | BytesLike;
  signature: BytesLike;
}): Instruction<typeof ED25519_PROGRAM_ADDRESS> & { readonly data: ReadonlyUint8Array } {
  const message = voucherBytes(input.voucher);
  if (input.signature.length !== 64) throw new RangeError(`voucher signature: ${input.signature.length} bytes, expected 64`);
  const data = new Uint8Array(ED25519_MESSAGE_OFFSET + message.length);
  const view = new DataView(data.buffer);
  data[0] = 1; // one signature
  data[1] = 0; // padding
  const offsets = [
    ED25519_SIGNATURE_OFFSET,
    THIS_INSTRUCTION,
    ED25519_PUBLIC_KEY_OFFSET,
    THIS_INSTRUCTION,
    ED25519_MESSAGE_OFFSET,
    message.length,
    THIS_INSTRUCTION,
  ];
  offsets.forEach((value, i) => view.setUint16(2 + 2 * i, value, true));
  data.set(addressBytes(input.voucherSigner), ED25519_PUBLIC_KEY_OFFSET);
  data.set(toBytes(input.signature), ED25519_SIGNATURE_OFFSET);
  data.set(message, ED25519_MESSAGE_OFFSET);
  return { programAddress: ED25519_PROGRAM_ADDRESS, data };
}

/**
 * `[Ed25519 verify, settle_session]`: what the server's operator sends to settle a signed voucher (add
 * `close_session` after them in the same transaction for the cooperative close). The fee is one transaction
 * signature plus one precompile signature (10,000 lamports).
 *
 * @example
 * ```ts
 * const ixs = getSettleSessionInstructions({ operator, server, session, feeVault, voucherSigner, voucher, signature });
 * ```
 */
export function getSettleSessionInstructions(input: {
  operator: TransactionSigner;
  server: Address;
  session: Address;
  /** Fee vault shard `session.feeShard` (`findFeeVaultPda({ shard })`). */
  feeVault: Address;
  voucherSigner: Address;
  voucher: Voucher | BytesLike;
  signature: BytesLike;
}): [Instruction, Instruction] {
  return [
    getVoucherVerifyInstruction(input),
    getSettleSessionInstruction({ operator: input.operator, server: input.server, session: input.session, feeVault: input.feeVault }),
  ];
}
