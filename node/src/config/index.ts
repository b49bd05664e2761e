// Node configuration and the Solana CLI conventions for cluster and keypair (docs/provider-node.md).
export { CLUSTER_URLS, resolveClusterUrl, type ClusterMoniker } from "./cluster-url";
export { expandHome } from "./home-path";
export { getDefaultKeypairPath, loadKeypairSigner, parseKeypairFile, writeNewKeypairFile } from "./keypair-file";
export {
  DEFAULT_MODEL_PRICES,
  GPU_CHOICES,
  defaultNodeConfig,
  defaultServedModel,
  defaultSessionServeConfig,
  loadNodeConfig,
  parseNodeConfig,
  type FlushPolicy,
  type GpuChoice,
  type ModelBackendConfig,
  type NodeConfig,
  type ServedModelConfig,
  type SessionServeConfig,
} from "./node-config";
export { getSolanaCliConfigPath, parseSolanaCliConfig, readSolanaCliConfig, type SolanaCliConfig } from "./solana-cli-config";
export { resolveSolanaSettings, type SolanaFlags, type SolanaSettings } from "./solana-settings";
