import type { Address, TransactionSigner } from "@solana/kit";
import { ensureBond, fetchOwnServer, getCurrentServerKey, publishServer, type Chain, type ServerKeyring } from "@chainference/client";

import type { NodeConfig } from "../config/node-config";
import { alignKeyringWithChain } from "../keyring/keyring-alignment";
import { loadOrCreateServerKeyring, writeServerKeyringFile } from "../keyring/keyring-file";
import type { NodeEvent } from "./node-events";
import { sendWithRetry, type RetryOptions } from "./send-retry";
import { listingMatches, serverListing } from "./served-models";

/** The server as registered, with the keyring whose current key it publishes. */
export type ServerRegistration = Readonly<{
  server: Address;
  keyring: ServerKeyring;
  listing: "registered" | "updated" | "unchanged";
  /** Fee of the register/update transaction (0 when nothing had to change). */
  fee: bigint;
}>;

/**
 * Start-up on-chain: loads (or creates, 0600) the keyring, registers the server or updates it when its key,
 * endpoint, models or prices differ from the config (nothing is sent when they match), tops its bond up to the
 * Config's `min_bond` from the operator's wallet (a deposit_bond transaction only when short), then aligns the
 * keyring's epoch labels with the chain's `key_epoch` and saves it when they changed.
 *
 * @example
 * const { server, keyring } = await registerServer({ chain, operator, config, keyringPath, emit, retry });
 */
export async function registerServer(input: {
  readonly chain: Chain;
  readonly operator: TransactionSigner;
  readonly config: NodeConfig;
  readonly keyringPath: string;
  /** Keeps the keyring file encrypted (docs/privacy.md §6); absent = plain JSON, 0600. */
  readonly keyringPassphrase?: string;
  readonly emit: (event: NodeEvent) => void;
  readonly retry: (action: string) => Omit<RetryOptions, "signal">;
}): Promise<ServerRegistration> {
  const { chain, operator, keyringPath, emit } = input;
  const loaded = await loadOrCreateServerKeyring(keyringPath, input.keyringPassphrase);
  if (loaded.created) emit({ type: "keyring", path: keyringPath, note: "created with a new X25519 key (mode 0600); back it up" });
  if (loaded.permissionsTightened)
    emit({ type: "keyring", path: keyringPath, note: "was readable by others: permissions narrowed to 0600" });
  if (loaded.encryptedNow) emit({ type: "keyring", path: keyringPath, note: "rewritten encrypted with the passphrase" });
  const listing = serverListing(input.config, getCurrentServerKey(loaded.keyring).publicKey);
  const existing = await sendWithRetry(() => fetchOwnServer(chain, operator.address), input.retry("read the server account"));
  let state: ServerRegistration["listing"] = "unchanged";
  let fee = 0n;
  if (!existing || !listingMatches(existing.server, listing)) {
    const published = await sendWithRetry(() => publishServer(chain, operator, listing), input.retry("register/update server"));
    state = published.created ? "registered" : "updated";
    fee = published.sent.fee;
  }
  await topUpBond(chain, operator, input.retry("deposit the server bond"), emit);
  const own = await sendWithRetry(() => fetchOwnServer(chain, operator.address), input.retry("read the server account"));
  if (!own) throw new Error(`the server account of ${operator.address} is missing right after publishing it`);
  const aligned = alignKeyringWithChain(loaded.keyring, own.server);
  if (aligned.changed) {
    await writeServerKeyringFile(keyringPath, aligned.keyring, input.keyringPassphrase);
    const dropped = aligned.droppedEpochs.length ? `; dropped stale epochs ${aligned.droppedEpochs.join(", ")}` : "";
    emit({
      type: "keyring",
      path: keyringPath,
      note: `current key relabelled to the chain's key epoch ${aligned.keyring.currentEpoch}${dropped}`,
    });
  }
  return { server: own.address, keyring: aligned.keyring, listing: state, fee };
}

/**
 * Tops the server's bond up to the Config's minimum from the operator's wallet (the program refuses locks below
 * it) and reports a `bonded` event: at start, and after a slash took the bond below the minimum.
 *
 * @example
 * await topUpBond(chain, operator, retry("deposit the server bond", null), emit);
 */
export async function topUpBond(
  chain: Chain,
  operator: TransactionSigner,
  retry: RetryOptions,
  emit: (event: NodeEvent) => void,
): Promise<void> {
  const bonded = await sendWithRetry(() => ensureBond(chain, operator), retry);
  emit({ type: "bonded", bond: bonded.bond, deposited: bonded.deposited, fee: bonded.sent?.fee ?? 0n });
}
