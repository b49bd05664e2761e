/**
 * Wrapping the data key for each allowed server: any one of them can lock the request and read the
 * prompt (failover needs no re-encryption), and no one else can.
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import type { Address } from "@solana/kit";

import {
  CHAINFERENCE_ERROR__CRYPTO__NO_WRAPPED_KEY_FOR_SERVER,
  CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
  ChainferenceClientError,
} from "../errors";
import { addressBytes, bytesOfLength, type BytesLike } from "./bytes";
import { HKDF_INFO_WRAP, CRYPTO_KEY_LENGTH, CRYPTO_NONCE_LENGTH, WRAPPED_DATA_KEY_LENGTH } from "./constants";
import { hkdfSha256 } from "./kdf";
import { assertIsKeyEpoch } from "./key-epoch";
import type { RequestKeys } from "./request-keys";
import { getX25519SharedSecret } from "./x25519";

/** An allowed server's identity and key, as read from its Server account. */
export type AllowedServerKey = Readonly<{
  /** The server account address (PDA `["server", operator]`). */
  server: Address;
  /** The server's `key_epoch` when `x25519Key` was read. */
  keyEpoch: number;
  /** The server's X25519 public key. */
  x25519Key: BytesLike;
}>;

/** One allow-list entry as stored in the request account (`AllowedServer`, 84 bytes on-chain). */
export type WrappedDataKey<TBytes extends BytesLike = Uint8Array> = Readonly<{
  server: Address;
  keyEpoch: number;
  /** 48 bytes: XChaCha20-Poly1305 of the 32-byte data key. */
  wrappedKey: TBytes;
}>;

function wrapKeyAndNonce(shared: Uint8Array, requestAddress: Address, server: Address) {
  const okm = hkdfSha256(
    shared,
    addressBytes(requestAddress),
    HKDF_INFO_WRAP,
    CRYPTO_KEY_LENGTH + CRYPTO_NONCE_LENGTH,
    addressBytes(server),
  );
  return { key: okm.subarray(0, CRYPTO_KEY_LENGTH), nonce: okm.subarray(CRYPTO_KEY_LENGTH) };
}

/**
 * Wraps the data key for one server: `shared = X25519(ephSecret, serverKey)`, `okm =
 * HKDF(shared, salt = requestAddress, info = "chainference/v2/wrap" || server, 56)`, result =
 * XChaCha20-Poly1305(okm[0..32], okm[32..56]).encrypt(dataKey) (48 bytes).
 *
 * @example
 * ```ts
 * const wrappedKey = wrapDataKey({ ephSecret, dataKey, requestAddress, server, serverKey: server.x25519Key });
 * ```
 */
export function wrapDataKey({
  ephSecret,
  dataKey,
  requestAddress,
  server,
  serverKey,
}: {
  ephSecret: BytesLike;
  dataKey: BytesLike;
  requestAddress: Address;
  server: Address;
  serverKey: BytesLike;
}): Uint8Array {
  const plaintext = bytesOfLength(dataKey, CRYPTO_KEY_LENGTH, "data key");
  const shared = getX25519SharedSecret(ephSecret, serverKey, "server");
  const { key, nonce } = wrapKeyAndNonce(shared, requestAddress, server);
  return xchacha20poly1305(key, nonce).encrypt(plaintext);
}

/**
 * Wraps the data key for every server of the allow-list, in order, ready for `create_request`.
 *
 * @example
 * ```ts
 * const allowed = wrapDataKeyForServers({ requestKeys, requestAddress, servers: [
 *   { server: serverA, keyEpoch: 0, x25519Key: keyA },
 *   { server: serverB, keyEpoch: 2, x25519Key: keyB },
 * ] });
 * ```
 */
export function wrapDataKeyForServers({
  requestKeys,
  requestAddress,
  servers,
}: {
  requestKeys: Pick<RequestKeys, "ephSecret" | "dataKey">;
  requestAddress: Address;
  servers: readonly AllowedServerKey[];
}): WrappedDataKey[] {
  return servers.map(({ server, keyEpoch, x25519Key }) => {
    assertIsKeyEpoch(keyEpoch);
    const wrappedKey = wrapDataKey({ ...requestKeys, requestAddress, server, serverKey: x25519Key });
    return { server, keyEpoch, wrappedKey };
  });
}

/**
 * Server side: recovers the data key with the server's secret for the entry's key epoch and the
 * request's client key. Throws `CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH` when the key was not
 * wrapped for this server (wrong secret, wrong server address, other request, tampered bytes).
 *
 * @example
 * ```ts
 * const entry = findWrappedDataKey({ allowed: request.allowed, server: myServer });
 * const dataKey = unwrapDataKey({
 *   serverSecret: getServerKeyringSecret(keyring, entry.keyEpoch),
 *   clientKey: request.clientKey, requestAddress, server: myServer, wrappedKey: entry.wrappedKey,
 * });
 * ```
 */
export function unwrapDataKey({
  serverSecret,
  clientKey,
  requestAddress,
  server,
  wrappedKey,
}: {
  serverSecret: BytesLike;
  clientKey: BytesLike;
  requestAddress: Address;
  server: Address;
  wrappedKey: BytesLike;
}): Uint8Array {
  const ciphertext = bytesOfLength(wrappedKey, WRAPPED_DATA_KEY_LENGTH, "wrapped data key");
  const shared = getX25519SharedSecret(serverSecret, clientKey, "client");
  const { key, nonce } = wrapKeyAndNonce(shared, requestAddress, server);
  try {
    return xchacha20poly1305(key, nonce).decrypt(ciphertext);
  } catch (cause) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH, { kind: "wrapped-data-key" }, { cause });
  }
}

/**
 * Finds the allow-list entry for `server`, or throws
 * `CHAINFERENCE_ERROR__CRYPTO__NO_WRAPPED_KEY_FOR_SERVER`.
 *
 * @example
 * ```ts
 * const { keyEpoch, wrappedKey } = findWrappedDataKey({ allowed: request.allowed, server: myServer });
 * ```
 */
export function findWrappedDataKey<TBytes extends BytesLike>({
  allowed,
  server,
}: {
  allowed: readonly WrappedDataKey<TBytes>[];
  server: Address;
}): WrappedDataKey<TBytes> {
  const entry = allowed.find((candidate) => candidate.server === server);
  if (entry === undefined) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__NO_WRAPPED_KEY_FOR_SERVER, { serverAddress: server });
  }
  return entry;
}
