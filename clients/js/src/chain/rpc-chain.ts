import {
  createSolanaRpc,
  getBase58Encoder,
  getBase64Decoder,
  getBase64EncodedWireTransaction,
  getBase64Encoder,
  getSignatureFromTransaction,
  lamports,
  type Address,
  type Base64EncodedBytes,
  type Signature,
} from "@solana/kit";
import { signInstructions } from "./build-transaction";
import type { Chain, ChainAccount, HistoricalTransaction, ProgramAccountsQuery, SendOptions, SentTransaction } from "./chain";
import { parseCustomCode, parseInstructionIndex, TransactionFailedError } from "./transaction-error";

export type RpcChainOptions = {
  /** How long to wait for a sent transaction to confirm. */
  readonly confirmTimeoutMs?: number;
  /** Poll interval while confirming. */
  readonly pollMs?: number;
};

/** The RPC endpoint could not be reached or answered with a transport error. */
export class RpcUnreachableError extends Error {
  override readonly name = "RpcUnreachableError";
  constructor(readonly url: string, cause: unknown) {
    super(`cannot reach the Solana RPC at ${url}: ${cause instanceof Error ? cause.message : String(cause)}. Check --url and that the node is running.`, { cause });
  }
}

const isTransportError = (e: unknown): boolean => {
  const text = `${e instanceof Error ? `${e.message} ${String((e as { cause?: unknown }).cause ?? "")}` : String(e)}`;
  return /fetch failed|ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|socket hang up|HTTP error/i.test(text);
};

/**
 * A {@link Chain} backed by any Solana JSON-RPC endpoint (local validator, devnet, mainnet).
 *
 * @example
 * const chain = createRpcChain("http://127.0.0.1:8899");
 * const slot = await chain.getSlot();
 */
