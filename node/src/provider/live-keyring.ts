import type { Address } from "@solana/kit";
import type { RequestAccount, ServerKeyring } from "@chainference/client";

import { readServerKeyringFile } from "../keyring/keyring-file";

/**
 * The key epoch `request` wrapped its data key under for `server`, when `keyring` has no secret for it; null when
 * the server is not on the allow-list or the keyring knows the epoch.
 *
 * @example
 * if (missingKeyEpoch(request, server, keyring) !== null) keyring = (await readServerKeyringFile(path)) ?? keyring;
 */
export function missingKeyEpoch(request: RequestAccount, server: Address, keyring: ServerKeyring): number | null {
  const entry = request.allowed.find((a) => a.server === server);
  if (!entry || keyring.keys.some((k) => k.epoch === entry.keyEpoch)) return null;
  return entry.keyEpoch;
}

/** The keyring a running node decrypts with, replaced by a rotation or by a newer file on disk. */
export type LiveKeyring = Readonly<{
  current(): ServerKeyring;
  replace(keyring: ServerKeyring): void;
  /**
   * Re-reads the keyring file once when `request` names a key epoch the keyring does not know (another process
   * may have rotated the key), and adopts it if it knows that epoch.
   */
  reloadFor(request: RequestAccount): Promise<void>;
}>;

/**
 * Holds `keyring`, read from and saved at `keyringPath`, for the server account `server`.
 *
 * @example
 * const keyring = createLiveKeyring({ keyring: registration.keyring, keyringPath, server: registration.server });
 */
export function createLiveKeyring(input: {
  readonly keyring: ServerKeyring;
  readonly keyringPath: string;
  /** The keyring file's passphrase when it is encrypted. */
  readonly passphrase?: string;
  readonly server: Address;
}): LiveKeyring {
  let keyring = input.keyring;
  return {
    current: () => keyring,
    replace: (next) => {
      keyring = next;
    },
    async reloadFor(request) {
      const epoch = missingKeyEpoch(request, input.server, keyring);
      if (epoch === null) return;
      const fresh = await readServerKeyringFile(input.keyringPath, input.passphrase);
      if (fresh && fresh.keys.some((k) => k.epoch === epoch)) keyring = fresh;
    },
  };
}
