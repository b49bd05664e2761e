import { FailedTransactionMetadata, LiteSVM } from "litesvm";
import {
  getSignatureFromTransaction,
  lamports,
  type Address,
  type Instruction,
  type Signature,
} from "@solana/kit";
import { signInstructions } from "./build-transaction";
import type { Chain, ChainAccount, HistoricalTransaction, ProgramAccountsQuery, SendOptions, SentTransaction } from "./chain";
import { matchesQuery } from "./filters";
import { parseCustomCode, parseInstructionIndex, TransactionFailedError } from "./transaction-error";

/** LiteSVM charges the default 5,000 lamports per signature and no priority fee here. */
export const LITESVM_LAMPORTS_PER_SIGNATURE = 5_000n;

export type LiteSvmChainOptions = {
  /** Programs to load: address and path to the `.so`. */
  readonly programs?: readonly { readonly address: Address; readonly path: string }[];
  /**
   * Wall-clock milliseconds per slot. With 400 (mainnet's target) the embedded chain's slot
   * advances like a real cluster's, so deadlines behave as they would there. 0 = slots move only
   * through {@link LiteSvmChain.warpSlots}.
   */
  readonly slotDurationMs?: number;
  /** Use an existing LiteSVM instance (tests that set accounts directly). */
  readonly svm?: LiteSVM;
};

/** The in-process chain, plus the handles tests and the demo need. */
export type LiteSvmChain = Chain & {
  readonly kind: "litesvm";
  readonly svm: LiteSVM;
  /** Moves the clock forward by `slots` (on top of wall-clock progression). */
  warpSlots(slots: bigint): void;
};

/**
 * An in-process chain on LiteSVM running the real programs.
 *
 * @example
 * const chain = createLiteSvmChain({ programs: [{ address: CHAINFERENCE_PROGRAM_ADDRESS, path: "target/deploy/chainference.so" }] });
 * await chain.airdrop(payer.address, 10_000_000_000n);
 */
export function createLiteSvmChain(options: LiteSvmChainOptions = {}): LiteSvmChain {
  const svm = options.svm ?? new LiteSVM();
  for (const program of options.programs ?? []) svm.addProgramFromFile(program.address, program.path);
  const slotMs = options.slotDurationMs ?? 0;
  const startedAt = Date.now();
  const startSlot = svm.getClock().slot;
  let warped = 0n;
  const history = new Map<Signature, HistoricalTransaction>();
  const byAddress = new Map<Address, Signature[]>();

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
  const record = (signature: Signature, slot: bigint, instructions: readonly Instruction[], feePayer: Address) => {
    const entry: HistoricalTransaction = {
      signature,
      slot,
      instructions: instructions.map((ix) => ({
        programAddress: ix.programAddress,
        accounts: (ix.accounts ?? []).map((a) => a.address),
        data: ix.data ?? new Uint8Array(),
      })),
    };
    history.set(signature, entry);
    const touched = new Set<Address>([feePayer, ...entry.instructions.flatMap((ix) => ix.accounts)]);
    for (const address of touched) byAddress.set(address, [signature, ...(byAddress.get(address) ?? [])]);
  };

  return {
    kind: "litesvm",
    label: "in-process LiteSVM",
    svm,
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
    async sendInstructions(instructions, { feePayer, computeUnitLimit }: SendOptions): Promise<SentTransaction> {
      const slot = sync();
      const tx = await signInstructions(instructions, feePayer, { blockhash: svm.latestBlockhash(), lastValidBlockHeight: slot + 150n }, computeUnitLimit);
      const result = svm.sendTransaction(tx);
      // A fresh blockhash per transaction: identical retries must not collide as duplicates.
      svm.expireBlockhash();
      if (result instanceof FailedTransactionMetadata) {
        const text = String(result.err());
        throw new TransactionFailedError({
          instructionIndex: parseInstructionIndex(text),
          customCode: parseCustomCode(text),
          reason: text,
          logs: result.meta().logs(),
        });
      }
      const signature = getSignatureFromTransaction(tx);
      record(signature, slot, instructions, feePayer.address);
      return {
        signature,
        slot,
        computeUnits: result.computeUnitsConsumed(),
        fee: LITESVM_LAMPORTS_PER_SIGNATURE * BigInt(Object.keys(tx.signatures).length),
        logs: result.logs(),
      };
    },
    async getSignaturesForAddress(address, limit = 1000) {
      return (byAddress.get(address) ?? []).slice(0, limit);
    },
    async getTransaction(signature) {
      return history.get(signature) ?? null;
    },
    async airdrop(address, amount) {
      const result = svm.airdrop(address, lamports(amount));
      if (result instanceof FailedTransactionMetadata) throw new Error(`airdrop to ${address} failed: ${String(result.err())}`);
    },
  };
}

