/** The client's per-request keys, all derived from the key root and the request address. */
import type { Address } from "@solana/kit";

import { addressBytes, bytesOfLength } from "./bytes";
import { CRYPTO_KEY_LENGTH, HKDF_INFO_CLIENT_X25519, HKDF_INFO_DATA_KEY } from "./constants";
import { hkdfSha256 } from "./kdf";
import type { KeyRoot } from "./key-root";
import { getX25519PublicKey } from "./x25519";

/** Everything the client needs for one request. `clientKey` is public (stored on-chain). */
export type RequestKeys = Readonly<{
  /** X25519 secret: `HKDF(root, salt = requestAddress, "chainference/v2/client-x25519", 32)`. */
  ephSecret: Uint8Array;
  /** `X25519.getPublicKey(ephSecret)`, the request's `client_key`. */
  clientKey: Uint8Array;
  /** Symmetric key under which the prompt is encrypted: `HKDF(root, salt = requestAddress, "chainference/v2/data-key", 32)`. */
  dataKey: Uint8Array;
}>;

/**
 * Derives a request's keys from the key root (pure: no wallet prompt).
 *
 * @example
 * ```ts
 * const root = await deriveKeyRoot(wallet, programId);
 * const { ephSecret, clientKey, dataKey } = deriveRequestKeys(root, requestAddress);
 * ```
 */
export function deriveRequestKeys(root: KeyRoot, requestAddress: Address): RequestKeys {
  const ikm = bytesOfLength(root.secret, CRYPTO_KEY_LENGTH, "key root");
  const salt = addressBytes(requestAddress);
  const ephSecret = hkdfSha256(ikm, salt, HKDF_INFO_CLIENT_X25519, CRYPTO_KEY_LENGTH);
  return {
    ephSecret,
    clientKey: getX25519PublicKey(ephSecret),
    dataKey: hkdfSha256(ikm, salt, HKDF_INFO_DATA_KEY, CRYPTO_KEY_LENGTH),
  };
}
