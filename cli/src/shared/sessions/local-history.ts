/** Session answers from the local encrypted store, for `chainference history`. */
import type { Address, KeyPairSigner } from "@solana/kit";
import { CHAINFERENCE_PROGRAM_ADDRESS, deriveKeyRoot } from "@chainference/client";
import { deriveSessionKeys, readSessionHistory, type SessionHistoryEntry } from "@chainference/client/sessions";
import { locallyKnownSessions, sessionHistoryStorage } from "./history-dir";

/** One stored session answer. */
export type LocalSessionAnswer = SessionHistoryEntry & { readonly session: Address };

/**
 * Every stored answer of the sessions this wallet opened (the store may hold other wallets' sessions: their records
 * do not decrypt with this wallet's keys and are left out), newest first.
 *
 * @example
 * const answers = await readLocalSessionAnswers(wallet);
 */
export async function readLocalSessionAnswers(wallet: KeyPairSigner): Promise<LocalSessionAnswer[]> {
  const storage = sessionHistoryStorage();
  const answers: LocalSessionAnswer[] = [];
  const root = await deriveKeyRoot(wallet, CHAINFERENCE_PROGRAM_ADDRESS);
  for (const session of await locallyKnownSessions()) {
    const keys = deriveSessionKeys(root, session);
    try {
      for (const entry of await readSessionHistory({ storage, keys })) answers.push({ ...entry, session });
    } catch {
      // Another wallet's session (or a damaged record): not this wallet's history.
    }
  }
  return answers.sort((a, b) => b.at - a.at);
}
