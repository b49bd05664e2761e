import { chmod, mkdir, open, readFile, rename, rm, stat } from "node:fs/promises";
import { dirname, join } from "node:path";

import type { Address } from "@solana/kit";
import {
  createServerKeyring,
  decodeServerKeyring,
  encodeServerKeyring,
  generateX25519KeyPair,
  type ServerKeyring,
} from "@chainference/client";

import { expandHome } from "../config/home-path";
import {
  CHAINFERENCE_ERROR__NODE__KEYRING_LOCKED,
  CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE,
  ChainferenceNodeError,
} from "../node-error";
import { decryptKeyringFile, encryptKeyringFile, isEncryptedKeyringFile, KeyringPassphraseError } from "./keyring-encryption";

/** Owner read/write only: the keyring holds the secrets every prompt sent to this server is encrypted for. */
export const KEYRING_FILE_MODE = 0o600;

/**
 * Default keyring location, one file per operator so several operators can share a machine:
 * `~/.config/chainference/server-keyring-<operator>.json`.
 *
 * @example
 * getDefaultKeyringPath(operator.address, "/home/op");
 */
export function getDefaultKeyringPath(operator: Address, home?: string): string {
  return expandHome(join("~", ".config", "chainference", `server-keyring-${operator}.json`), home);
}

/**
 * Reads a keyring file, plain JSON or encrypted (docs/privacy.md §6); `null` when there is none.
 *
 * @throws `CHAINFERENCE_ERROR__NODE__KEYRING_LOCKED` when the file is encrypted and `passphrase` is missing or wrong,
 * `CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE` when the file exists but is not a valid keyring.
 * @example
 * const keyring = await readServerKeyringFile(path, process.env.CHAINFERENCE_KEYRING_PASSPHRASE);
 */
export async function readServerKeyringFile(path: string, passphrase?: string): Promise<ServerKeyring | null> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new ChainferenceNodeError(
      CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE,
      { path, reason: (error as Error).message },
      { cause: error },
    );
  }
  let json: string;
  if (isEncryptedKeyringFile(bytes)) {
    if (passphrase === undefined || passphrase === "")
      throw new ChainferenceNodeError(CHAINFERENCE_ERROR__NODE__KEYRING_LOCKED, {
        path,
        reason: "it is encrypted and no passphrase was given",
      });
    try {
      json = await decryptKeyringFile(bytes, passphrase);
    } catch (error) {
      const code =
        error instanceof KeyringPassphraseError ? CHAINFERENCE_ERROR__NODE__KEYRING_LOCKED : CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE;
      throw new ChainferenceNodeError(code, { path, reason: (error as Error).message }, { cause: error });
    }
  } else json = new TextDecoder().decode(bytes);
  try {
    return decodeServerKeyring(json);
  } catch (error) {
    throw new ChainferenceNodeError(
      CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE,
      { path, reason: (error as Error).message },
      { cause: error },
    );
  }
}

/** True when the keyring file at `path` exists and is encrypted (so a passphrase is needed to read it). */
export async function isServerKeyringEncrypted(path: string): Promise<boolean> {
  try {
    const handle = await open(path, "r");
    try {
      const head = new Uint8Array(4);
      await handle.read(head, 0, 4, 0);
      return isEncryptedKeyringFile(head);
    } finally {
      await handle.close();
    }
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return false;
    throw error;
  }
}

/**
 * Writes a keyring atomically (temporary file in the same directory, fsync, rename) with mode 0600, creating
 * the directory with mode 0700 when needed, encrypted under `passphrase` when one is given (docs/privacy.md §6).
 * A crash leaves either the old or the new file, never half of one.
 *
 * @example
 * await writeServerKeyringFile(path, rotated, passphrase);
 */
export async function writeServerKeyringFile(path: string, keyring: ServerKeyring, passphrase?: string): Promise<void> {
  const json = encodeServerKeyring(keyring);
  const content = passphrase ? await encryptKeyringFile(json, passphrase) : json;
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.tmp-${process.pid}-${Date.now()}`;
  const handle = await open(temporary, "wx", KEYRING_FILE_MODE);
  try {
    await handle.writeFile(content);
    await handle.chmod(KEYRING_FILE_MODE); // the umask may have narrowed it further, never widened: set it exactly
    await handle.sync();
  } catch (error) {
    await handle.close();
    await rm(temporary, { force: true });
    throw error;
  }
  await handle.close();
  await rename(temporary, path);
}

/** What {@link loadOrCreateServerKeyring} found. */
export type LoadedKeyring = Readonly<{
  keyring: ServerKeyring;
  /** A new keyring (one fresh key at epoch 0) was written because there was none. */
  created: boolean;
  /** The file was readable by group or others and was narrowed to 0600. */
  permissionsTightened: boolean;
  /** A plain keyring was rewritten encrypted because a passphrase was given. */
  encryptedNow: boolean;
}>;

/**
 * The node's keyring: read from `path`, or created there on first run with one fresh X25519 key at epoch 0
 * (the epoch `register_server` starts at). An existing file readable by others is narrowed to 0600. With a
 * `passphrase` the file is kept encrypted: a new one is written encrypted, a plain one is rewritten encrypted.
 *
 * @example
 * const { keyring, created } = await loadOrCreateServerKeyring(getDefaultKeyringPath(operator.address));
 */
export async function loadOrCreateServerKeyring(path: string, passphrase?: string): Promise<LoadedKeyring> {
  const existing = await readServerKeyringFile(path, passphrase);
  if (existing) {
    const mode = (await stat(path)).mode & 0o777;
    const loose = (mode & 0o077) !== 0;
    if (loose) await chmod(path, KEYRING_FILE_MODE);
    const encryptedNow = Boolean(passphrase) && !(await isServerKeyringEncrypted(path));
    if (encryptedNow) await writeServerKeyringFile(path, existing, passphrase);
    return { keyring: existing, created: false, permissionsTightened: loose, encryptedNow };
  }
  const keyring = createServerKeyring({ epoch: 0, secretKey: generateX25519KeyPair().secretKey });
  await writeServerKeyringFile(path, keyring, passphrase);
  return { keyring, created: true, permissionsTightened: false, encryptedNow: false };
}
