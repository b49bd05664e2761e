import type { Address, Instruction, ReadonlyUint8Array, Signature, TransactionSigner } from "@solana/kit";

/** One account as the chain holds it. */
export type ChainAccount = {
  readonly address: Address;
  readonly lamports: bigint;
  readonly owner: Address;
  readonly data: ReadonlyUint8Array;
  readonly executable: boolean;
};

/** A `getProgramAccounts` byte filter: `bytes` must appear at `offset`. */
export type MemcmpFilter = { readonly offset: number; readonly bytes: ReadonlyUint8Array };

export type ProgramAccountsQuery = {
  readonly dataSize?: number;
  readonly memcmp?: readonly MemcmpFilter[];
};

/**
 * What {@link Chain.subscribeAccountChanges} watches: some accounts by address, or the accounts a
 * program owns that pass a `getProgramAccounts` query (after the change).
 */
export type AccountWatch =
  { readonly addresses: readonly Address[] } | { readonly program: Address; readonly query?: ProgramAccountsQuery };

/** What a landed transaction cost and said. */
export type SentTransaction = {
  readonly signature: Signature;
  readonly slot: bigint;
  /** Compute units consumed by the whole transaction (null when the RPC does not report it). */
  readonly computeUnits: bigint | null;
  readonly fee: bigint;
  readonly logs: readonly string[];
};

export type SendOptions = {
  readonly feePayer: TransactionSigner;
  /** Sets a compute-unit limit instruction when given. */
  readonly computeUnitLimit?: number;
};

/**
 * A page of an address's signature history: newest first, only signatures older than `before` and newer
 * than `until` (both exclusive), at most `limit` (default 1,000).
 */
export type SignatureQuery = { readonly before?: Signature; readonly until?: Signature; readonly limit?: number };

/** A transaction found in history: its signature, slot and the instructions it carried. */
export type HistoricalTransaction = {
  readonly signature: Signature;
  readonly slot: bigint;
  readonly instructions: readonly {
    readonly programAddress: Address;
    readonly accounts: readonly Address[];
    readonly data: ReadonlyUint8Array;
  }[];
};

/**
 * The small surface the SDK, the provider node and the CLI need from a Solana cluster.
 * Two implementations: `createLiteSvmChain` (in-process, Node only: `@chainference/client/litesvm`) and
 * {@link createRpcChain} (any JSON-RPC endpoint), so the same code runs in tests, the demo and on devnet.
 */
export type Chain = {
  readonly kind: "litesvm" | "rpc";
  /** Human label for logs: "in-process LiteSVM" or the RPC URL. */
  readonly label: string;
  getSlot(): Promise<bigint>;
  getAccount(address: Address): Promise<ChainAccount | null>;
  getAccounts(addresses: readonly Address[]): Promise<(ChainAccount | null)[]>;
  getProgramAccounts(program: Address, query?: ProgramAccountsQuery): Promise<ChainAccount[]>;
  getBalance(address: Address): Promise<bigint>;
  getMinimumBalanceForRentExemption(dataLength: number): Promise<bigint>;
  /** Builds, signs (with every signer attached to the instructions) and lands one transaction. */
  sendInstructions(instructions: readonly Instruction[], options: SendOptions): Promise<SentTransaction>;
  /**
   * Signatures of the successful transactions that named `address`, newest first; empty when the endpoint keeps
   * no history. A page holds fewer than `limit` only when no older one is left (failed transactions are skipped,
   * not counted), so a caller pages with `before` = the last one until a short page (`listSignaturesForAddress`).
   * A number is the limit alone.
   */
  getSignaturesForAddress(address: Address, query?: number | SignatureQuery): Promise<Signature[]>;
  getTransaction(signature: Signature): Promise<HistoricalTransaction | null>;
  /** Funds an address on local chains (LiteSVM, local validators); throws elsewhere. */
  airdrop(address: Address, lamports: bigint): Promise<void>;
  /**
   * Optional push notifications: calls `onChange` (with no details: re-read what you need) soon after a
   * watched account changes; returns the unsubscribe function. Best effort: a subscription that fails
   * stays silent, so callers keep polling as the fallback and treat a notification only as "look now".
   */
  subscribeAccountChanges?(watch: AccountWatch, onChange: () => void): () => void;
};
