// Sessions (payment channels, docs/sessions.md): the voucher bytes and the on-chain instructions that settle them.
// The Session account, its PDA (`findSessionPda`) and the instruction builders are generated (../generated).
export { decodeVoucher, encodeVoucher, type Voucher } from "./voucher";
export {
  ED25519_MESSAGE_OFFSET,
  ED25519_PROGRAM_ADDRESS,
  ED25519_PUBLIC_KEY_OFFSET,
  ED25519_SIGNATURE_OFFSET,
  getSettleSessionInstructions,
  getVoucherVerifyInstruction,
} from "./voucher-instruction";
