import type { TransactionSigner } from "@solana/kit";
import {
  fetchOwnServer,
  generateX25519KeyPair,
  getCurrentServerKey,
  publishServer,
  rotateServerKeyring,
  type Chain,
  type ModelInputArgs,
  type SentTransaction,
  type ServerKeyring,
  type ServerListing,
} from "@chainference/client";

import { alignKeyringWithChain } from "./keyring-alignment";
import { readServerKeyringFile, writeServerKeyringFile } from "./keyring-file";

/** What a key rotation did. */
export type KeyRotation = Readonly<{
  keyring: ServerKeyring;
  /** The new current epoch, as the chain numbers it. */
  epoch: number;
  publicKey: Uint8Array;
  sent: SentTransaction;
}>;

/**
 * Rotates a server's X25519 key with a keyring held in memory: a new key at the next epoch, saved to
 * `keyringPath` **before** it is published (a crash in between leaves a key the chain does not know yet,
 * never a published key whose secret is lost), then `update_server` with the new key and the given listing.
 * Old secrets stay in the keyring so requests wrapped under them can still be served.
 *
 * @example
 * const { keyring, epoch } = await rotateKeyInKeyring({ chain, operator, keyring, keyringPath, listing });
 */
export async function rotateKeyInKeyring(input: {
  readonly chain: Chain;
  readonly operator: TransactionSigner;
  readonly keyring: ServerKeyring;
  readonly keyringPath: string;
  /** The keyring file's passphrase when it is encrypted. */
  readonly passphrase?: string;
  /** Endpoint, models and active flag to publish with the new key (the key in it is ignored). */
  readonly listing: Omit<ServerListing, "x25519Key">;
}): Promise<KeyRotation> {
  const own = await fetchOwnServer(input.chain, input.operator.address);
  if (!own) throw new Error(`no server is registered for operator ${input.operator.address}: start the node once to register it`);
  const next = rotateServerKeyring(input.keyring, { secretKey: generateX25519KeyPair().secretKey, epoch: own.server.keyEpoch + 1 });
  await writeServerKeyringFile(input.keyringPath, next, input.passphrase);
  const { publicKey } = getCurrentServerKey(next);
  const { sent } = await publishServer(input.chain, input.operator, { ...input.listing, x25519Key: publicKey });
  const published = await fetchOwnServer(input.chain, input.operator.address);
  if (!published) throw new Error(`the server account of ${input.operator.address} disappeared during key rotation`);
  const aligned = alignKeyringWithChain(next, published.server);
  if (aligned.changed) await writeServerKeyringFile(input.keyringPath, aligned.keyring, input.passphrase);
  return { keyring: aligned.keyring, epoch: aligned.keyring.currentEpoch, publicKey, sent };
}

/**
 * Rotates a registered server's key from its keyring file (for the CLI while the node is stopped; a running
 * node rotates with `node.rotateKey()`). Endpoint, models, prices and the active flag stay as published.
 *
 * @example
 * const { epoch } = await rotateServerKey({ chain, operator, keyringPath });
 */
export async function rotateServerKey(input: {
  readonly chain: Chain;
  readonly operator: TransactionSigner;
  readonly keyringPath: string;
  /** The keyring file's passphrase when it is encrypted. */
  readonly passphrase?: string;
}): Promise<KeyRotation> {
  const keyring = await readServerKeyringFile(input.keyringPath, input.passphrase);
  if (!keyring) throw new Error(`no server keyring at ${input.keyringPath}`);
  const own = await fetchOwnServer(input.chain, input.operator.address);
  if (!own) throw new Error(`no server is registered for operator ${input.operator.address}: start the node once to register it`);
  const models: ModelInputArgs[] = own.server.models.map((m) => ({
    hfId: m.hfId,
    revision: m.revision,
    quantization: m.quant,
    priceIn: m.priceIn,
    priceOut: m.priceOut,
    maxContext: m.maxContext,
  }));
  return rotateKeyInKeyring({ ...input, keyring, listing: { endpoint: own.server.endpoint, models, active: own.server.active } });
}
