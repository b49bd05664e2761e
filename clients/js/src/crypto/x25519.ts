/** X25519 (RFC 7748) with named errors. */
import { x25519 } from "@noble/curves/ed25519.js";

import { CHAINFERENCE_ERROR__CRYPTO__LOW_ORDER_POINT, ChainferenceClientError } from "../errors";
import { bytesOfLength, type BytesLike } from "./bytes";
import { CRYPTO_KEY_LENGTH } from "./constants";

/**
 * The X25519 public key of a 32-byte secret (the secret is clamped as RFC 7748 specifies).
 *
 * @example
 * ```ts
 * const clientKey = getX25519PublicKey(requestKeys.ephSecret);
 * ```
 */
export function getX25519PublicKey(secretKey: BytesLike): Uint8Array {
  return x25519.getPublicKey(bytesOfLength(secretKey, CRYPTO_KEY_LENGTH, "X25519 secret key"));
}

/**
 * `X25519(secretKey, peerPublicKey)`. Throws `CHAINFERENCE_ERROR__CRYPTO__LOW_ORDER_POINT` for a
 * low-order peer key (whose shared secret is all zeros, hence known to everyone); `peer` names
 * which side supplied that key in the error.
 *
 * @example
 * ```ts
 * const shared = getX25519SharedSecret(serverSecret, clientKey, "client");
 * ```
 */
export function getX25519SharedSecret(secretKey: BytesLike, peerPublicKey: BytesLike, peer: "client" | "server"): Uint8Array {
  const secret = bytesOfLength(secretKey, CRYPTO_KEY_LENGTH, "X25519 secret key");
  const publicKey = bytesOfLength(peerPublicKey, CRYPTO_KEY_LENGTH, `${peer} X25519 public key`);
  let shared: Uint8Array;
  try {
    // noble rejects the five low-order u-coordinates (and their non-canonical encodings) up front.
    shared = x25519.getSharedSecret(secret, publicKey);
  } catch (cause) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__LOW_ORDER_POINT, { peer }, { cause });
  }
  // Belt and braces: RFC 7748 §6.1's all-zero check, independent of the library's blocklist.
  if (shared.every((byte) => byte === 0)) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__LOW_ORDER_POINT, { peer });
  }
  return shared;
}
