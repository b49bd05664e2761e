/**
 * Server key management: X25519 key pairs and a keyring of secrets by key epoch. The node keeps
 * old epochs until their in-flight requests are done (a request records the epoch its key was
 * wrapped under). Encoding is pure; the node writes the JSON to a 0600 file.
 */
import { bytesToHex, hexToBytes, randomBytes } from "@noble/hashes/utils.js";

import {
  CHAINFERENCE_ERROR__CRYPTO__INVALID_KEYRING,
  CHAINFERENCE_ERROR__CRYPTO__UNKNOWN_KEY_EPOCH,
  CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION,
  ChainferenceClientError,
} from "../errors";
import { bytesEqual, bytesOfLength, type BytesLike } from "./bytes";
import { CRYPTO_KEY_LENGTH } from "./constants";
import { assertIsKeyEpoch, isKeyEpoch } from "./key-epoch";
import { getX25519PublicKey } from "./x25519";

/** An X25519 key pair. */
export type X25519KeyPair = Readonly<{ secretKey: Uint8Array; publicKey: Uint8Array }>;

/** One keyring entry. */
export type ServerKeyringEntry = Readonly<{ epoch: number; secretKey: Uint8Array; publicKey: Uint8Array }>;

/** Secrets by epoch, ascending; `currentEpoch` is the one registered on-chain. */
export type ServerKeyring = Readonly<{ currentEpoch: number; keys: readonly ServerKeyringEntry[] }>;

/** `version` of the keyring JSON. */
export const SERVER_KEYRING_VERSION = 1;

/**
 * A new X25519 key pair from 32 random bytes, or from `seed` (copied) for reproducible keys.
 *
 * @example
 * ```ts
 * const { secretKey, publicKey } = generateX25519KeyPair();
 * // register_server / update_server take publicKey as x25519_key
 * ```
 */
export function generateX25519KeyPair(seed?: BytesLike): X25519KeyPair {
  const secretKey = seed === undefined ? randomBytes(CRYPTO_KEY_LENGTH) : bytesOfLength(seed, CRYPTO_KEY_LENGTH, "X25519 seed");
  return { secretKey, publicKey: getX25519PublicKey(secretKey) };
}

function entry(epoch: number, secretKey: BytesLike): ServerKeyringEntry {
  assertIsKeyEpoch(epoch);
  const secret = bytesOfLength(secretKey, CRYPTO_KEY_LENGTH, "X25519 secret key");
  return { epoch, secretKey: secret, publicKey: getX25519PublicKey(secret) };
}

function invalidKeyring(reason: string): never {
  throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__INVALID_KEYRING, { reason });
}

/**
 * A keyring holding one secret, current at `epoch` (the server account's `key_epoch`, 0 at
 * registration).
 *
 * @example
 * ```ts
 * const keyring = createServerKeyring({ epoch: 0, secretKey: generateX25519KeyPair().secretKey });
 * ```
 */
export function createServerKeyring({ epoch, secretKey }: { epoch: number; secretKey: BytesLike }): ServerKeyring {
  return { currentEpoch: epoch, keys: [entry(epoch, secretKey)] };
}

/**
 * Returns a keyring with a new current key at `epoch` (default: current + 1, as the program
 * increments `key_epoch` on every key change); older secrets are kept.
 *
 * @example
 * ```ts
 * const rotated = rotateServerKeyring(keyring, { secretKey: generateX25519KeyPair().secretKey });
 * // then update_server with getCurrentServerKey(rotated).publicKey
 * ```
 */
export function rotateServerKeyring(
  keyring: ServerKeyring,
  { secretKey, epoch = keyring.currentEpoch + 1 }: { secretKey: BytesLike; epoch?: number },
): ServerKeyring {
  if (keyring.keys.some((key) => key.epoch >= epoch)) {
    invalidKeyring(`new epoch ${epoch} must be greater than every existing epoch`);
  }
  return { currentEpoch: epoch, keys: [...keyring.keys, entry(epoch, secretKey)] };
}

/**
 * Drops secrets older than `keepFromEpoch` (never the current one).
 *
 * @example
 * ```ts
 * const pruned = pruneServerKeyring(keyring, { keepFromEpoch: oldestInFlightEpoch });
 * ```
 */
export function pruneServerKeyring(keyring: ServerKeyring, { keepFromEpoch }: { keepFromEpoch: number }): ServerKeyring {
  return {
    currentEpoch: keyring.currentEpoch,
    keys: keyring.keys.filter((key) => key.epoch >= keepFromEpoch || key.epoch === keyring.currentEpoch),
  };
}

/**
 * The current entry (whose public key is the one registered on-chain).
 *
 * @example
 * ```ts
 * const { publicKey, epoch } = getCurrentServerKey(keyring);
 * ```
 */
