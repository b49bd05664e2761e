/** The chain a command talks to, plus how to describe its transactions (cost, explorer link). */
import { createSolanaRpc, type Signature } from "@solana/kit";
import { createRpcChain, type Chain } from "@chainference/client";
import type { LiteSvmChain } from "@chainference/client/litesvm";
import type { Output } from "../output/output";
import { explorerTransactionUrl } from "./explorer";
import type { Endpoint } from "./endpoint";

/** What a landed transaction cost. */
export type TransactionCost = { readonly computeUnits: bigint | null; readonly fee: bigint | null };

export type Session = {
  readonly chain: Chain;
  /** The RPC endpoint; null for the embedded in-process chain. */
  readonly endpoint: Endpoint | null;
  readonly out: Output;
  /** Compute units and fee of a landed transaction (from the embedded chain or the RPC's transaction meta). */
  transactionCost(signature: Signature): Promise<TransactionCost>;
  /** An explorer link on real clusters; null on the embedded chain. */
  explorerLink(signature: Signature): string | null;
};

/**
 * A session over a JSON-RPC endpoint (local validator, `chainference localnet`, devnet, mainnet).
 *
 * @example
 * const session = createRpcSession(resolveEndpoint("devnet"), out);
 */
export function createRpcSession(endpoint: Endpoint, out: Output): Session {
  const rpc = createSolanaRpc(endpoint.url);
  return {
    chain: createRpcChain(endpoint.url),
    endpoint,
    out,
    async transactionCost(signature) {
      const tx = await rpc
        .getTransaction(signature, { encoding: "json", maxSupportedTransactionVersion: 0, commitment: "confirmed" })
        .send()
        .catch(() => null);
      return { computeUnits: tx?.meta?.computeUnitsConsumed ?? null, fee: tx?.meta ? BigInt(tx.meta.fee) : null };
    },
    explorerLink: (signature) => explorerTransactionUrl(signature, endpoint),
  };
}

/**
 * A session over the in-process LiteSVM chain (the demo): costs come from the chain's own records.
 *
 * @example
 * const session = createEmbeddedSession(createLiteSvmChain({ programs, slotDurationMs: 400 }), out);
 */
export function createEmbeddedSession(chain: LiteSvmChain, out: Output): Session {
  return {
    chain,
    endpoint: null,
    out,
    async transactionCost(signature) {
      const landed = chain.getLanded(signature);
      return { computeUnits: landed?.computeUnits ?? null, fee: landed?.fee ?? null };
    },
    explorerLink: () => null,
  };
}
