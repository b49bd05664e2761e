/**
 * The browser's session history: session answers are not on chain, so this browser keeps them in IndexedDB, one
 * record per answer exactly as the SDK seals it (`saveSessionHistoryEntry`: XChaCha20-Poly1305 under the session's
 * history key, derived from the wallet's key root), so nothing readable is at rest. Beside the records, one plain
 * note per session (its server, model and when it opened): all of it is public on chain in `open_session`, and it
 * lets the History page list sessions before any key exists.
 * Everything is keyed by cluster and wallet, so one browser keeps several wallets' histories apart.
 */
import type { Address } from "@solana/kit";
import type { SessionHistoryStorage } from "@chainference/client/sessions";

const DB_NAME = "chainference-session-history";
const DB_VERSION = 1;
/** Sealed answers, keyed `[cluster, wallet, "<session>/<answer as 10 digits>"]`. */
const RECORDS = "records";
/** One `SessionNote` per session, keyed `[cluster, wallet, session]`. */
const SESSIONS = "sessions";

/** What the History page shows of a session before decrypting it. */
export type SessionNote = Readonly<{ session: Address; server: Address; model: string; openedAt: number }>;

/** The history of one wallet on one cluster. */
export type SessionHistoryStore = Readonly<{
  /** The SDK's storage interface over this wallet's records: pass it to `askInSession`, read it with `readSessionHistory`. */
  storage: SessionHistoryStorage;
  /** Notes a session as it opens (before its first answer is saved). */
  noteSession(note: SessionNote): Promise<void>;
  /** Every noted session, newest first. */
  sessions(): Promise<readonly SessionNote[]>;
}>;

/** A request as a promise. */
function done<T>(request: IDBRequest<T>): Promise<T> {
  return new Promise((resolve, reject) => {
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("IndexedDB request failed"));
  });
}

let database: Promise<IDBDatabase> | null = null;

function openDatabase(): Promise<IDBDatabase> {
  database ??= new Promise<IDBDatabase>((resolve, reject) => {
    const request = indexedDB.open(DB_NAME, DB_VERSION);
    request.onupgradeneeded = () => {
      request.result.createObjectStore(RECORDS);
      request.result.createObjectStore(SESSIONS);
    };
    request.onsuccess = () => resolve(request.result);
    request.onerror = () => reject(request.error ?? new Error("This browser's storage (IndexedDB) could not be opened."));
    request.onblocked = () => reject(new Error("This browser's storage (IndexedDB) is held by another tab of an older version."));
  }).catch((error: unknown) => {
    // Not remembered: a later try (another tab closed, storage allowed again) may succeed.
    database = null;
    throw error;
  });
  return database;
}

/** Runs one request; a write resolves once its transaction is committed (so a reload right after keeps it). */
async function withStore<T>(name: string, mode: IDBTransactionMode, run: (store: IDBObjectStore) => IDBRequest<T>): Promise<T> {
  const db = await openDatabase();
  const transaction = db.transaction(name, mode);
  const committed = new Promise<void>((resolve, reject) => {
    transaction.oncomplete = () => resolve();
    transaction.onabort = () => reject(transaction.error ?? new Error("This browser's storage (IndexedDB) refused the write."));
  });
  const result = await done(run(transaction.objectStore(name)));
  await committed;
  return result;
}

/** The keys under `[cluster, wallet]` whose last part starts with `prefix` (IndexedDB orders strings by code unit). */
const prefixRange = (cluster: string, wallet: Address, prefix: string) =>
  IDBKeyRange.bound([cluster, wallet, prefix], [cluster, wallet, `${prefix}\uffff`]);

/**
 * The session history of `wallet` on the cluster at `cluster` (its RPC URL), in this browser's IndexedDB.
 *
 * @example
 * ```ts
 * const store = sessionHistoryStore(cluster.url, signer.address);
 * askInSession({ connection, progress, payload, history: store.storage });
 * ```
 */
export function sessionHistoryStore(cluster: string, wallet: Address): SessionHistoryStore {
  const storage: SessionHistoryStorage = {
    read: async (key) => {
      const value = await withStore<unknown>(RECORDS, "readonly", (s) => s.get([cluster, wallet, key]));
      return value instanceof Uint8Array ? value : null;
    },
    write: async (key, value) => {
      await withStore(RECORDS, "readwrite", (s) => s.put(Uint8Array.from(value), [cluster, wallet, key]));
    },
    list: async (prefix) => {
      const keys = await withStore(RECORDS, "readonly", (s) => s.getAllKeys(prefixRange(cluster, wallet, prefix)));
      return keys.map((key) => String((key as IDBValidKey[])[2]));
    },
  };
  return {
    storage,
    noteSession: async (note) => {
      await withStore(SESSIONS, "readwrite", (s) => s.put({ ...note }, [cluster, wallet, note.session]));
    },
    sessions: async () => {
      const notes = await withStore(SESSIONS, "readonly", (s) => s.getAll(prefixRange(cluster, wallet, "")));
      return (notes as SessionNote[]).sort((a, b) => b.openedAt - a.openedAt);
    },
  };
}
