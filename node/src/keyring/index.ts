// The server keyring on disk and its rotation (a running node rotates through `node.rotateKey()`).
export { alignKeyringWithChain, type KeyringAlignment, type PublishedKey } from "./keyring-alignment";
export {
  KEYRING_FILE_MODE,
  getDefaultKeyringPath,
  loadOrCreateServerKeyring,
  readServerKeyringFile,
  writeServerKeyringFile,
  type LoadedKeyring,
} from "./keyring-file";
export { rotateServerKey, type KeyRotation } from "./rotate-server-key";
