import { xchacha20poly1305 } from "@noble/ciphers/chacha.js";
import { randomBytes } from "@noble/ciphers/utils.js";
import { scryptAsync } from "@noble/hashes/scrypt.js";

/**
 * The encrypted keyring file (docs/privacy.md §6 "Server keys"), version 1:
 * `magic "CFKR" (4) || version 0x01 || log2(N) || r || p || salt (16) || nonce (24) || XChaCha20-Poly1305 ciphertext`,
 * the key `scrypt(NFKC(passphrase), salt, N, r, p, 32)`, the AAD the 48 header bytes, the plaintext the keyring JSON.
 */
export const ENCRYPTED_KEYRING_MAGIC = Uint8Array.of(0x43, 0x46, 0x4b, 0x52);
export const ENCRYPTED_KEYRING_VERSION = 1;
/** Bytes before the ciphertext (magic, version, scrypt parameters, salt, nonce), all bound as AAD. */
export const ENCRYPTED_KEYRING_HEADER_LENGTH = 48;
/** scrypt cost written into new files: N = 2^17, r = 8, p = 1 (128 MiB, about a second here; OWASP's minimum). */
export const KEYRING_SCRYPT = Object.freeze({ log2N: 17, r: 8, p: 1 });

/** scrypt parameters as a file stores them. */
export type KeyringScrypt = Readonly<{ log2N: number; r: number; p: number }>;

const SALT_LENGTH = 16;
const NONCE_LENGTH = 24;
const TAG_LENGTH = 16;

/** Thrown by {@link decryptKeyringFile} when the passphrase does not open the file; `message` says so in words. */
export class KeyringPassphraseError extends Error {}

/**
 * True when `bytes` start with the encrypted keyring magic (a plain keyring is JSON and starts with `{`).
 *
 * @example
 * if (isEncryptedKeyringFile(await readFile(path))) passphrase ??= await ask();
 */
export function isEncryptedKeyringFile(bytes: Uint8Array): boolean {
  return bytes.length >= ENCRYPTED_KEYRING_MAGIC.length && ENCRYPTED_KEYRING_MAGIC.every((b, i) => bytes[i] === b);
}

const passphraseBytes = (passphrase: string): Uint8Array => new TextEncoder().encode(passphrase.normalize("NFKC"));

/** Derived keys by passphrase and salt: a node rewrites its keyring (rotation, pruning) without paying scrypt again. */
const derivedKeys = new Map<string, Promise<Uint8Array>>();

function deriveKey(passphrase: string, salt: Uint8Array, params: KeyringScrypt): Promise<Uint8Array> {
  const id = `${Buffer.from(salt).toString("hex")}:${params.log2N}:${params.r}:${params.p}:${passphrase}`;
  let key = derivedKeys.get(id);
  if (!key) {
    key = scryptAsync(passphraseBytes(passphrase), salt, { N: 2 ** params.log2N, r: params.r, p: params.p, dkLen: 32 });
    derivedKeys.set(id, key);
    key.catch(() => derivedKeys.delete(id));
  }
  return key;
}

/** The salt a passphrase was last used with in this process, so rewrites reuse its derived key (nonces stay fresh). */
const saltByPassphrase = new Map<string, { salt: Uint8Array; params: KeyringScrypt }>();

/**
 * Encrypts the keyring JSON under `passphrase`: a fresh 24-byte nonce every time; the salt (and so the scrypt work)
 * is reused for later writes with the same passphrase in this process.
 *
 * @example
 * await writeFile(path, await encryptKeyringFile(encodeServerKeyring(keyring), passphrase));
 */
export async function encryptKeyringFile(json: string, passphrase: string, params: KeyringScrypt = KEYRING_SCRYPT): Promise<Uint8Array> {
  if (passphrase === "") throw new KeyringPassphraseError("the passphrase is empty");
  let known = saltByPassphrase.get(passphrase);
  if (!known || known.params.log2N !== params.log2N || known.params.r !== params.r || known.params.p !== params.p) {
    known = { salt: randomBytes(SALT_LENGTH), params };
    saltByPassphrase.set(passphrase, known);
  }
  const header = new Uint8Array(ENCRYPTED_KEYRING_HEADER_LENGTH);
  header.set(ENCRYPTED_KEYRING_MAGIC, 0);
  header.set([ENCRYPTED_KEYRING_VERSION, params.log2N, params.r, params.p], 4);
  header.set(known.salt, 8);
  header.set(randomBytes(NONCE_LENGTH), 8 + SALT_LENGTH);
  const key = await deriveKey(passphrase, known.salt, params);
  const ciphertext = xchacha20poly1305(key, header.slice(24, 48), header).encrypt(new TextEncoder().encode(json));
  const file = new Uint8Array(header.length + ciphertext.length);
  file.set(header, 0);
  file.set(ciphertext, header.length);
  return file;
}

/**
 * Decrypts an encrypted keyring file to its JSON. Checks in order: magic, version, scrypt parameters, length, tag.
 *
 * @throws `KeyringPassphraseError` for a wrong passphrase (or an altered file: the tag cannot tell them apart),
 * `Error` for a file that is not an encrypted keyring of a known version.
 * @example
 * const keyring = decodeServerKeyring(await decryptKeyringFile(bytes, passphrase));
 */
export async function decryptKeyringFile(bytes: Uint8Array, passphrase: string): Promise<string> {
  if (!isEncryptedKeyringFile(bytes)) throw new Error("not an encrypted keyring (no CFKR magic)");
  if (bytes[4] !== ENCRYPTED_KEYRING_VERSION)
    throw new Error(`encrypted keyring version ${bytes[4]} is not supported (this node reads version ${ENCRYPTED_KEYRING_VERSION})`);
  const params = { log2N: bytes[5]!, r: bytes[6]!, p: bytes[7]! };
  if (params.log2N < 10 || params.log2N > 22 || params.r < 1 || params.p < 1)
    throw new Error(`scrypt parameters N=2^${params.log2N} r=${params.r} p=${params.p} are out of range (2^10..2^22, r ≥ 1, p ≥ 1)`);
  if (bytes.length < ENCRYPTED_KEYRING_HEADER_LENGTH + TAG_LENGTH) throw new Error(`the file is truncated (${bytes.length} bytes)`);
  const header = bytes.slice(0, ENCRYPTED_KEYRING_HEADER_LENGTH);
  const salt = header.slice(8, 24);
  const key = await deriveKey(passphrase, salt, params);
  let plaintext: Uint8Array;
  try {
    plaintext = xchacha20poly1305(key, header.slice(24, 48), header).decrypt(bytes.slice(ENCRYPTED_KEYRING_HEADER_LENGTH));
  } catch {
    throw new KeyringPassphraseError("wrong passphrase (or the file was altered)");
  }
  // Rewrites keep this file's salt, so the key just derived serves them.
  saltByPassphrase.set(passphrase, { salt, params });
  return new TextDecoder().decode(plaintext);
}
