/**
 * The encrypted local history of a session. Session answers are not on chain, so the client keeps them: each
 * answer is one record, `0x01 || nonce(24) || XChaCha20-Poly1305(historyKey, nonce, aad)(json)` with
 * `aad = utf8("chainference/v2/session-history") || session(32) || u32le(answer)`, in a pluggable storage (memory
 * here; a directory of files in `@chainference/client/node`; anything with `read`/`write`/`list` elsewhere).
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { randomBytes } from "@noble/hashes/utils.js";
import type { Address } from "@solana/kit";

import {
  CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT,
  CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
  CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION,
  CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE,
  ChainferenceClientError,
} from "../errors";
import { addressBytes, bytesOfLength, concatBytes, u32le, utf8 } from "../crypto/bytes";
import { CRYPTO_KEY_LENGTH, CRYPTO_NONCE_LENGTH, CRYPTO_TAG_LENGTH } from "../crypto/constants";
import { assertIsPromptPayload, type PromptPayload } from "../crypto/prompt-payload";
import { HKDF_INFO_SESSION_HISTORY } from "./constants";
import type { SessionKeys } from "./session-keys";
import type { SessionFinishReason } from "./wire";

/** Where history records live: keys are `<session>/<answer as 10 digits>`. */
export type SessionHistoryStorage = Readonly<{
  read(key: string): Promise<Uint8Array | null>;
  write(key: string, value: Uint8Array): Promise<void>;
  /** Keys starting with `prefix`, in any order. */
  list(prefix: string): Promise<readonly string[]>;
}>;

/** One answer of a session as the client keeps it. */
export type SessionHistoryEntry = Readonly<{
  answer: number;
  prompt: PromptPayload;
  text: string;
  finishReason: SessionFinishReason;
  tokensIn: number;
  tokensOut: number;
  lamports: bigint;
  /** When the answer ended (ms since the epoch). */
  at: number;
}>;

const HISTORY_RECORD_VERSION = 1;

/**
 * A history storage in memory (tests, and browsers that persist elsewhere).
 *
 * @example
 * ```ts
 * const storage = createMemorySessionHistoryStorage();
 * ```
 */
export function createMemorySessionHistoryStorage(): SessionHistoryStorage {
  const records = new Map<string, Uint8Array>();
  return {
    read: async (key) => records.get(key) ?? null,
    write: async (key, value) => void records.set(key, Uint8Array.from(value)),
    list: async (prefix) => [...records.keys()].filter((key) => key.startsWith(prefix)),
  };
}

const recordKey = (session: Address, answer: number) => `${session}/${String(answer).padStart(10, "0")}`;
const aadOf = (session: Address, answer: number) => concatBytes(utf8(HKDF_INFO_SESSION_HISTORY), addressBytes(session), u32le(answer));

/**
 * Encrypts and stores one answer.
 *
 * @example
 * ```ts
 * await saveSessionHistoryEntry({ storage, keys, entry: { answer: 0, prompt: payload, text, finishReason: "stop", tokensIn, tokensOut, lamports, at: Date.now() } });
 * ```
 */
export async function saveSessionHistoryEntry({
  storage,
  keys,
  entry,
}: {
  storage: SessionHistoryStorage;
  keys: Pick<SessionKeys, "session" | "historyKey">;
  entry: SessionHistoryEntry;
}): Promise<void> {
  const key = bytesOfLength(keys.historyKey, CRYPTO_KEY_LENGTH, "session history key");
  const json = utf8(JSON.stringify({ ...entry, lamports: entry.lamports.toString() }));
  const nonce = randomBytes(CRYPTO_NONCE_LENGTH);
  const sealed = xchacha20poly1305(key, nonce, aadOf(keys.session, entry.answer)).encrypt(json);
  await storage.write(recordKey(keys.session, entry.answer), concatBytes(Uint8Array.of(HISTORY_RECORD_VERSION), nonce, sealed));
}

function decryptRecord(historyKey: Uint8Array, session: Address, answer: number, record: Uint8Array): SessionHistoryEntry {
  if (record.length < 1 + CRYPTO_NONCE_LENGTH + CRYPTO_TAG_LENGTH)
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT, {
      kind: "session-history",
      length: record.length,
      minLength: 1 + CRYPTO_NONCE_LENGTH + CRYPTO_TAG_LENGTH,
    });
  if (record[0] !== HISTORY_RECORD_VERSION)
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION, {
      kind: "prompt-ciphertext",
      version: record[0],
      supported: HISTORY_RECORD_VERSION,
    });
  let plaintext: Uint8Array;
  try {
    plaintext = xchacha20poly1305(historyKey, record.subarray(1, 1 + CRYPTO_NONCE_LENGTH), aadOf(session, answer)).decrypt(
      record.subarray(1 + CRYPTO_NONCE_LENGTH),
    );
  } catch (cause) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH, { kind: "session-history", position: answer }, { cause });
  }
  const doc = JSON.parse(new TextDecoder().decode(plaintext)) as Record<string, unknown>;
  assertIsPromptPayload(doc.prompt);
  if (doc.answer !== answer || typeof doc.text !== "string" || typeof doc.lamports !== "string")
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE, {
      what: "session history record",
      reason: "malformed",
    });
  return {
    answer,
    prompt: doc.prompt,
    text: doc.text,
    finishReason: doc.finishReason as SessionFinishReason,
    tokensIn: Number(doc.tokensIn),
    tokensOut: Number(doc.tokensOut),
    lamports: BigInt(doc.lamports),
    at: Number(doc.at),
  };
}

/**
 * Reads and decrypts every stored answer of a session, in answer order. A record encrypted under another key, for
 * another session or answer, or altered, fails with `CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH` (kind `session-history`).
 *
 * @example
 * ```ts
 * for (const { answer, prompt, text } of await readSessionHistory({ storage, keys })) console.log(answer, text);
 * ```
 */
export async function readSessionHistory({
  storage,
  keys,
}: {
  storage: SessionHistoryStorage;
  keys: Pick<SessionKeys, "session" | "historyKey">;
}): Promise<readonly SessionHistoryEntry[]> {
  const historyKey = bytesOfLength(keys.historyKey, CRYPTO_KEY_LENGTH, "session history key");
  const names = (await storage.list(`${keys.session}/`)).filter((name) => /\/\d{10}$/.test(name)).sort();
  const entries: SessionHistoryEntry[] = [];
  for (const name of names) {
    const record = await storage.read(name);
    if (record === null) continue;
    entries.push(decryptRecord(historyKey, keys.session, Number(name.slice(-10)), record));
  }
  return entries;
}
