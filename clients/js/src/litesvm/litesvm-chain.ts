import { FailedTransactionMetadata, LiteSVM } from "litesvm";
import {
  getCompiledTransactionMessageDecoder,
  getSignatureFromTransaction,
  lamports,
  type Address,
  type Signature,
  type Transaction,
} from "@solana/kit";
import { signInstructions } from "../chain/build-transaction";
import type {
  AccountWatch,
  Chain,
  ChainAccount,
  HistoricalTransaction,
  ProgramAccountsQuery,
  SendOptions,
  SentTransaction,
} from "../chain/chain";
import { failingProgram, instructionPrograms } from "../chain/failing-program";
import { matchesQuery } from "../chain/filters";
import { signatureQuery } from "../chain/signature-history";
import { setUpgradeAuthority } from "./upgrade-authority";
import { parseCustomCode, parseInstructionIndex, TransactionFailedError } from "../chain/transaction-error";

/** LiteSVM charges the default 5,000 lamports per signature and no priority fee here. */
export const LITESVM_LAMPORTS_PER_SIGNATURE = 5_000n;

/** The Ed25519 precompile: each signature it verifies is charged like a transaction signature. */
const ED25519_PRECOMPILE = "Ed25519SigVerify111111111111111111111111111";

/** A blockhash stays valid for this many slots after it was issued, as on a cluster. */
export const RECENT_BLOCKHASH_SLOTS = 150n;
const MAX_RECENT_BLOCKHASHES = 4096;

/** LiteSVM's `TransactionErrorFieldless` (a const enum, so absent at run time), in order. */
const TRANSACTION_ERROR_NAMES = [
  "AccountInUse",
  "AccountLoadedTwice",
  "AccountNotFound",
  "ProgramAccountNotFound",
  "InsufficientFundsForFee",
  "InvalidAccountForFee",
  "AlreadyProcessed",
  "BlockhashNotFound",
  "CallChainTooDeep",
  "MissingSignatureForFee",
  "InvalidAccountIndex",
  "SignatureFailure",
  "InvalidProgramForExecution",
  "SanitizeFailure",
  "ClusterMaintenance",
  "AccountBorrowOutstanding",
  "WouldExceedMaxBlockCostLimit",
  "UnsupportedVersion",
  "InvalidWritableAccount",
  "WouldExceedMaxAccountCostLimit",
  "WouldExceedAccountDataBlockLimit",
  "TooManyAccountLocks",
  "AddressLookupTableNotFound",
  "InvalidAddressLookupTableOwner",
  "InvalidAddressLookupTableData",
  "InvalidAddressLookupTableIndex",
  "InvalidRentPayingAccount",
  "WouldExceedMaxVoteCostLimit",
  "WouldExceedAccountDataTotalLimit",
  "MaxLoadedAccountsDataSizeExceeded",
  "ResanitizationNeeded",
  "InvalidLoadedAccountsDataSizeLimit",
  "UnbalancedTransaction",
  "ProgramCacheHitMaxLimit",
  "CommitCancelled",
];

export type LiteSvmChainOptions = {
  /**
   * Programs to load: address and path to the `.so`, deployed through the upgradeable loader;
   * `upgradeAuthority` is recorded in the ProgramData (Chainference's Config admin must be it).
   */
  readonly programs?: readonly { readonly address: Address; readonly path: string; readonly upgradeAuthority?: Address }[];
  /**
   * Wall-clock milliseconds per slot. With 400 (mainnet's target) the embedded chain's slot
   * advances like a real cluster's, so deadlines behave as they would there. 0 = slots move only
   * through {@link LiteSvmChain.warpSlots}.
   */
  readonly slotDurationMs?: number;
  /** Use an existing LiteSVM instance (tests that set accounts directly). */
  readonly svm?: LiteSVM;
};

/** A transaction that landed on the embedded chain, kept for history queries. */
export type LandedTransaction = SentTransaction & {
  readonly transaction: Transaction;
  readonly accountKeys: readonly Address[];
  readonly history: HistoricalTransaction;
};

/** The in-process chain, plus the handles tests, the demo and the local RPC server need. */
export type LiteSvmChain = Chain & {
  readonly kind: "litesvm";
  readonly svm: LiteSVM;
  /** Moves the clock forward by `slots` (on top of wall-clock progression). */
  warpSlots(slots: bigint): void;
  /** Lands an already signed transaction; throws {@link TransactionFailedError} when it fails. */
  submit(transaction: Transaction): SentTransaction;
  /** A landed transaction with its wire form and account keys (the local RPC server's getTransaction). */
  getLanded(signature: Signature): LandedTransaction | null;
  /** Calls `listener` synchronously after each landed transaction (the local RPC server's subscriptions); returns the unsubscribe function. */
  onLanded(listener: (landed: LandedTransaction) => void): () => void;
  subscribeAccountChanges(watch: AccountWatch, onChange: () => void): () => void;
};

