/** Where the CLI keeps the encrypted local history of session answers (session answers are not on chain). */
import { readdir } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { isAddress, type Address } from "@solana/kit";
import type { SessionHistoryStorage } from "@chainference/client/sessions";
import { createFileSessionHistoryStorage } from "@chainference/client/node";

/**
 * `$CHAINFERENCE_SESSIONS_DIR`, else `~/.config/chainference/sessions` (beside the Solana CLI's config): one
 * folder per session, one encrypted file per answer, readable only with the wallet that opened the session.
 *
 * @example
 * sessionHistoryDir(); // "/home/me/.config/chainference/sessions"
 */
export function sessionHistoryDir(): string {
  return process.env.CHAINFERENCE_SESSIONS_DIR || join(process.env.HOME || homedir(), ".config", "chainference", "sessions");
}

/**
 * The file storage under {@link sessionHistoryDir}.
 *
 * @example
 * const storage = sessionHistoryStorage();
 */
export function sessionHistoryStorage(): SessionHistoryStorage {
  return createFileSessionHistoryStorage(sessionHistoryDir());
}

/**
 * Sessions that have a local history folder (any wallet, any cluster: the caller filters).
 *
 * @example
 * const sessions = await locallyKnownSessions();
 */
export async function locallyKnownSessions(): Promise<Address[]> {
  try {
    const names = await readdir(sessionHistoryDir());
    return names.filter((name) => isAddress(name)) as Address[];
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return [];
    throw error;
  }
}
