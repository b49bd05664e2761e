import { getDefaultKeypairPath } from "./keypair-file";
import { CLUSTER_URLS, resolveClusterUrl } from "./cluster-url";
import { expandHome } from "./home-path";
import { readSolanaCliConfig, type SolanaCliConfig } from "./solana-cli-config";

/** Where the cluster URL and the keypair come from, resolved. */
export type SolanaSettings = Readonly<{
  url: string;
  keypairPath: string;
  /** What decided each value: a flag, the Solana CLI config file, or the CLI's default. */
  sources: Readonly<{ url: "flag" | "solana-cli-config" | "default"; keypair: "flag" | "solana-cli-config" | "default" }>;
}>;

/** Flags as the user typed them. */
export type SolanaFlags = Readonly<{ url?: string; keypair?: string }>;

/**
 * Applies the Solana CLI's precedence: `--url` / `--keypair` flags, then `~/.config/solana/cli/config.yml`
 * (`json_rpc_url`, `keypair_path`), then defaults: `~/.config/solana/id.json` as the Solana CLI, but
 * **localnet** rather than the CLI's mainnet-beta, so nothing spends real SOL unless asked to.
 * Monikers are resolved to URLs; `~` is expanded.
 *
 * @example
 * const { url, keypairPath } = await resolveSolanaSettings({ url: "devnet" });
 */
export async function resolveSolanaSettings(flags: SolanaFlags = {}, cliConfig?: SolanaCliConfig | null): Promise<SolanaSettings> {
  const cli = cliConfig === undefined ? await readSolanaCliConfig() : cliConfig;
  const url = flags.url ?? cli?.jsonRpcUrl;
  const keypair = flags.keypair ?? cli?.keypairPath;
  return {
    url: url === undefined ? CLUSTER_URLS.localnet : resolveClusterUrl(url),
    keypairPath: keypair === undefined ? getDefaultKeypairPath() : expandHome(keypair),
    sources: {
      url: flags.url !== undefined ? "flag" : cli?.jsonRpcUrl !== undefined ? "solana-cli-config" : "default",
      keypair: flags.keypair !== undefined ? "flag" : cli?.keypairPath !== undefined ? "solana-cli-config" : "default",
    },
  };
}
