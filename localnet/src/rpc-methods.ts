/** The HTTP JSON-RPC methods: the subset wallets, @solana/kit and the Chainference SDK use. */
import { getBase58Decoder, getBase58Encoder, getBase64Encoder, getTransactionDecoder, type Address, type Signature } from "@solana/kit";
import { isTransactionFailed, MAX_SIGNATURES_PER_PAGE } from "@chainference/client";
import { type LiteSvmChain } from "@chainference/client/litesvm";
import { accountJson } from "./account-json";
import type { Json, RpcFailure, RpcMethod } from "./json-rpc";
import { parseFilters, type RpcFilter } from "./program-filters";
import { rpcTransactionError } from "./transaction-error";
import { transactionJson } from "./transaction-json";

const b58e = getBase58Encoder();
const b58d = getBase58Decoder();
const b64e = getBase64Encoder();
const txDecoder = getTransactionDecoder();

/**
 * The methods over `chain`, by name. They share one piece of state: the status of every signature this
 * endpoint accepted (sent transactions and airdrops), which `getSignatureStatuses` reports.
 *
 * @example
 * const methods = createRpcMethods(chain);
 * await methods.getSlot!([]);
 */
export function createRpcMethods(chain: LiteSvmChain): Record<string, RpcMethod> {
  const statuses = new Map<Signature, { slot: bigint; err: Json }>();
  const ctx = async () => ({ slot: Number(await chain.getSlot()), apiVersion: "2.2.0" });

  return {
    getHealth: async () => "ok",
    getVersion: async () => ({ "solana-core": "2.2.0-litesvm", "feature-set": 0 }),
    getGenesisHash: async () => "LiteSVM1111111111111111111111111111111111111",
    getSlot: async () => Number(await chain.getSlot()),
    getBlockHeight: async () => Number(await chain.getSlot()),
    getEpochInfo: async () => {
      const slot = Number(await chain.getSlot());
      return { absoluteSlot: slot, blockHeight: slot, epoch: 0, slotIndex: slot, slotsInEpoch: 432000, transactionCount: null };
    },
    getLatestBlockhash: async () => {
      const slot = await chain.getSlot();
      return { context: await ctx(), value: { blockhash: chain.svm.latestBlockhash(), lastValidBlockHeight: Number(slot + 150n) } };
    },
    isBlockhashValid: async () => ({ context: await ctx(), value: true }),
    getBalance: async ([address]) => ({ context: await ctx(), value: Number(await chain.getBalance(address as Address)) }),
    getMinimumBalanceForRentExemption: async ([size]) => Number(await chain.getMinimumBalanceForRentExemption(Number(size))),
    getAccountInfo: async ([address, config]) => {
      const account = await chain.getAccount(address as Address);
      const encoding = (config as { encoding?: string } | undefined)?.encoding ?? "base58";
      return { context: await ctx(), value: account ? accountJson(account as never, encoding) : null };
    },
    getMultipleAccounts: async ([addresses, config]) => {
      const encoding = (config as { encoding?: string } | undefined)?.encoding ?? "base64";
      const accounts = await chain.getAccounts(addresses as Address[]);
      return { context: await ctx(), value: accounts.map((a) => (a ? accountJson(a as never, encoding) : null)) };
    },
    getProgramAccounts: async ([program, config]) => {
      const cfg = (config ?? {}) as { encoding?: string; withContext?: boolean; filters?: RpcFilter[] };
      const accounts = await chain.getProgramAccounts(program as Address, parseFilters(cfg.filters));
      const list = accounts.map((a) => ({ pubkey: a.address, account: accountJson(a as never, cfg.encoding ?? "base64") }));
      return cfg.withContext ? { context: await ctx(), value: list } : list;
    },
    requestAirdrop: async ([address, amount]) => {
      await chain.airdrop(address as Address, BigInt(amount as number));
      // LiteSVM airdrops are not transactions with a usable signature: report a synthetic one.
      const signature = b58d.decode(crypto.getRandomValues(new Uint8Array(64))) as Signature;
      statuses.set(signature, { slot: await chain.getSlot(), err: null });
      return signature;
    },
    sendTransaction: async ([wire, config]) => {
      const encoding = (config as { encoding?: string } | undefined)?.encoding ?? "base58";
      const bytes = encoding === "base64" ? b64e.encode(wire as string) : b58e.encode(wire as string);
      try {
        const sent = chain.submit(txDecoder.decode(bytes));
        statuses.set(sent.signature, { slot: sent.slot, err: null });
        return sent.signature;
      } catch (e) {
        if (!isTransactionFailed(e)) throw e;
        const { logs } = e.failure;
        const err = rpcTransactionError(e.failure);
        throw {
          code: -32002,
          message: `Transaction simulation failed: ${e.message}`,
          data: { err, logs: [...logs], accounts: null, unitsConsumed: 0, returnData: null },
        } satisfies RpcFailure;
      }
    },
    getSignatureStatuses: async ([signatures]) => ({
      context: await ctx(),
      value: (signatures as string[]).map((s) => {
        const status = statuses.get(s as Signature);
        return status
          ? { slot: Number(status.slot), confirmations: null, err: status.err, status: { Ok: null }, confirmationStatus: "finalized" }
          : null;
      }),
    }),
    getSignaturesForAddress: async ([address, config]) => {
      const { limit, before, until } = (config ?? {}) as { limit?: number; before?: Signature; until?: Signature };
      if (limit !== undefined && (limit < 1 || limit > MAX_SIGNATURES_PER_PAGE))
        throw { code: -32602, message: "Invalid limit; max 1000" } satisfies RpcFailure;
      const signatures = await chain.getSignaturesForAddress(address as Address, {
        ...(limit === undefined ? {} : { limit }),
        ...(before === undefined ? {} : { before }),
        ...(until === undefined ? {} : { until }),
      });
      return signatures.map((signature) => ({
        signature,
        slot: Number(chain.getLanded(signature)?.slot ?? 0n),
        err: null,
        memo: null,
        blockTime: null,
        confirmationStatus: "finalized",
      }));
    },
    getTransaction: async ([signature]) => {
      const landed = chain.getLanded(signature as Signature);
      return landed ? transactionJson(landed) : null;
    },
  };
}
