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
  /**
   * How text output names a transaction: its explorer link on the public clusters (and on any cluster with
   * `--explorer-links`), else the short form of its signature (`5h6xAbCd…Qz9kLmNo`; `--json` has it in full).
   */
  transactionText(signature: Signature): string;
};

/** `5h6xAbCd…Qz9kLmNo`: enough of a signature to tell transactions apart and find it in a full listing. */
export function shortSignature(signature: string): string {
  return signature.length <= 20 ? signature : `${signature.slice(0, 8)}…${signature.slice(-8)}`;
}

/**
 * A session over a JSON-RPC endpoint (local validator, `chainference localnet`, devnet, mainnet).
 *
 * @example
 * const session = createRpcSession(toEndpoint("https://api.devnet.solana.com"), out);
 */
export function createRpcSession(
  endpoint: Endpoint,
  out: Output,
  { explorerLinks = false }: { readonly explorerLinks?: boolean } = {},
): Session {
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
    transactionText: (signature) =>
      explorerLinks || endpoint.cluster !== "custom" ? explorerTransactionUrl(signature, endpoint) : shortSignature(signature),
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
    transactionText: shortSignature,
  };
}
