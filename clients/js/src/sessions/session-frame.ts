/**
 * Session frames: the prompt and every answer chunk, XChaCha20-Poly1305 under the session's frame key with a
 * random 24-byte nonce carried in front of the ciphertext, and associated data binding the session, the
 * answer index, the direction, the chunk index and the final flag.
 */
import type { Address } from "@solana/kit";

import {
  CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX,
  CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT,
  CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
  ChainferenceClientError,
} from "../errors";
import { addressBytes, bytesOfLength, MAX_U32, u32le, utf8, type BytesLike } from "../crypto/bytes";
import { CRYPTO_KEY_LENGTH, SEALED_FRAME_OVERHEAD } from "../crypto/constants";
import { hkdfSha256 } from "../crypto/kdf";
import { openFrame, sealFrame } from "../crypto/sealed-frame";
import { getX25519SharedSecret } from "../crypto/x25519";
import { HKDF_INFO_SESSION, SESSION_FRAME_AAD_LENGTH, SESSION_FRAME_AAD_PREFIX } from "./constants";

const AAD_PREFIX = utf8(SESSION_FRAME_AAD_PREFIX);
/** Decoded session addresses (base58 decoding is the costliest step of a frame's AAD); bounded, cleared when full. */
const sessionAddresses = new Map<Address, Uint8Array>();
const MAX_CACHED_SESSIONS = 1_024;

function sessionAddressBytes(session: Address): Uint8Array {
  let bytes = sessionAddresses.get(session);
  if (bytes === undefined) {
    if (sessionAddresses.size >= MAX_CACHED_SESSIONS) sessionAddresses.clear();
    bytes = addressBytes(session);
    sessionAddresses.set(session, bytes);
  }
  return bytes;
}

/** Which way a frame travels: the prompt (client → node) or an answer chunk (node → client). */
export type SessionFrameDirection = "prompt" | "answer";

/** Where a frame sits in a session. The prompt of an answer is chunk 0, final. */
export type SessionFramePosition = Readonly<{
  session: Address;
  answer: number;
  direction: SessionFrameDirection;
  chunk: number;
  isFinal: boolean;
}>;

/** Bytes a frame adds to its plaintext: nonce (24) + tag (16). */
export const SESSION_FRAME_OVERHEAD = SEALED_FRAME_OVERHEAD;

function assertIsU32(value: number): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_U32)
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX, { index: value });
}

/**
 * `HKDF-SHA256(X25519(secret, peerKey), salt = session, info = "chainference/v2/session", 32)`: the client calls it
 * with its session secret and the server's key (`peer: "server"`), the node with its keyring secret and the
 * client's session key (`peer: "client"`); both get the same key.
 *
 * @example
 * ```ts
 * const frameKey = deriveSessionFrameKey({ secret: keys.clientSecret, peerKey: info.serverKey, session, peer: "server" });
 * ```
 */
export function deriveSessionFrameKey({
  secret,
  peerKey,
  session,
  peer,
}: {
  secret: BytesLike;
  peerKey: BytesLike;
  session: Address;
  peer: "client" | "server";
}): Uint8Array {
  const shared = getX25519SharedSecret(secret, peerKey, peer);
  return hkdfSha256(shared, addressBytes(session), HKDF_INFO_SESSION, CRYPTO_KEY_LENGTH);
}

/**
 * `utf8("cfs2") || session(32) || u32le(answer) || u8(direction: 0 prompt, 1 answer) || u32le(chunk) || u8(isFinal)`
 * (46 bytes).
 *
 * @example
 * ```ts
 * getSessionFrameAad({ session, answer: 0, direction: "answer", chunk: 3, isFinal: false }).length; // 46
 * ```
 */
export function getSessionFrameAad({ session, answer, direction, chunk, isFinal }: SessionFramePosition): Uint8Array {
  assertIsU32(answer);
  assertIsU32(chunk);
  // One buffer and a cached session address: this runs for every chunk of every answer, on both sides.
  const aad = new Uint8Array(SESSION_FRAME_AAD_LENGTH);
  const view = new DataView(aad.buffer);
  aad.set(AAD_PREFIX, 0);
  aad.set(sessionAddressBytes(session), 4);
  view.setUint32(36, answer, true);
  aad[40] = direction === "prompt" ? 0 : 1;
  view.setUint32(41, chunk, true);
  aad[45] = isFinal ? 1 : 0;
  return aad;
}

/**
 * Encrypts one frame: `nonce(24) || XChaCha20-Poly1305(frameKey, nonce, aad)(plaintext)`, the same chunk AEAD
 * as response chunks (`crypto/sealed-frame.ts`). The nonce is random (pass one only for test vectors): the same
 * frame key serves every answer of the session in both directions.
 *
 * @example
 * ```ts
 * const frame = encryptSessionFrame({ frameKey, session, answer: 0, direction: "answer", chunk: 0, isFinal: false, plaintext });
 * ```
 */
export function encryptSessionFrame(
  input: SessionFramePosition & { frameKey: BytesLike; plaintext: BytesLike; nonce?: BytesLike },
): Uint8Array {
  const key = bytesOfLength(input.frameKey, CRYPTO_KEY_LENGTH, "session frame key");
  return sealFrame({ key, aad: getSessionFrameAad(input), plaintext: input.plaintext, nonce: input.nonce });
}

/**
 * Decrypts one frame at a known position; throws `CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH` (kind `session-frame`)
 * if the key, session, answer, direction, chunk, final flag or bytes differ, `..._MALFORMED_CIPHERTEXT` for a
 * frame shorter than nonce and tag.
 *
 * @example
 * ```ts
 * const text = new TextDecoder().decode(decryptSessionFrame({ frameKey, session, answer, direction: "answer", chunk, isFinal, frame }));
 * ```
 */
export function decryptSessionFrame(input: SessionFramePosition & { frameKey: BytesLike; frame: BytesLike }): Uint8Array {
  const key = bytesOfLength(input.frameKey, CRYPTO_KEY_LENGTH, "session frame key");
  if (input.frame.length < SESSION_FRAME_OVERHEAD) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT, {
      kind: "session-frame",
      length: input.frame.length,
      minLength: SESSION_FRAME_OVERHEAD,
    });
  }
  const plaintext = openFrame({ key, aad: getSessionFrameAad(input), frame: input.frame });
  if (plaintext === null) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH, { kind: "session-frame", position: input.chunk });
  }
  return plaintext;
}
