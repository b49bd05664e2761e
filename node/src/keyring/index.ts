// The server keyring on disk and its rotation (a running node rotates through `node.rotateKey()`).
export { alignKeyringWithChain, type KeyringAlignment, type PublishedKey } from "./keyring-alignment";
export {
  ENCRYPTED_KEYRING_HEADER_LENGTH,
  ENCRYPTED_KEYRING_MAGIC,
  ENCRYPTED_KEYRING_VERSION,
  KEYRING_SCRYPT,
  KeyringPassphraseError,
  decryptKeyringFile,
  encryptKeyringFile,
  isEncryptedKeyringFile,
  type KeyringScrypt,
} from "./keyring-encryption";
export {
  KEYRING_FILE_MODE,
  isServerKeyringEncrypted,
  getDefaultKeyringPath,
  loadOrCreateServerKeyring,
  readServerKeyringFile,
  writeServerKeyringFile,
  type LoadedKeyring,
} from "./keyring-file";
export { rotateServerKey, type KeyRotation } from "./rotate-server-key";
