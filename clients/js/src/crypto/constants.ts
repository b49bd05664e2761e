/**
 * Fixed labels and sizes of the v2 privacy scheme. Every string is used as UTF-8 bytes; see
 * `docs/privacy.md` for where each one goes.
 */

/** HKDF info of the key root, derived from the wallet's one signature over the key-root message. */
export const HKDF_INFO_KEY_ROOT = "chainference/v2/key-root";
/** HKDF info for the client's per-request X25519 secret. */
export const HKDF_INFO_CLIENT_X25519 = "chainference/v2/client-x25519";
/** HKDF info for the per-request data key. */
export const HKDF_INFO_DATA_KEY = "chainference/v2/data-key";
/** HKDF info prefix for wrapping the data key (followed by the 32-byte server account address). */
export const HKDF_INFO_WRAP = "chainference/v2/wrap";
/** HKDF info for the prompt key and synthetic-nonce key; also the prefix of the prompt AAD. */
export const HKDF_INFO_PROMPT = "chainference/v2/prompt";
/** HKDF info for the response key. */
export const HKDF_INFO_RESPONSE = "chainference/v2/response";
/** Prefix of every response-chunk AAD. */
export const RESPONSE_CHUNK_AAD_PREFIX = "chainference/v2/response-chunk";

/** Version byte that starts every v2 prompt ciphertext. */
export const PROMPT_CIPHERTEXT_VERSION = 2;
/** `v` field of the prompt payload JSON (the JSON schema did not change with the v2 ciphertext). */
export const PROMPT_PAYLOAD_VERSION = 1;

/** X25519 public and secret keys, data key, response key, key root: 32 bytes. */
export const CRYPTO_KEY_LENGTH = 32;
/** Ed25519 signature length (the key-root signature). */
export const KEY_ROOT_SIGNATURE_LENGTH = 64;
/** XChaCha20 nonce length. */
export const CRYPTO_NONCE_LENGTH = 24;
/** Poly1305 tag length. */
export const CRYPTO_TAG_LENGTH = 16;
/** A wrapped data key: 32-byte ciphertext + 16-byte tag. */
export const WRAPPED_DATA_KEY_LENGTH = CRYPTO_KEY_LENGTH + CRYPTO_TAG_LENGTH;
/** Bytes a prompt ciphertext adds to its padded plaintext: version (1) + synthetic nonce (24) + tag (16). */
export const PROMPT_CIPHERTEXT_OVERHEAD = 1 + CRYPTO_NONCE_LENGTH + CRYPTO_TAG_LENGTH;
/** Bytes a sealed chunk or session frame adds to its (padded) plaintext: its random nonce (24) + tag (16). */
export const SEALED_FRAME_OVERHEAD = CRYPTO_NONCE_LENGTH + CRYPTO_TAG_LENGTH;
/** Largest chunk ciphertext a `u16` frame length can carry. */
export const MAX_RESPONSE_CHUNK_CIPHERTEXT_LENGTH = 0xffff;

/** Length prefix of a padded plaintext: u32 little-endian. */
export const PADDING_LENGTH_PREFIX = 4;
/** Smallest padded prompt plaintext: every prompt of up to 508 JSON bytes looks the same. */
export const PROMPT_PADDING_FLOOR = 512;
/** Smallest padded chunk plaintext: every chunk of up to 60 bytes (a dozen tokens) looks the same. */
export const RESPONSE_CHUNK_PADDING_FLOOR = 64;
