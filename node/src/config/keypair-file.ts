import { generateKeyPairSync } from "node:crypto";
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join } from "node:path";

import { createKeyPairSignerFromBytes, type KeyPairSigner } from "@solana/kit";

import { CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID, CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING, ChainferenceNodeError } from "../node-error";
import { expandHome } from "./home-path";

/**
 * The Solana CLI's default keypair: `~/.config/solana/id.json`.
 *
 * @example
 * getDefaultKeypairPath("/home/op"); // "/home/op/.config/solana/id.json"
 */
export function getDefaultKeypairPath(home?: string): string {
  return expandHome(join("~", ".config", "solana", "id.json"), home);
}

/**
 * Parses a Solana keypair file's content: a JSON array of 64 bytes (32-byte secret seed, then the public key).
 *
 * @throws `CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID` naming `path` and what is wrong.
 * @example
 * const bytes = parseKeypairFile("[12,34,…]", "id.json"); // Uint8Array(64)
 */
export function parseKeypairFile(text: string, path: string): Uint8Array {
  const invalid = (reason: string) => new ChainferenceNodeError(CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID, { path, reason });
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalid("not JSON");
  }
  if (!Array.isArray(value) || value.length !== 64)
    throw invalid(`expected an array of 64 numbers, got ${Array.isArray(value) ? `${value.length} items` : typeof value}`);
  if (!value.every((b) => Number.isInteger(b) && b >= 0 && b <= 255)) throw invalid("every item must be an integer in 0..=255");
  return Uint8Array.from(value as number[]);
}

/** Why a keypair path could not be read, in words (not `EISDIR: illegal operation on a directory, read`). */
function unreadableReason(error: unknown): string {
  switch ((error as NodeJS.ErrnoException).code) {
    case "EISDIR":
      return "it is a directory; pass the keypair file itself, e.g. ~/.config/solana/id.json";
    case "EACCES":
    case "EPERM":
      return "permission denied; check the file's owner and mode";
    default:
      return error instanceof Error ? error.message : String(error);
  }
}

/**
 * Loads a Solana CLI keypair file (`--keypair`, default `~/.config/solana/id.json`) as a kit signer.
 * The file's public half must match its secret half.
 *
 * @throws `CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING` when there is no file, `..._KEYPAIR_INVALID` otherwise.
 * @example
 * const operator = await loadKeypairSigner("~/.config/solana/id.json");
 * console.log(operator.address);
 */
export async function loadKeypairSigner(path: string = getDefaultKeypairPath()): Promise<KeyPairSigner> {
  const resolved = expandHome(path);
  let text: string;
  try {
    text = await readFile(resolved, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new ChainferenceNodeError(CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING, { path: resolved });
    throw new ChainferenceNodeError(
      CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID,
      { path: resolved, reason: unreadableReason(error) },
      { cause: error },
    );
  }
  const bytes = parseKeypairFile(text, resolved);
  try {
    return await createKeyPairSignerFromBytes(bytes);
  } catch (error) {
    throw new ChainferenceNodeError(
      CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID,
      { path: resolved, reason: error instanceof Error ? error.message : String(error) },
      { cause: error },
    );
  }
}

/**
 * Writes a new Ed25519 keypair as a Solana CLI keypair file (JSON array: 32-byte seed, 32-byte public key),
 * readable by its owner only. Refuses to replace an existing file unless `overwrite` (then the old key is gone).
 * Returns the new key's address.
 *
 * @throws an `EEXIST` error when the file exists and `overwrite` is not set.
 * @example
 * const address = await writeNewKeypairFile("~/.config/solana/id.json");
 */
export async function writeNewKeypairFile(path: string, { overwrite = false }: { readonly overwrite?: boolean } = {}): Promise<string> {
  const resolved = expandHome(path);
  const { privateKey, publicKey } = generateKeyPairSync("ed25519");
  const seed = Buffer.from(privateKey.export({ format: "jwk" }).d!, "base64url");
  const pub = Buffer.from(publicKey.export({ format: "jwk" }).x!, "base64url");
  await mkdir(dirname(resolved), { recursive: true });
  await writeFile(resolved, `${JSON.stringify([...seed, ...pub])}\n`, { mode: 0o600, flag: overwrite ? "w" : "wx" });
  return (await createKeyPairSignerFromBytes(Uint8Array.from([...seed, ...pub]))).address;
}
