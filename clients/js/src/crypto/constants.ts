/**
 * Fixed labels and sizes of the v1 privacy scheme. Every string is used as UTF-8 bytes; see
 * `docs/privacy.md` for where each one goes.
 */

/** Prefix of the message the wallet signs to seed a request's keys. */
export const REQUEST_KEY_MESSAGE_PREFIX = "chainference/v1/request-key";
/** HKDF info for the client's per-request X25519 secret. */
export const HKDF_INFO_CLIENT_X25519 = "chainference/v1/client-x25519";
/** HKDF info for the per-request data key. */
export const HKDF_INFO_DATA_KEY = "chainference/v1/data-key";
/** HKDF info prefix for wrapping the data key (followed by the 32-byte server account address). */
export const HKDF_INFO_WRAP = "chainference/v1/wrap";
/** HKDF info for the prompt key and synthetic-nonce key; also the prefix of the prompt AAD. */
export const HKDF_INFO_PROMPT = "chainference/v1/prompt";
/** HKDF info for the response key. */
export const HKDF_INFO_RESPONSE = "chainference/v1/response";
/** First four bytes of every response-chunk nonce. */
export const RESPONSE_CHUNK_NONCE_PREFIX = "cfr1";

/** Version byte that starts every v1 prompt ciphertext. */
export const PROMPT_CIPHERTEXT_VERSION = 1;
/** `v` field of the v1 prompt payload JSON. */
export const PROMPT_PAYLOAD_VERSION = 1;

/** X25519 public and secret keys, data key, response key: 32 bytes. */
export const CRYPTO_KEY_LENGTH = 32;
/** Ed25519 signature length (the request seed). */
export const REQUEST_SIGNATURE_LENGTH = 64;
/** XChaCha20 nonce length. */
export const CRYPTO_NONCE_LENGTH = 24;
/** Poly1305 tag length. */
export const CRYPTO_TAG_LENGTH = 16;
/** A wrapped data key: 32-byte ciphertext + 16-byte tag. */
export const WRAPPED_DATA_KEY_LENGTH = CRYPTO_KEY_LENGTH + CRYPTO_TAG_LENGTH;
/** Bytes a prompt ciphertext adds to its plaintext: version (1) + synthetic nonce (24) + tag (16). */
export const PROMPT_CIPHERTEXT_OVERHEAD = 1 + CRYPTO_NONCE_LENGTH + CRYPTO_TAG_LENGTH;
/** Largest chunk ciphertext a `u16` frame length can carry. */
export const MAX_RESPONSE_CHUNK_CIPHERTEXT_LENGTH = 0xffff;
/** Largest chunk plaintext. */
export const MAX_RESPONSE_CHUNK_PLAINTEXT_LENGTH = MAX_RESPONSE_CHUNK_CIPHERTEXT_LENGTH - CRYPTO_TAG_LENGTH;