export function createRpcChain(url: string, options: RpcChainOptions = {}): Chain {
  const rpc = createSolanaRpc(url);
  const confirmTimeoutMs = options.confirmTimeoutMs ?? 60_000;
  const pollMs = options.pollMs ?? 400;
  const b64 = getBase64Encoder();
  const b64d = getBase64Decoder();
  const b58 = getBase58Encoder();

  const call = async <T>(request: { send(): Promise<T> }): Promise<T> => {
    try {
      return await request.send();
    } catch (e) {
      if (isTransportError(e)) throw new RpcUnreachableError(url, e);
      throw e;
    }
  };
  type RpcAccount = { lamports: bigint; owner: Address; executable: boolean; data: readonly [Base64EncodedBytes, "base64"] };
  const toAccount = (address: Address, value: RpcAccount | null): ChainAccount | null =>
    value === null
      ? null
      : { address, lamports: BigInt(value.lamports), owner: value.owner, executable: value.executable, data: b64.encode(value.data[0]) };
  const failure = (err: unknown, logs: readonly string[]) => {
    const text = JSON.stringify(err, (_k, v) => (typeof v === "bigint" ? Number(v) : v));
    return new TransactionFailedError({ instructionIndex: parseInstructionIndex(text), customCode: parseCustomCode(text), reason: text, logs });
  };

  return {
    kind: "rpc",
    label: url,
    async getSlot() {
      return call(rpc.getSlot({ commitment: "confirmed" }));
    },
    async getAccount(address) {
      const { value } = await call(rpc.getAccountInfo(address, { encoding: "base64", commitment: "confirmed" }));
      return toAccount(address, value as RpcAccount | null);
    },
    async getAccounts(addresses) {
      const out: (ChainAccount | null)[] = [];
      for (let i = 0; i < addresses.length; i += 100) {
        const batch = addresses.slice(i, i + 100);
        const { value } = await call(rpc.getMultipleAccounts(batch, { encoding: "base64", commitment: "confirmed" }));
        value.forEach((v, j) => out.push(toAccount(batch[j]!, v as RpcAccount | null)));
      }
      return out;
    },
    async getProgramAccounts(program: Address, query: ProgramAccountsQuery = {}) {
      const filters = [
        ...(query.dataSize === undefined ? [] : [{ dataSize: BigInt(query.dataSize) }]),
        ...(query.memcmp ?? []).map((m) => ({
          memcmp: { offset: BigInt(m.offset), bytes: b64d.decode(m.bytes) as Base64EncodedBytes, encoding: "base64" as const },
        })),
      ];
      const accounts = await call(rpc.getProgramAccounts(program, { encoding: "base64", commitment: "confirmed", filters }));
      return (accounts as unknown as { pubkey: Address; account: RpcAccount }[]).map((a) => toAccount(a.pubkey, a.account)!);
    },
    async getBalance(address) {
      const { value } = await call(rpc.getBalance(address, { commitment: "confirmed" }));
      return BigInt(value);
    },
    async getMinimumBalanceForRentExemption(dataLength) {
      return BigInt(await call(rpc.getMinimumBalanceForRentExemption(BigInt(dataLength))));
    },
    async sendInstructions(instructions, { feePayer, computeUnitLimit }: SendOptions): Promise<SentTransaction> {
      const { value: lifetime } = await call(rpc.getLatestBlockhash({ commitment: "confirmed" }));
      const tx = await signInstructions(instructions, feePayer, lifetime, computeUnitLimit);
      const signature = getSignatureFromTransaction(tx);
      try {
        await call(rpc.sendTransaction(getBase64EncodedWireTransaction(tx), { encoding: "base64", preflightCommitment: "confirmed" }));
      } catch (e) {
        if (e instanceof RpcUnreachableError) throw e;
        // Preflight simulation failed: the error context carries the runtime error and logs.
        const context = (e as { context?: { logs?: string[] }; cause?: unknown }).context;
        throw failure((e as { cause?: unknown }).cause ?? e, context?.logs ?? []);
      }
      const started = Date.now();
      for (;;) {
        const { value } = await call(rpc.getSignatureStatuses([signature]));
        const status = value[0];
        if (status?.err) {
          const meta = await call(rpc.getTransaction(signature, { encoding: "json", maxSupportedTransactionVersion: 0, commitment: "confirmed" }));
          throw failure(status.err, meta?.meta?.logMessages ?? []);
        }
        if (status && (status.confirmationStatus === "confirmed" || status.confirmationStatus === "finalized")) break;
        if (Date.now() - started > confirmTimeoutMs) throw new Error(`transaction ${signature} not confirmed within ${confirmTimeoutMs} ms on ${url}`);
        await new Promise((r) => setTimeout(r, pollMs));
      }
      const landed = await call(rpc.getTransaction(signature, { encoding: "json", maxSupportedTransactionVersion: 0, commitment: "confirmed" }));
      return {
        signature,
        slot: landed?.slot ?? 0n,
        computeUnits: landed?.meta?.computeUnitsConsumed ?? null,
        fee: BigInt(landed?.meta?.fee ?? 0n),
        logs: landed?.meta?.logMessages ?? [],
      };
    },
    async getSignaturesForAddress(address, limit = 1000) {
      const list = await call(rpc.getSignaturesForAddress(address, { limit, commitment: "confirmed" }));
      return list.filter((s) => s.err === null).map((s) => s.signature);
    },
    async getTransaction(signature: Signature): Promise<HistoricalTransaction | null> {
      const tx = await call(rpc.getTransaction(signature, { encoding: "json", maxSupportedTransactionVersion: 0, commitment: "confirmed" }));
      if (!tx) return null;
      const keys = [
        ...tx.transaction.message.accountKeys,
        ...(tx.meta?.loadedAddresses?.writable ?? []),
        ...(tx.meta?.loadedAddresses?.readonly ?? []),
      ] as Address[];
      return {
        signature,
        slot: tx.slot,
        instructions: tx.transaction.message.instructions.map((ix) => ({
          programAddress: keys[ix.programIdIndex]!,
          accounts: ix.accounts.map((i) => keys[i]!),
          data: b58.encode(ix.data),
        })),
      };
    },
    async airdrop(address, amount) {
      const signature = await call(rpc.requestAirdrop(address, lamports(amount), { commitment: "confirmed" }));
      const started = Date.now();
      for (;;) {
        const { value } = await call(rpc.getSignatureStatuses([signature]));
        if (value[0]?.confirmationStatus === "confirmed" || value[0]?.confirmationStatus === "finalized") return;
        if (Date.now() - started > confirmTimeoutMs) throw new Error(`airdrop to ${address} not confirmed on ${url}`);
        await new Promise((r) => setTimeout(r, pollMs));
      }
    },
  };
}