/**
 * An in-process chain on LiteSVM running the real programs.
 *
 * @example
 * const chain = createLiteSvmChain({ programs: [{ address: CHAINFERENCE_PROGRAM_ADDRESS, path: "target/deploy/chainference.so" }] });
 * await chain.airdrop(payer.address, 10_000_000_000n);
 */
export function createLiteSvmChain(options: LiteSvmChainOptions = {}): LiteSvmChain {
  // LiteSVM accepts only its latest blockhash, and `submit` moves it on after every transaction, so a
  // transaction signed while another landed (concurrent clients and nodes, the local RPC server) would
  // fail with BlockhashNotFound. Like a cluster, accept any blockhash issued in the last
  // RECENT_BLOCKHASH_SLOTS slots instead (the signature history still rejects an identical resend as
  // AlreadyProcessed).
  const svm = (options.svm ?? new LiteSVM()).withBlockhashCheck(false);
  for (const program of options.programs ?? []) {
    svm.addProgramFromFile(program.address, program.path);
    if (program.upgradeAuthority) setUpgradeAuthority(svm, program.address, program.upgradeAuthority);
  }
  const slotMs = options.slotDurationMs ?? 0;
  const startedAt = Date.now();
  const startSlot = svm.getClock().slot;
  let warped = 0n;
  const landed = new Map<Signature, LandedTransaction>();
  /** Each address's signatures, oldest first (read newest first). */
  const byAddress = new Map<Address, Signature[]>();
  const messageDecoder = getCompiledTransactionMessageDecoder();
  const recentBlockhashes = new Map<string, bigint>();
  const issueBlockhash = () => {
    recentBlockhashes.set(svm.latestBlockhash(), svm.getClock().slot);
    if (recentBlockhashes.size > MAX_RECENT_BLOCKHASHES) recentBlockhashes.delete(recentBlockhashes.keys().next().value!);
  };
  issueBlockhash();

  const sync = (): bigint => {
    const wall = slotMs > 0 ? BigInt(Math.floor((Date.now() - startedAt) / slotMs)) : 0n;
    const target = startSlot + wall + warped;
    if (target > svm.getClock().slot) svm.warpToSlot(target);
    return svm.getClock().slot;
  };
  const toAccount = (address: Address): ChainAccount | null => {
    const account = svm.getAccount(address);
    if (!account.exists) return null;
    return { address, lamports: account.lamports, owner: account.programAddress, data: account.data, executable: account.executable };
  };
  const failure = (result: FailedTransactionMetadata, transaction: Transaction) => {
    const err = result.err();
    // Transaction-level errors come back as a bare enum number: name them (retry logic matches names).
    const text = typeof err === "number" ? (TRANSACTION_ERROR_NAMES[err] ?? `TransactionError(${err})`) : String(err);
    const instructionIndex = parseInstructionIndex(text);
    const logs = result.meta().logs();
    return new TransactionFailedError({
      instructionIndex,
      customCode: parseCustomCode(text),
      programAddress: failingProgram({ instructionIndex, logs, programs: instructionPrograms(transaction) }),
      reason: text,
      logs,
    });
  };
  const landedListeners = new Set<(landed: LandedTransaction) => void>();
  const onLanded = (listener: (landed: LandedTransaction) => void) => {
    // A wrapper per call, so subscribing the same function twice needs two unsubscribes.
    const entry = (l: LandedTransaction) => listener(l);
    landedListeners.add(entry);
    return () => void landedListeners.delete(entry);
  };
  const record = (entry: LandedTransaction) => {
    landed.set(entry.signature, entry);
    for (const address of new Set(entry.accountKeys)) {
      const signatures = byAddress.get(address);
      if (signatures) signatures.push(entry.signature);
      else byAddress.set(address, [entry.signature]);
    }
    for (const listener of [...landedListeners]) {
      try {
        listener(entry);
      } catch {
        // A subscriber's failure is its own; the transaction landed.
      }
    }
  };
  /** True when a landed transaction touched an account `watch` covers (program watches check the new state). */
  const touches = (watch: AccountWatch, keys: readonly Address[]): boolean => {
    if ("addresses" in watch) return keys.some((k) => watch.addresses.includes(k));
    return keys.some((k) => {
      const account = svm.getAccount(k);
      return account.exists && account.programAddress === watch.program && matchesQuery(account.data, watch.query ?? {});
    });
  };

  /** Signatures verified by Ed25519 precompile instructions (the count is each one's first data byte). */
  const precompileSignatures = (message: ReturnType<typeof messageDecoder.decode>): number =>
    "instructions" in message
      ? message.instructions.reduce(
          (sum, ix) => sum + (message.staticAccounts[ix.programAddressIndex] === ED25519_PRECOMPILE ? (ix.data?.[0] ?? 0) : 0),
          0,
        )
      : 0;

  const submit = (transaction: Transaction): SentTransaction => {
    const message = messageDecoder.decode(transaction.messageBytes);
    // History indexing reads static account keys: legacy and v0 messages without lookup tables.
    if (message.version === 1) throw new Error("v1 transaction messages are not supported by the embedded chain");
    const slot = sync();
    // A resend of a transaction that already landed (its answer lost on the way) is AlreadyProcessed,
    // as a cluster's status cache says, rather than being simulated again against the new state.
    if (landed.has(getSignatureFromTransaction(transaction)))
      throw new TransactionFailedError({ instructionIndex: null, customCode: null, reason: "AlreadyProcessed", logs: [] });
    const issued = recentBlockhashes.get(message.lifetimeToken);
    const current = message.lifetimeToken === svm.latestBlockhash();
    if (!current && (issued === undefined || slot > issued + RECENT_BLOCKHASH_SLOTS))
      throw new TransactionFailedError({ instructionIndex: null, customCode: null, reason: "BlockhashNotFound", logs: [] });
    // Preflight like an RPC node: a transaction that would fail is rejected before it lands,
    // so it costs no fee (LiteSVM itself charges fees for failed transactions).
    const simulated = svm.simulateTransaction(transaction);
    if (simulated instanceof FailedTransactionMetadata) throw failure(simulated, transaction);
    const result = svm.sendTransaction(transaction);
    // A fresh blockhash per transaction: identical retries must not collide as duplicates.
    svm.expireBlockhash();
    issueBlockhash();
    if (result instanceof FailedTransactionMetadata) throw failure(result, transaction);
    const signature = getSignatureFromTransaction(transaction);
    const accountKeys = message.staticAccounts;
    const sent: SentTransaction = {
      signature,
      slot,
      computeUnits: result.computeUnitsConsumed(),
      fee: LITESVM_LAMPORTS_PER_SIGNATURE * BigInt(Object.keys(transaction.signatures).length + precompileSignatures(message)),
      logs: result.logs(),
    };
    record({
      ...sent,
      transaction,
      accountKeys,
      history: {
        signature,
        slot,
        instructions: message.instructions.map((ix) => ({
          programAddress: accountKeys[ix.programAddressIndex]!,
          accounts: (ix.accountIndices ?? []).map((i) => accountKeys[i]!),
          data: ix.data ?? new Uint8Array(),
        })),
      },
    });
    return sent;
  };

  return {
    kind: "litesvm",
    label: "in-process LiteSVM",
    svm,
    submit,
    getLanded: (signature) => landed.get(signature) ?? null,
    onLanded,
    subscribeAccountChanges(watch, onChange) {
      return onLanded((entry) => {
        if (touches(watch, entry.accountKeys)) onChange();
      });
    },
    warpSlots(slots) {
      warped += slots;
      sync();
    },
    async getSlot() {
      return sync();
    },
    async getAccount(address) {
      sync();
      return toAccount(address);
    },
    async getAccounts(addresses) {
      sync();
      return addresses.map(toAccount);
    },
    async getProgramAccounts(program: Address, query: ProgramAccountsQuery = {}) {
      sync();
      return svm
        .getProgramAccounts(program)
        .map((a) => ({ address: a.address, lamports: a.lamports, owner: a.programAddress, data: a.data, executable: a.executable }))
        .filter((a) => matchesQuery(a.data, query));
    },
    async getBalance(address) {
      return svm.getBalance(address) ?? 0n;
    },
    async getMinimumBalanceForRentExemption(dataLength) {
      return svm.minimumBalanceForRentExemption(BigInt(dataLength));
    },
    async sendInstructions(instructions, { feePayer, computeUnitLimit }: SendOptions) {
      const slot = sync();
      const tx = await signInstructions(
        instructions,
        feePayer,
        { blockhash: svm.latestBlockhash(), lastValidBlockHeight: slot + 150n },
        computeUnitLimit,
      );
      return submit(tx);
    },
    async getSignaturesForAddress(address, query) {
      const { before, until, limit } = signatureQuery(query);
      const all = [...(byAddress.get(address) ?? [])].reverse();
      // As a validator: an unknown `before` or `until` cursor yields nothing past it.
      const start = before === undefined ? 0 : all.indexOf(before) + 1;
      if (before !== undefined && start === 0) return [];
      const end = until === undefined ? all.length : all.indexOf(until);
      return all.slice(start, end < 0 ? all.length : end).slice(0, limit);
    },
    async getTransaction(signature) {
      return landed.get(signature)?.history ?? null;
    },
    async airdrop(address, amount) {
      const result = svm.airdrop(address, lamports(amount));
      if (result instanceof FailedTransactionMetadata) throw new Error(`airdrop to ${address} failed: ${String(result.err())}`);
    },
  };
}
