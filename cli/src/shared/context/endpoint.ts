/** The RPC endpoint a command talks to, and which public cluster it is (for explorer links). */
import { CLUSTER_URLS } from "@chainference/node";
import type { NamedCluster } from "./explorer";

/** A resolved RPC endpoint. */
export type Endpoint = {
  readonly url: string;
  /** The public cluster it is, or "custom" (local validator, `chainference localnet`, private RPC). */
  readonly cluster: NamedCluster | "custom";
};

const PUBLIC: readonly NamedCluster[] = ["mainnet-beta", "devnet", "testnet"];

/**
 * Classifies a resolved RPC URL (see the node's `resolveClusterUrl` for monikers): the public
 * clusters by host, anything else is custom.
 *
 * @example
 * toEndpoint("https://api.devnet.solana.com"); // { url: "https://api.devnet.solana.com", cluster: "devnet" }
 */
export function toEndpoint(url: string): Endpoint {
  let host: string | null = null;
  try {
    host = new URL(url).host;
  } catch {
    host = null;
  }
  const cluster = PUBLIC.find((name) => new URL(CLUSTER_URLS[name]).host === host);
  return { url, cluster: cluster ?? "custom" };
}
