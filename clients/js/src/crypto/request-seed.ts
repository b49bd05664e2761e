/**
 * The request seed: the wallet's Ed25519 signature over a fixed per-request message. Ed25519
 * (RFC 8032) signatures are deterministic, so the wallet alone can re-create the seed at any time.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { createSignableMessage, type Address, type MessagePartialSigner } from "@solana/kit";

import {
  CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE,
  CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE,
  ChainferenceClientError,
} from "../errors";
import { addressBytes, bytesOfLength, concatBytes, toBytes, utf8, type BytesLike } from "./bytes";
import { REQUEST_KEY_MESSAGE_PREFIX, REQUEST_SIGNATURE_LENGTH } from "./constants";

/** Where a request lives: the program and the request account (PDA). */
export type RequestLocation = Readonly<{ programId: Address; requestAddress: Address }>;

/**
 * The exact bytes the wallet signs: `utf8("chainference/v1/request-key") || programId(32) ||
 * requestAddress(32)` (91 bytes).
 *
 * @example
 * ```ts
 * const message = getRequestKeyMessage({ programId, requestAddress });
 * message.length; // 91
 * ```
 */
export function getRequestKeyMessage({ programId, requestAddress }: RequestLocation): Uint8Array {
  return concatBytes(utf8(REQUEST_KEY_MESSAGE_PREFIX), addressBytes(programId), addressBytes(requestAddress));
}

/**
 * Has any kit message signer (a `KeyPairSigner`, a wallet-standard adapter, ...) sign the request-key
 * message and returns the 64-byte signature, after checking that it verifies over exactly that
 * message under the signer's address. A wallet that wraps or prefixes messages before signing would
 * produce a seed that another wallet holding the same key could not re-create, so it is refused
 * (`CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE`) rather than silently locking the history to it.
 *
 * @example
 * ```ts
 * const signer = await generateKeyPairSigner();
 * const requestSignature = await signRequestKeyMessage({ signer, programId, requestAddress });
 * ```
 */
export async function signRequestKeyMessage({
  signer,
  programId,
  requestAddress,
}: RequestLocation & { signer: MessagePartialSigner }): Promise<Uint8Array> {
  const message = getRequestKeyMessage({ programId, requestAddress });
  const [dictionary] = await signer.signMessages([createSignableMessage(message)]);
  const signature = dictionary?.[signer.address];
  if (signature === undefined) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE, { address: signer.address });
  }
  assertIsRequestSignature({ signature, message, signerAddress: signer.address });
  return toBytes(signature);
}

/**
 * {@link signRequestKeyMessage} for many requests in one `signMessages` call (one wallet prompt where the
 * wallet shows several messages at once); each signature is checked the same way. In `requestAddresses` order.
 *
 * @example
 * ```ts
 * const [first, second] = await signRequestKeyMessages({ signer, programId, requestAddresses: [a, b] });
 * ```
 */
export async function signRequestKeyMessages({
  signer,
  programId,
  requestAddresses,
}: Pick<RequestLocation, "programId"> & { signer: MessagePartialSigner; requestAddresses: readonly Address[] }): Promise<Uint8Array[]> {
  if (requestAddresses.length === 0) return [];
  const messages = requestAddresses.map((requestAddress) => getRequestKeyMessage({ programId, requestAddress }));
  const dictionaries = await signer.signMessages(messages.map((m) => createSignableMessage(m)));
  return messages.map((message, i) => {
    const signature = dictionaries[i]?.[signer.address];
    if (signature === undefined) {
      throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE, { address: signer.address });
    }
    assertIsRequestSignature({ signature, message, signerAddress: signer.address });
    return toBytes(signature);
  });
}

/**
 * Throws unless `signature` is a valid 64-byte Ed25519 signature by `signerAddress` over `message`.
 *
 * @example
 * ```ts
 * assertIsRequestSignature({ signature, message: getRequestKeyMessage(location), signerAddress: wallet });
 * ```
 */
export function assertIsRequestSignature({
  signature,
  message,
  signerAddress,
}: {
  signature: BytesLike;
  message: BytesLike;
  signerAddress: Address;
}): void {
  const bytes = bytesOfLength(signature, REQUEST_SIGNATURE_LENGTH, "request signature");
  let valid = false;
  try {
    valid = ed25519.verify(bytes, toBytes(message), addressBytes(signerAddress));
  } catch {
    valid = false;
  }
  if (!valid) throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE, { address: signerAddress });
}
