/** Which cluster the app talks to: localnet, devnet or a custom RPC URL, remembered in localStorage. */

export type ClusterName = "localnet" | "devnet" | "custom";

export type Cluster = {
  readonly name: ClusterName;
  /** The JSON-RPC URL. */
  readonly url: string;
};

export const LOCALNET_URL = "http://127.0.0.1:8899";
export const DEVNET_URL = "https://api.devnet.solana.com";
const STORAGE_KEY = "chainference.cluster";

/** A URL or moniker as the CLI's `--url` takes it, as a cluster. */
export function clusterFromUrl(url: string): Cluster {
  if (url === "localnet" || url === LOCALNET_URL) return { name: "localnet", url: LOCALNET_URL };
  if (url === "devnet" || url === DEVNET_URL) return { name: "devnet", url: DEVNET_URL };
  return { name: "custom", url };
}

/** True for an http(s) URL. */
export function isRpcUrl(text: string): boolean {
  try {
    const url = new URL(text);
    return url.protocol === "http:" || url.protocol === "https:";
  } catch {
    return false;
  }
}

/** The URL `chainference web --url` served the app for (empty in development). */
function servedDefault(): string {
  return document.querySelector<HTMLMetaElement>('meta[name="chainference-rpc"]')?.content ?? "";
}

/**
 * The cluster to start on: the user's last choice, unless the app was since served for another URL (then
 * that one, as `chainference web --url` asked); localnet when neither says.
 */
export function loadCluster(): Cluster {
  const served = servedDefault();
  try {
    const saved = JSON.parse(localStorage.getItem(STORAGE_KEY) ?? "null") as { cluster: Cluster; served: string } | null;
    if (saved && saved.served === served && isRpcUrl(saved.cluster.url)) return saved.cluster;
  } catch {
    // A value from another version: start from the default.
  }
  return served ? clusterFromUrl(served) : { name: "localnet", url: LOCALNET_URL };
}

export function saveCluster(cluster: Cluster): void {
  localStorage.setItem(STORAGE_KEY, JSON.stringify({ cluster, served: servedDefault() }));
}

/** The wallet-standard chain id wallets expect for this cluster. */
export function walletChainId(cluster: Cluster): `solana:${string}` {
  return cluster.name === "devnet" ? "solana:devnet" : cluster.url.includes("mainnet") ? "solana:mainnet" : "solana:localnet";
}

/** Solana Explorer link for a transaction or an account on this cluster. */
export function explorerLink(cluster: Cluster, kind: "tx" | "address", id: string): string {
  const query =
    cluster.name === "devnet"
      ? "?cluster=devnet"
      : cluster.url.includes("mainnet")
        ? ""
        : `?cluster=custom&customUrl=${encodeURIComponent(cluster.url)}`;
  return `https://explorer.solana.com/${kind}/${id}${query}`;
}
