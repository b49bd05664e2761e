/**
 * The History page's session part: every session this browser noted for the wallet, its answers read from the
 * local store and decrypted with the session's history key (from the wallet's key root: the same single signature
 * the on-chain history takes). Imported statically: a dynamic import made the bundler split the SDK's shared
 * session code into a chunk of its own, preloaded anyway, which cost more first-paint bytes than these few functions.
 */
import { CHAINFERENCE_PROGRAM_ADDRESS, deriveKeyRoot } from "@chainference/client";
import { deriveSessionKeys, readSessionHistory, type SessionHistoryEntry } from "@chainference/client/sessions";
import type { MessagePartialSigner } from "@solana/kit";
import type { SessionHistoryStore, SessionNote } from "../lib/session-history-store";

/** One session as the page shows it; `failure` says, in words, why its answers could not be read (then `entries` is empty). */
export type DecryptedSession = SessionNote &
  Readonly<{
    entries: readonly SessionHistoryEntry[];
    /** What its saved answers cost, by their vouchers. */
    cost: bigint;
    failure: string | null;
  }>;

/** The sessions in `store`, newest first, decrypted; none asks the wallet when no session was noted. */
export async function decryptSessionHistory(store: SessionHistoryStore, signer: MessagePartialSigner): Promise<DecryptedSession[]> {
  const notes = await store.sessions();
  if (notes.length === 0) return [];
  const root = await deriveKeyRoot(signer, CHAINFERENCE_PROGRAM_ADDRESS);
  const sessions: DecryptedSession[] = [];
  for (const note of notes) {
    try {
      const entries = await readSessionHistory({ storage: store.storage, keys: deriveSessionKeys(root, note.session) });
      sessions.push({ ...note, entries, cost: entries.reduce((sum, e) => sum + e.lamports, 0n), failure: null });
    } catch (failure) {
      // One altered or foreign record spoils its session only: the others are still shown.
      const why = failure instanceof Error ? failure.message : String(failure);
      sessions.push({
        ...note,
        entries: [],
        cost: 0n,
        failure: `Its saved answers could not be decrypted with this wallet's key (${why}).`,
      });
    }
  }
  return sessions;
}
