/**
 * A session's client-side keys, all derived from the wallet's key root (one signature for everything, see
 * `deriveKeyRoot`) and the session address: the voucher signer (Ed25519), the per-session X25519 key and the local
 * history key.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { getAddressDecoder, type Address } from "@solana/kit";

import { addressBytes, bytesOfLength } from "../crypto/bytes";
import { CRYPTO_KEY_LENGTH } from "../crypto/constants";
import { hkdfSha256 } from "../crypto/kdf";
import type { KeyRoot } from "../crypto/key-root";
import { getX25519PublicKey } from "../crypto/x25519";
import { HKDF_INFO_SESSION_HISTORY, HKDF_INFO_SESSION_SIGNER, HKDF_INFO_SESSION_X25519 } from "./constants";

/** Everything the client holds for one session. Only `voucherSigner` and `clientKey` are public. */
export type SessionKeys = Readonly<{
  session: Address;
  /** Ed25519 seed of the voucher signer: `HKDF(root, salt = session, "chainference/v2/session-signer", 32)`. */
  voucherSecret: Uint8Array;
  /** The voucher signer's public key: the `voucher_signer` of `open_session`. */
  voucherSigner: Address;
  /** X25519 secret: `HKDF(root, salt = session, "chainference/v2/session-x25519", 32)`. */
  clientSecret: Uint8Array;
  /** `X25519.getPublicKey(clientSecret)`, sent with every ask. */
  clientKey: Uint8Array;
  /** Key of the local history: `HKDF(root, salt = session, "chainference/v2/session-history", 32)`. */
  historyKey: Uint8Array;
}>;

/**
 * Derives a session's keys from the wallet's key root (pure: no wallet prompt).
 *
 * @example
 * ```ts
 * const keys = deriveSessionKeys(await deriveKeyRoot(wallet, programId), session);
 * keys.voucherSigner; // goes into open_session
 * ```
 */
export function deriveSessionKeys(root: KeyRoot, session: Address): SessionKeys {
  const ikm = bytesOfLength(root.secret, CRYPTO_KEY_LENGTH, "key root");
  const salt = addressBytes(session);
  const voucherSecret = hkdfSha256(ikm, salt, HKDF_INFO_SESSION_SIGNER, CRYPTO_KEY_LENGTH);
  const clientSecret = hkdfSha256(ikm, salt, HKDF_INFO_SESSION_X25519, CRYPTO_KEY_LENGTH);
  return {
    session,
    voucherSecret,
    voucherSigner: getAddressDecoder().decode(ed25519.getPublicKey(voucherSecret)),
    clientSecret,
    clientKey: getX25519PublicKey(clientSecret),
    historyKey: hkdfSha256(ikm, salt, HKDF_INFO_SESSION_HISTORY, CRYPTO_KEY_LENGTH),
  };
}
