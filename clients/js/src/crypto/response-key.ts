/**
 * The response key: only the client and the server that locked the request can derive it. The
 * other allowed servers know the data key but not `X25519(ephSecret, lockerKey)`.
 */
import type { Address } from "@solana/kit";

import { addressBytes, bytesOfLength, concatBytes, type BytesLike } from "./bytes";
import { HKDF_INFO_RESPONSE, CRYPTO_KEY_LENGTH } from "./constants";
import { hkdfSha256 } from "./kdf";
import { getX25519SharedSecret } from "./x25519";

function responseKeyFromShared(shared: Uint8Array, dataKey: BytesLike, requestAddress: Address): Uint8Array {
  const ikm = concatBytes(shared, bytesOfLength(dataKey, CRYPTO_KEY_LENGTH, "data key"));
  return hkdfSha256(ikm, addressBytes(requestAddress), HKDF_INFO_RESPONSE, CRYPTO_KEY_LENGTH);
}

/**
 * Client side: `HKDF(X25519(ephSecret, lockerKey) || dataKey, salt = requestAddress,
 * "chainference/v2/response", 32)`, with `lockerKey` the X25519 key snapshot in the response
 * account (`server_key`).
 *
 * @example
 * ```ts
 * const responseKey = deriveClientResponseKey({
 *   ephSecret: keys.ephSecret, dataKey: keys.dataKey, lockerKey: response.serverKey, requestAddress,
 * });
 * ```
 */
export function deriveClientResponseKey({
  ephSecret,
  dataKey,
  lockerKey,
  requestAddress,
}: {
  ephSecret: BytesLike;
  dataKey: BytesLike;
  lockerKey: BytesLike;
  requestAddress: Address;
}): Uint8Array {
  return responseKeyFromShared(getX25519SharedSecret(ephSecret, lockerKey, "server"), dataKey, requestAddress);
}

/**
 * Server side (the locker): the same key from `X25519(lockerSecret, clientKey)`. `lockerSecret`
 * must be the secret of the key written into the response account.
 *
 * @example
 * ```ts
 * const responseKey = deriveServerResponseKey({
 *   lockerSecret: getServerKeyringSecret(keyring, request.lockedKeyEpoch),
 *   clientKey: request.clientKey, dataKey, requestAddress,
 * });
 * ```
 */
export function deriveServerResponseKey({
  lockerSecret,
  clientKey,
  dataKey,
  requestAddress,
}: {
  lockerSecret: BytesLike;
  clientKey: BytesLike;
  dataKey: BytesLike;
  requestAddress: Address;
}): Uint8Array {
  return responseKeyFromShared(getX25519SharedSecret(lockerSecret, clientKey, "client"), dataKey, requestAddress);
}
