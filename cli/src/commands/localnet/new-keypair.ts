/** Creating a Solana CLI keypair file, for local chains on machines without `solana-keygen`. */
import { generateKeyPairSync } from "node:crypto";
import { mkdir, writeFile } from "node:fs/promises";
import { dirname } from "node:path";

/**
 * Writes a new Ed25519 keypair as a Solana CLI keypair file (JSON array: 32-byte seed, 32-byte
 * public key), readable by its owner only; refuses to overwrite an existing file.
 *
 * @example
 * await writeNewKeypairFile("/home/me/.config/solana/id.json");
 */
export async function writeNewKeypairFile(path: string): Promise<void> {
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const seed = Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url");
  const pub = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify([...seed, ...pub])}\n`, { mode: 0o600, flag: "wx" });
}