export function getCurrentServerKey(keyring: ServerKeyring): ServerKeyringEntry {
  const current = keyring.keys.find((key) => key.epoch === keyring.currentEpoch);
  if (current === undefined) invalidKeyring(`no key for the current epoch ${keyring.currentEpoch}`);
  return current;
}

/**
 * The keyring entry for `epoch` (a request's `key_epoch` / `locked_key_epoch`), or
 * `CHAINFERENCE_ERROR__CRYPTO__UNKNOWN_KEY_EPOCH`.
 *
 * @example
 * ```ts
 * const lockKey = getServerKeyringEntry(keyring, opened.keyEpoch).publicKey;
 * ```
 */
export function getServerKeyringEntry(keyring: ServerKeyring, epoch: number): ServerKeyringEntry {
  const found = keyring.keys.find((key) => key.epoch === epoch);
  if (found === undefined) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__UNKNOWN_KEY_EPOCH, {
      epoch,
      knownEpochs: keyring.keys.map((key) => key.epoch),
    });
  }
  return found;
}

/**
 * The secret for `epoch` (a request's `key_epoch` / `locked_key_epoch`), or
 * `CHAINFERENCE_ERROR__CRYPTO__UNKNOWN_KEY_EPOCH`.
 *
 * @example
 * ```ts
 * const serverSecret = getServerKeyringSecret(keyring, entry.keyEpoch);
 * ```
 */
export function getServerKeyringSecret(keyring: ServerKeyring, epoch: number): Uint8Array {
  return getServerKeyringEntry(keyring, epoch).secretKey;
}

/**
 * Serializes a keyring to JSON (secrets in hex; public keys alongside so an operator can compare
 * them with the chain). The caller writes it with mode 0600.
 *
 * @example
 * ```ts
 * await writeFile(path, encodeServerKeyring(keyring), { mode: 0o600 });
 * ```
 */
export function encodeServerKeyring(keyring: ServerKeyring): string {
  getCurrentServerKey(keyring);
  return `${JSON.stringify(
    {
      version: SERVER_KEYRING_VERSION,
      currentEpoch: keyring.currentEpoch,
      keys: keyring.keys.map((key) => ({
        epoch: key.epoch,
        secretKey: bytesToHex(key.secretKey),
        publicKey: bytesToHex(key.publicKey),
      })),
    },
    null,
    2,
  )}\n`;
}

/**
 * Parses and validates keyring JSON: version 1, unique u32 epochs, 32-byte hex secrets whose
 * stored public keys match, and a key for the current epoch. Anything else throws
 * `CHAINFERENCE_ERROR__CRYPTO__INVALID_KEYRING` (or `..._UNSUPPORTED_VERSION`).
 *
 * @example
 * ```ts
 * const keyring = decodeServerKeyring(await readFile(path, "utf8"));
 * ```
 */
export function decodeServerKeyring(json: string): ServerKeyring {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    invalidKeyring("not JSON");
  }
  if (typeof value !== "object" || value === null) invalidKeyring("not a JSON object");
  const { version, currentEpoch, keys } = value as Record<string, unknown>;
  if (version !== SERVER_KEYRING_VERSION) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION, {
      kind: "keyring",
      version,
      supported: SERVER_KEYRING_VERSION,
    });
  }
  if (!isKeyEpoch(currentEpoch)) invalidKeyring("'currentEpoch' must be a u32");
  if (!Array.isArray(keys) || keys.length === 0) invalidKeyring("'keys' must be a non-empty array");
  const entries = keys.map((raw: unknown, i): ServerKeyringEntry => {
    const { epoch, secretKey, publicKey } = (raw ?? {}) as Record<string, unknown>;
    if (!isKeyEpoch(epoch)) invalidKeyring(`keys[${i}].epoch must be a u32`);
    if (typeof secretKey !== "string" || !/^[0-9a-f]{64}$/i.test(secretKey)) {
      invalidKeyring(`keys[${i}].secretKey must be 64 hex characters`);
    }
    const decoded = entry(epoch, hexToBytes(secretKey));
    if (publicKey !== undefined) {
      if (typeof publicKey !== "string" || !/^[0-9a-f]{64}$/i.test(publicKey)) {
        invalidKeyring(`keys[${i}].publicKey must be 64 hex characters`);
      }
      if (!bytesEqual(hexToBytes(publicKey), decoded.publicKey)) {
        invalidKeyring(`keys[${i}].publicKey does not match its secret key`);
      }
    }
    return decoded;
  });
  const sorted = [...entries].sort((a, b) => a.epoch - b.epoch);
  sorted.forEach((key, i) => {
    if (i > 0 && sorted[i - 1]?.epoch === key.epoch) invalidKeyring(`epoch ${key.epoch} appears twice`);
  });
  const keyring = { currentEpoch, keys: sorted };
  getCurrentServerKey(keyring);
  return keyring;
}
