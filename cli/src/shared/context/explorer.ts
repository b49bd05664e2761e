/** Links to a block explorer for transactions on a real cluster. */

/** The clusters the Solana Explorer knows by name. */
export type NamedCluster = "mainnet-beta" | "devnet" | "testnet";

/**
 * The Solana Explorer page of a transaction on `url`: `?cluster=devnet`/`testnet` for the public test
 * clusters, none for mainnet-beta, `?cluster=custom&customUrl=…` for any other endpoint (a local validator,
 * `chainference localnet`, a private RPC).
 *
 * @example
 * explorerTransactionUrl("5h6x…", { url: "https://api.devnet.solana.com", cluster: "devnet" });
 * // "https://explorer.solana.com/tx/5h6x…?cluster=devnet"
 */
export function explorerTransactionUrl(
  signature: string,
  endpoint: { readonly url: string; readonly cluster: NamedCluster | "custom" },
): string {
  const base = `https://explorer.solana.com/tx/${signature}`;
  switch (endpoint.cluster) {
    case "mainnet-beta":
      return base;
    case "devnet":
    case "testnet":
      return `${base}?cluster=${endpoint.cluster}`;
    case "custom":
      return `${base}?cluster=custom&customUrl=${encodeURIComponent(endpoint.url)}`;
  }
}
