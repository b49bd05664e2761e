import { CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER, ChainferenceNodeError } from "../node-error";

/** The Solana CLI's cluster monikers and the RPC URLs they stand for (`solana config set --url`). */
export const CLUSTER_URLS = Object.freeze({
  localnet: "http://127.0.0.1:8899",
  devnet: "https://api.devnet.solana.com",
  testnet: "https://api.testnet.solana.com",
  "mainnet-beta": "https://api.mainnet-beta.solana.com",
} as const);

/** A cluster moniker. */
export type ClusterMoniker = keyof typeof CLUSTER_URLS;

const SHORT: Readonly<Record<string, ClusterMoniker>> = { l: "localnet", d: "devnet", t: "testnet", m: "mainnet-beta" };

/**
 * Resolves `--url` as the Solana CLI does: a moniker (`localnet`, `devnet`, `testnet`, `mainnet-beta`,
 * or their first letters) or an http(s) URL, returned unchanged.
 *
 * @throws `CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER` for anything else.
 * @example
 * resolveClusterUrl("devnet"); // "https://api.devnet.solana.com"
 * resolveClusterUrl("l"); // "http://127.0.0.1:8899"
 * resolveClusterUrl("http://127.0.0.1:8899"); // unchanged
 */
export function resolveClusterUrl(value: string): string {
  const trimmed = value.trim();
  const moniker = (trimmed in CLUSTER_URLS ? trimmed : SHORT[trimmed]) as ClusterMoniker | undefined;
  if (moniker) return CLUSTER_URLS[moniker];
  if (/^https?:\/\/[^\s/]+/i.test(trimmed)) return trimmed;
  throw new ChainferenceNodeError(CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER, { value });
}
