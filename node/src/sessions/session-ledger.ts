import type { Address, Signature } from "@solana/kit";
import type { SignedVoucher } from "@chainference/client/sessions";

/** A Session account as the node needs it (docs/sessions.md §1). */
export type SessionView = Readonly<{
  address: Address;
  status: "open" | "closing" | "closed";
  client: Address;
  /** The Server account the session pays. */
  server: Address;
  voucherSigner: Address;
  modelId: string;
  revision: string;
  priceIn: bigint;
  priceOut: bigint;
  /** Server key epoch at open: the epoch asks must name. */
  keyEpoch: number;
  deposit: bigint;
  settledLamports: bigint;
  /** `min(expiry_slot, close_requested_slot + grace_slots)` while Closing, `expiry_slot` while Open. */
  settleDeadlineSlot: bigint;
}>;

/** What a settle or close transaction cost. */
export type LedgerReceipt = Readonly<{ signature: Signature; fee: bigint }>;

/**
 * The node's access to sessions on chain: reading Session accounts and the three transactions it sends. The chain
 * implementation builds them with the program's instructions; tests may give their own.
 */
export type SessionLedger = Readonly<{
  fetchSession(session: Address): Promise<SessionView | null>;
  getSlot(): Promise<bigint>;
  /** Ed25519 precompile instruction with the voucher, then `settle_session`. */
  settle(view: SessionView, voucher: SignedVoucher): Promise<LedgerReceipt>;
  /** The cooperative close: the final settle (when a voucher is given) and `close_session` in one transaction. */
  settleAndClose(view: SessionView, voucher: SignedVoucher | null): Promise<LedgerReceipt>;
}>;
