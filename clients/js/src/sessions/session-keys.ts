/**
 * A session's client-side keys, all derived from ONE wallet signature over a readable message naming the program
 * and the session address: the voucher signer (Ed25519), the per-session X25519 key and the local history key.
 * Ed25519 signatures are deterministic, so the wallet alone re-creates them.
 */
import { ed25519 } from "@noble/curves/ed25519.js";
import { createSignableMessage, getAddressDecoder, type Address, type MessagePartialSigner } from "@solana/kit";

import { CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE, ChainferenceClientError } from "../errors";
import { addressBytes, bytesOfLength, toBytes, utf8, type BytesLike } from "../crypto/bytes";
import { CRYPTO_KEY_LENGTH } from "../crypto/constants";
import { hkdfSha256 } from "../crypto/kdf";
import { assertIsRequestSignature } from "../crypto/request-seed";
import { getX25519PublicKey } from "../crypto/x25519";
import {
  HKDF_INFO_SESSION_HISTORY,
  HKDF_INFO_SESSION_SIGNER,
  HKDF_INFO_SESSION_X25519,
  SESSION_KEY_MESSAGE_TITLE,
  SESSION_SIGNATURE_LENGTH,
} from "./constants";

/** Where a session lives: the program and the session account (PDA `["session", client, server, open_slot]`). */
export type SessionLocation = Readonly<{ programId: Address; session: Address }>;

/** Everything the client holds for one session. Only `voucherSigner` and `clientKey` are public. */
export type SessionKeys = Readonly<{
  session: Address;
  /** Ed25519 seed of the voucher signer: `HKDF(sig, salt = session, "chainference/v1/session-signer", 32)`. */
  voucherSecret: Uint8Array;
  /** The voucher signer's public key: the `voucher_signer` of `open_session`. */
  voucherSigner: Address;
  /** X25519 secret: `HKDF(sig, salt = session, "chainference/v1/session-x25519", 32)`. */
  clientSecret: Uint8Array;
  /** `X25519.getPublicKey(clientSecret)`, sent with every ask. */
  clientKey: Uint8Array;
  /** Key of the local history: `HKDF(sig, salt = session, "chainference/v1/session-history", 32)`. */
  historyKey: Uint8Array;
}>;

/**
 * The exact text the wallet signs (UTF-8, shown by wallets as is):
 * `"Chainference session keys\nprogram: <programId>\nsession: <session>\nSigning creates the voucher, encryption and history keys of this session only. It moves no funds."`.
 *
 * @example
 * ```ts
 * const text = new TextDecoder().decode(getSessionKeyMessage({ programId, session }));
 * ```
 */
export function getSessionKeyMessage({ programId, session }: SessionLocation): Uint8Array {
  addressBytes(programId);
  addressBytes(session);
  return utf8(
    `${SESSION_KEY_MESSAGE_TITLE}\nprogram: ${programId}\nsession: ${session}\n` +
      "Signing creates the voucher, encryption and history keys of this session only. It moves no funds.",
  );
}

/**
 * Derives a session's keys from the wallet's 64-byte signature over {@link getSessionKeyMessage} (pure).
 *
 * @example
 * ```ts
 * const keys = deriveSessionKeys({ sessionSignature, session });
 * keys.voucherSigner; // goes into open_session
 * ```
 */
export function deriveSessionKeys({ sessionSignature, session }: { sessionSignature: BytesLike; session: Address }): SessionKeys {
  const ikm = bytesOfLength(sessionSignature, SESSION_SIGNATURE_LENGTH, "session key signature");
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

/**
 * Has the wallet sign the session-key message (one signature per session), checks that the signature verifies
 * over exactly that message, and derives the keys.
 *
 * @example
 * ```ts
 * const keys = await deriveSessionKeysWithSigner({ signer: wallet, programId, session });
 * ```
 */
export async function deriveSessionKeysWithSigner({
  signer,
  programId,
  session,
}: SessionLocation & { signer: MessagePartialSigner }): Promise<SessionKeys> {
  const message = getSessionKeyMessage({ programId, session });
  const [dictionary] = await signer.signMessages([createSignableMessage(message)]);
  const signature = dictionary?.[signer.address];
  if (signature === undefined)
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE, { address: signer.address });
  assertIsRequestSignature({ signature, message, signerAddress: signer.address });
  return deriveSessionKeys({ sessionSignature: toBytes(signature), session });
}
