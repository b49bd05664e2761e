/**
 * Prompt encryption under the data key. The JSON is padded to a size bucket (length hiding); the nonce is
 * synthetic (SIV: an HMAC of the padded plaintext) and travels with the ciphertext, so encrypting a different prompt for the same request address
 * never reuses a (key, nonce) pair; encrypting the same prompt again gives the same bytes.
 */
import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import type { Address } from "@solana/kit";

import {
  CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT,
  CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
  CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION,
  ChainferenceClientError,
} from "../errors";
import { addressBytes, bytesOfLength, concatBytes, toBytes, utf8, type BytesLike } from "./bytes";
import {
  HKDF_INFO_PROMPT,
  CRYPTO_KEY_LENGTH,
  CRYPTO_NONCE_LENGTH,
  PROMPT_CIPHERTEXT_OVERHEAD,
  PROMPT_CIPHERTEXT_VERSION,
  PROMPT_PADDING_FLOOR,
} from "./constants";
import { hkdfSha256 } from "./kdf";
import { padPlaintext, unpadPlaintext } from "./padding";
import { decodePromptPayload, encodePromptPayload, type PromptPayload } from "./prompt-payload";

type PromptInput = { dataKey: BytesLike; requestAddress: Address };

function promptKeys({ dataKey, requestAddress }: PromptInput) {
  const key = bytesOfLength(dataKey, CRYPTO_KEY_LENGTH, "data key");
  const requestBytes = addressBytes(requestAddress);
  const okm = hkdfSha256(key, requestBytes, HKDF_INFO_PROMPT, 2 * CRYPTO_KEY_LENGTH);
  return {
    encryptionKey: okm.subarray(0, CRYPTO_KEY_LENGTH),
    nonceKey: okm.subarray(CRYPTO_KEY_LENGTH),
    aad: concatBytes(utf8(HKDF_INFO_PROMPT), requestBytes),
  };
}

/**
 * Encrypts a prompt payload: `0x02 || nonce(24) || XChaCha20-Poly1305(key, nonce, aad)(padded)` with
 * `padded = u32le(len(json)) || json || zeros` (bucket: `max(512, padme(4 + len(json)))`),
 * `key || nonceKey = HKDF(dataKey, salt = requestAddress, "chainference/v2/prompt", 64)`,
 * `nonce = HMAC-SHA256(nonceKey, padded)[0..24]`, `aad = utf8("chainference/v2/prompt") || requestAddress`.
 *
 * @example
 * ```ts
 * const ciphertext = encryptPrompt({
 *   dataKey: keys.dataKey,
 *   requestAddress,
 *   payload: { v: 1, messages: [{ role: "user", content: "Hello" }], maxTokens: 256 },
 * });
 * ```
 */
export function encryptPrompt(input: PromptInput & { payload: PromptPayload }): Uint8Array {
  const plaintext = padPlaintext(encodePromptPayload(input.payload), PROMPT_PADDING_FLOOR);
  const { encryptionKey, nonceKey, aad } = promptKeys(input);
  const nonce = hmac(sha256, nonceKey, plaintext).subarray(0, CRYPTO_NONCE_LENGTH);
  const sealed = xchacha20poly1305(encryptionKey, nonce, aad).encrypt(plaintext);
  return concatBytes(Uint8Array.of(PROMPT_CIPHERTEXT_VERSION), nonce, sealed);
}

/**
 * Decrypts and validates a prompt ciphertext (the server after unwrapping, or the client reading
 * its history). Checks in this order, the first failure wins: empty → `..._MALFORMED_CIPHERTEXT`; first
 * byte ≠ 2 → `..._UNSUPPORTED_VERSION`; shorter than 41 bytes → `..._MALFORMED_CIPHERTEXT`; authentication →
 * `..._TAG_MISMATCH`; padding → `..._INVALID_PADDING`; the JSON → `..._INVALID_PROMPT_PAYLOAD` or
 * `..._UNSUPPORTED_VERSION`.
 *
 * @example
 * ```ts
 * const payload = decryptPrompt({ dataKey, requestAddress, ciphertext: request.prompt });
 * payload.messages.at(-1)?.content;
 * ```
 */
export function decryptPrompt(input: PromptInput & { ciphertext: BytesLike }): PromptPayload {
  const bytes = toBytes(input.ciphertext);
  if (bytes.length === 0) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT, {
      kind: "prompt",
      length: 0,
      minLength: PROMPT_CIPHERTEXT_OVERHEAD,
    });
  }
  if (bytes[0] !== PROMPT_CIPHERTEXT_VERSION) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION, {
      kind: "prompt-ciphertext",
      version: bytes[0],
      supported: PROMPT_CIPHERTEXT_VERSION,
    });
  }
  if (bytes.length < PROMPT_CIPHERTEXT_OVERHEAD) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT, {
      kind: "prompt",
      length: bytes.length,
      minLength: PROMPT_CIPHERTEXT_OVERHEAD,
    });
  }
  const { encryptionKey, aad } = promptKeys(input);
  const nonce = bytes.subarray(1, 1 + CRYPTO_NONCE_LENGTH);
  let plaintext: Uint8Array;
  try {
    plaintext = xchacha20poly1305(encryptionKey, nonce, aad).decrypt(bytes.subarray(1 + CRYPTO_NONCE_LENGTH));
  } catch (cause) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH, { kind: "prompt" }, { cause });
  }
  return decodePromptPayload(unpadPlaintext(plaintext, "prompt"));
}
