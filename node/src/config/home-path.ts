import { homedir } from "node:os";
import { join } from "node:path";

/**
 * Expands a leading `~` (or `~/…`) to the home directory, as a shell would for Solana CLI paths.
 *
 * @example
 * expandHome("~/.config/solana/id.json", "/home/op"); // "/home/op/.config/solana/id.json"
 */
export function expandHome(path: string, home: string = process.env.HOME || homedir()): string {
  if (path === "~") return home;
  return path.startsWith("~/") ? join(home, path.slice(2)) : path;
}
