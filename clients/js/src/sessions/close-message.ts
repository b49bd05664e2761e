/**
 * The close message: what the session key signs to ask the node for the cooperative close (its final settle and
 * `close_session` in one transaction). It names the session only: closing is what the client wants whenever it is
 * replayed, and a session address never hosts a second session, so it can close nothing else.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import type { Address } from "@solana/kit";

import { addressBytes, bytesOfLength, concatBytes, toBytes, utf8, type BytesLike } from "../crypto/bytes";
import { CRYPTO_KEY_LENGTH } from "../crypto/constants";
import { SESSION_CLOSE_MESSAGE_PREFIX, SESSION_SIGNATURE_LENGTH } from "./constants";

/**
 * `utf8("chainference/v1/session-close") || session(32)` (61 bytes).
 *
 * @example
 * ```ts
 * getSessionCloseMessage(session).length; // 61
 * ```
 */
export function getSessionCloseMessage(session: Address): Uint8Array {
  return concatBytes(utf8(SESSION_CLOSE_MESSAGE_PREFIX), addressBytes(session));
}

/**
 * Signs the close message with the voucher signer's seed.
 *
 * @example
 * ```ts
 * const signature = signSessionClose({ session: keys.session, voucherSecret: keys.voucherSecret });
 * ```
 */
export function signSessionClose({ session, voucherSecret }: { session: Address; voucherSecret: BytesLike }): Uint8Array {
  return ed25519.sign(getSessionCloseMessage(session), bytesOfLength(voucherSecret, CRYPTO_KEY_LENGTH, "voucher signer seed"));
}

/**
 * True when `signature` is the session's voucher signer's signature over the close message.
 *
 * @example
 * ```ts
 * if (!verifySessionClose({ session, signature, voucherSigner: view.voucherSigner })) refuse("bad_signature");
 * ```
 */
export function verifySessionClose({
  session,
  signature,
  voucherSigner,
}: {
  session: Address;
  signature: BytesLike;
  voucherSigner: Address;
}): boolean {
  if (signature.length !== SESSION_SIGNATURE_LENGTH) return false;
  try {
    return ed25519.verify(toBytes(signature), getSessionCloseMessage(session), addressBytes(voucherSigner));
  } catch {
    return false;
  }
}
