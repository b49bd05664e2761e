import { readFile } from "node:fs/promises";
import { join } from "node:path";

import { expandHome } from "./home-path";

/** The two settings of `~/.config/solana/cli/config.yml` the node uses. */
export type SolanaCliConfig = Readonly<{ jsonRpcUrl?: string; keypairPath?: string }>;

/**
 * Where the Solana CLI keeps its configuration: `~/.config/solana/cli/config.yml`.
 *
 * @example
 * getSolanaCliConfigPath("/home/op"); // "/home/op/.config/solana/cli/config.yml"
 */
export function getSolanaCliConfigPath(home?: string): string {
  return expandHome(join("~", ".config", "solana", "cli", "config.yml"), home);
}

/**
 * Reads `json_rpc_url` and `keypair_path` from the Solana CLI's YAML (top-level `key: value` lines, values
 * optionally quoted; nested maps such as `address_labels` are skipped). Empty values count as absent.
 *
 * @example
 * parseSolanaCliConfig('---\njson_rpc_url: "https://api.devnet.solana.com"\nkeypair_path: /k.json\n');
 * // { jsonRpcUrl: "https://api.devnet.solana.com", keypairPath: "/k.json" }
 */
export function parseSolanaCliConfig(yaml: string): SolanaCliConfig {
  const values = new Map<string, string>();
  for (const line of yaml.split(/\r?\n/)) {
    const match = /^([A-Za-z_][A-Za-z0-9_]*):[ \t]*(.*?)[ \t]*$/.exec(line);
    if (!match) continue;
    const raw = match[2] ?? "";
    const unquoted = /^(['"])(.*)\1$/.exec(raw)?.[2] ?? raw.replace(/[ \t]+#.*$/, "");
    if (unquoted !== "") values.set(match[1]!, unquoted);
  }
  const jsonRpcUrl = values.get("json_rpc_url");
  const keypairPath = values.get("keypair_path");
  return { ...(jsonRpcUrl ? { jsonRpcUrl } : {}), ...(keypairPath ? { keypairPath } : {}) };
}

/**
 * The Solana CLI configuration when the file exists, else `null` (the CLI's defaults then apply).
 *
 * @example
 * const cli = await readSolanaCliConfig(); // null on a machine without the Solana CLI
 */
export async function readSolanaCliConfig(path: string = getSolanaCliConfigPath()): Promise<SolanaCliConfig | null> {
  try {
    return parseSolanaCliConfig(await readFile(path, "utf8"));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw error;
  }
}
