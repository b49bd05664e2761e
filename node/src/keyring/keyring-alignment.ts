import { getCurrentServerKey, type ServerKeyring } from "@chainference/client";

/** The key a server account publishes. */
export type PublishedKey = Readonly<{ x25519Key: ArrayLike<number>; keyEpoch: number }>;

/** Result of {@link alignKeyringWithChain}. */
export type KeyringAlignment = Readonly<{
  keyring: ServerKeyring;
  /** The keyring changed and must be saved. */
  changed: boolean;
  /** Stale entries dropped because their epoch label collided with the chain's numbering. */
  droppedEpochs: readonly number[];
}>;

const sameBytes = (a: ArrayLike<number>, b: ArrayLike<number>): boolean =>
  a.length === b.length && Array.from(a).every((x, i) => x === b[i]);

/**
 * Makes the keyring's epoch labels agree with the chain once the current key is published: the program
 * numbers key epochs (0 at registration, +1 per key change), and a request records the epoch its data key
 * was wrapped under, which is how the node finds the secret. When the current key carries another label
 * (keyring created before registration, or re-created after loss), it is relabelled to the chain's epoch;
 * entries whose labels would collide are dropped (no request can reference them: the chain never used them
 * for these keys).
 *
 * @throws when the chain publishes a key other than the keyring's current key.
 * @example
 * const { keyring, changed } = alignKeyringWithChain(local, server); // server: decoded Server account
 */
export function alignKeyringWithChain(keyring: ServerKeyring, published: PublishedKey): KeyringAlignment {
  const current = getCurrentServerKey(keyring);
  if (!sameBytes(current.publicKey, published.x25519Key))
    throw new Error(
      `the server account publishes another X25519 key than the keyring's current key (epoch ${current.epoch}); publish the keyring's key first`,
    );
  if (current.epoch === published.keyEpoch) return { keyring, changed: false, droppedEpochs: [] };
  const kept = keyring.keys.filter((k) => k.epoch < published.keyEpoch && k !== current);
  const droppedEpochs = keyring.keys.filter((k) => k !== current && k.epoch >= published.keyEpoch).map((k) => k.epoch);
  return {
    keyring: { currentEpoch: published.keyEpoch, keys: [...kept, { ...current, epoch: published.keyEpoch }] },
    changed: true,
    droppedEpochs,
  };
}
