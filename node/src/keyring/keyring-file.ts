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
import { CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE, ChainferenceNodeError } from "../node-error";

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
 * Reads a keyring file; `null` when there is none.
 *
 * @throws `CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE` when the file exists but is not a valid keyring.
 * @example
 * const keyring = await readServerKeyringFile(path);
 */
export async function readServerKeyringFile(path: string): Promise<ServerKeyring | null> {
  let json: string;
  try {
    json = await readFile(path, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw new ChainferenceNodeError(
      CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE,
      { path, reason: (error as Error).message },
      { cause: error },
    );
  }
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

/**
 * Writes a keyring atomically (temporary file in the same directory, fsync, rename) with mode 0600, creating
 * the directory with mode 0700 when needed. A crash leaves either the old or the new file, never half of one.
 *
 * @example
 * await writeServerKeyringFile(path, rotated);
 */
export async function writeServerKeyringFile(path: string, keyring: ServerKeyring): Promise<void> {
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const temporary = `${path}.tmp-${process.pid}-${Date.now()}`;
  const handle = await open(temporary, "wx", KEYRING_FILE_MODE);
  try {
    await handle.writeFile(encodeServerKeyring(keyring), "utf8");
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
}>;

/**
 * The node's keyring: read from `path`, or created there on first run with one fresh X25519 key at epoch 0
 * (the epoch `register_server` starts at). An existing file readable by others is narrowed to 0600.
 *
 * @example
 * const { keyring, created } = await loadOrCreateServerKeyring(getDefaultKeyringPath(operator.address));
 */
export async function loadOrCreateServerKeyring(path: string): Promise<LoadedKeyring> {
  const existing = await readServerKeyringFile(path);
  if (existing) {
    const mode = (await stat(path)).mode & 0o777;
    const loose = (mode & 0o077) !== 0;
    if (loose) await chmod(path, KEYRING_FILE_MODE);
    return { keyring: existing, created: false, permissionsTightened: loose };
  }
  const keyring = createServerKeyring({ epoch: 0, secretKey: generateX25519KeyPair().secretKey });
  await writeServerKeyringFile(path, keyring);
  return { keyring, created: true, permissionsTightened: false };
}
