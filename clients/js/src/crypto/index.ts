// The privacy scheme (docs/privacy.md). Byte helpers, HKDF labels, the KDF and the format versions stay internal:
// they are reachable through the functions below, which fix them.
export type { BytesLike } from "./bytes";
export {
  CRYPTO_KEY_LENGTH,
  CRYPTO_NONCE_LENGTH,
  CRYPTO_TAG_LENGTH,
  KEY_ROOT_SIGNATURE_LENGTH,
  MAX_RESPONSE_CHUNK_CIPHERTEXT_LENGTH,
  PROMPT_CIPHERTEXT_OVERHEAD,
  PROMPT_PADDING_FLOOR,
  RESPONSE_CHUNK_PADDING_FLOOR,
  SEALED_FRAME_OVERHEAD,
  WRAPPED_DATA_KEY_LENGTH,
} from "./constants";
export {
  deriveKeyRoot,
  getKeyRootMessage,
  getKeyRootMessageText,
  keyRootFromSignature,
  type KeyRoot,
  type KeyRootLocation,
} from "./key-root";
export {
  findWrappedDataKey,
  unwrapDataKey,
  wrapDataKey,
  wrapDataKeyForServers,
  type AllowedServerKey,
  type WrappedDataKey,
} from "./key-wrap";
export { decryptPrompt, encryptPrompt } from "./prompt-encryption";
export {
  assertIsPromptPayload,
  decodePromptPayload,
  encodePromptPayload,
  isPromptPayload,
  type PromptMessage,
  type PromptPayload,
  type PromptRole,
} from "./prompt-payload";
export {
  decryptRequestHistory,
  decryptRequestHistoryWithSigner,
  type DecryptedRequestHistory,
  type RequestHistoryRecord,
} from "./request-history";
export { getPaddedLength, padme } from "./padding";
export { deriveRequestKeys, type RequestKeys } from "./request-keys";
export {
  decryptResponseChunk,
  encryptResponseChunk,
  getMaxResponseChunkPlaintextLength,
  getResponseChunkAad,
  getResponseChunkCiphertextLength,
  MAX_RESPONSE_CHUNK_PLAINTEXT_LENGTH,
} from "./response-chunk";
export { deriveClientResponseKey, deriveServerResponseKey } from "./response-key";
export { decodeResponseStream, decryptResponseStream, encodeResponseFrames, type DecryptedResponse } from "./response-stream";
export {
  createServerKeyring,
  decodeServerKeyring,
  encodeServerKeyring,
  generateX25519KeyPair,
  getCurrentServerKey,
  getServerKeyringEntry,
  getServerKeyringSecret,
  pruneServerKeyring,
  rotateServerKeyring,
  type ServerKeyring,
  type ServerKeyringEntry,
  type X25519KeyPair,
} from "./server-keys";
export { getX25519PublicKey, getX25519SharedSecret } from "./x25519";
