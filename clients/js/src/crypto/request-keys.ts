/** The client's per-request keys, all derived from the request seed. */
import type { Address, MessagePartialSigner } from "@solana/kit";

import { addressBytes, bytesOfLength, type BytesLike } from "./bytes";
import { HKDF_INFO_CLIENT_X25519, HKDF_INFO_DATA_KEY, CRYPTO_KEY_LENGTH, REQUEST_SIGNATURE_LENGTH } from "./constants";
import { hkdfSha256 } from "./kdf";
import { signRequestKeyMessage, type RequestLocation } from "./request-seed";
import { getX25519PublicKey } from "./x25519";

/** Everything the client needs for one request. `clientKey` is public (stored on-chain). */
export type RequestKeys = Readonly<{
  /** X25519 secret: `HKDF(sig, salt = requestAddress, "chainference/v1/client-x25519", 32)`. */
  ephSecret: Uint8Array;
  /** `X25519.getPublicKey(ephSecret)`, the request's `client_key`. */
  clientKey: Uint8Array;
  /** Symmetric key under which the prompt is encrypted: `HKDF(sig, salt = requestAddress, "chainference/v1/data-key", 32)`. */
  dataKey: Uint8Array;
}>;

/**
 * Derives a request's keys from the 64-byte request signature (pure; see
 * {@link deriveRequestKeysWithSigner} to obtain the signature from a wallet).
 *
 * @example
 * ```ts
 * const message = getRequestKeyMessage({ programId, requestAddress });
 * const requestSignature = ed25519.sign(message, walletSeed);
 * const { ephSecret, clientKey, dataKey } = deriveRequestKeys({ requestSignature, requestAddress });
 * ```
 */
export function deriveRequestKeys({
  requestSignature,
  requestAddress,
}: {
  requestSignature: BytesLike;
  requestAddress: Address;
}): RequestKeys {
  const ikm = bytesOfLength(requestSignature, REQUEST_SIGNATURE_LENGTH, "request signature");
  const salt = addressBytes(requestAddress);
  const ephSecret = hkdfSha256(ikm, salt, HKDF_INFO_CLIENT_X25519, CRYPTO_KEY_LENGTH);
  return {
    ephSecret,
    clientKey: getX25519PublicKey(ephSecret),
    dataKey: hkdfSha256(ikm, salt, HKDF_INFO_DATA_KEY, CRYPTO_KEY_LENGTH),
  };
}

/**
 * Asks the wallet signer for the request signature, then derives the request's keys.
 *
 * @example
 * ```ts
 * const keys = await deriveRequestKeysWithSigner({ signer: wallet, programId, requestAddress });
 * // keys.clientKey goes into create_request; keys.dataKey encrypts the prompt.
 * ```
 */
export async function deriveRequestKeysWithSigner(input: RequestLocation & { signer: MessagePartialSigner }): Promise<RequestKeys> {
  const requestSignature = await signRequestKeyMessage(input);
  return deriveRequestKeys({ requestSignature, requestAddress: input.requestAddress });
}
