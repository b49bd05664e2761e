import type { Address } from "@solana/kit";
import { pruneServerKeyring, type ServerKeyring } from "@chainference/client";

import { writeServerKeyringFile } from "../keyring/keyring-file";
import { describeError } from "./describe-error";
import type { LiveKeyring } from "./live-keyring";
import type { NodeEvent } from "./node-events";

/** setTimeout's longest delay; longer waits are re-armed. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The oldest epoch a keyring must keep: its current one, or an older one still named by in-flight work.
 *
 * @example
 * keepFromEpoch(keyring, [2, 4]); // 2 while a session opened at epoch 2 is open
 */
export function keepFromEpoch(keyring: ServerKeyring, epochsInUse: readonly number[]): number {
  return Math.min(keyring.currentEpoch, ...epochsInUse);
}

/** Scheduled key rotation and the erasure of retired secrets of a running node (docs/provider-node.md). */
export type KeyHygiene = Readonly<{
  /** New key at the next epoch, saved, then published (serialized with the other keyring writes). */
  rotate(): Promise<{ epoch: number }>;
  /**
   * Erases retired secrets from memory and from the keyring file once no work that existed when they were
   * retired is still in flight and no open session names their epoch. Run between polls: a lock taken by a
   * poll is tracked before the poll ends.
   */
  eraseRetired(): Promise<void>;
  /** Arms the rotation timer (when an interval is set). */
  start(): void;
  stop(): void;
}>;

/**
 * Creates the key hygiene of one node. Requests are locked only under the server's current epoch (the program
 * checks it), so after a rotation the old secrets are needed only by requests already locked and by sessions
 * opened under them (every ask of a session names the epoch it was opened at).
 *
 * @example
 * const hygiene = createKeyHygiene({ keyring, keyringPath, inFlight: jobs.requests, sessionEpochs, publish, emit, rotateEveryMs, keyAgeMs });
 */
export function createKeyHygiene(input: {
  readonly keyring: LiveKeyring;
  readonly keyringPath: string;
  readonly passphrase?: string;
  /** Requests locked and being answered now. */
  readonly inFlight: () => readonly Address[];
  /** Key epochs of the sessions this node serves that are not closed. */
  readonly sessionEpochs: () => readonly number[];
  /** Rotates: writes and publishes a new key, returns the rotated keyring. */
  readonly publish: (keyring: ServerKeyring) => Promise<{ keyring: ServerKeyring; fee: bigint }>;
  readonly emit: (event: NodeEvent) => void;
  /** Rotate every this many ms; null = only on demand. */
  readonly rotateEveryMs: number | null;
  /** Age of the current key at start (ms), so restarts do not postpone a rotation. */
  readonly keyAgeMs: number;
}): KeyHygiene {
  const { keyring, emit } = input;
  let writes: Promise<unknown> = Promise.resolve();
  const serialized = <T>(action: () => Promise<T>): Promise<T> => {
    const next = writes.then(action, action);
    writes = next.catch(() => {});
    return next;
  };
  /** The requests in flight when the current retired keys were retired (computed at the first erase check). */
  let holders: Set<Address> | null = null;
  let timer: NodeJS.Timeout | null = null;
  let stopped = false;
  let dueAt = Date.now() + Math.max(0, (input.rotateEveryMs ?? 0) - input.keyAgeMs);

  const rotate = () =>
    serialized(async () => {
      const { keyring: rotated, fee } = await input.publish(keyring.current());
      keyring.replace(rotated);
      holders = null;
      if (input.rotateEveryMs !== null) dueAt = Date.now() + input.rotateEveryMs;
      emit({ type: "key-rotated", epoch: rotated.currentEpoch, fee });
      return { epoch: rotated.currentEpoch };
    });

  const eraseRetired = () =>
    serialized(async () => {
      const current = keyring.current();
      if (current.keys.every((k) => k.epoch === current.currentEpoch)) return;
      const inFlight = new Set(input.inFlight());
      holders ??= inFlight;
      for (const request of holders) if (!inFlight.has(request)) holders.delete(request);
      if (holders.size > 0) return;
      const pruned = pruneServerKeyring(current, { keepFromEpoch: keepFromEpoch(current, input.sessionEpochs()) });
      const erased = current.keys.filter((k) => !pruned.keys.includes(k)).map((k) => k.epoch);
      if (erased.length === 0) return;
      await writeServerKeyringFile(input.keyringPath, pruned, input.passphrase);
      keyring.replace(pruned);
      // Overwrite the secrets in memory too (the file no longer has them; nothing in flight uses them).
      for (const k of current.keys) if (!pruned.keys.includes(k)) k.secretKey.fill(0);
      emit({ type: "keys-erased", epochs: erased, keyringPath: input.keyringPath });
    });

  const arm = (): void => {
    if (input.rotateEveryMs === null || stopped) return;
    timer = setTimeout(
      () => {
        timer = null;
        if (Date.now() < dueAt) return arm();
        rotate()
          .catch((error: unknown) => {
            // Try again after a tenth of the interval (at least a minute): a transient RPC failure must not stop rotation.
            dueAt = Date.now() + Math.max(60_000, input.rotateEveryMs! / 10);
            emit({ type: "error", where: "scheduled key rotation", error: describeError(error) });
          })
          .finally(arm);
      },
      Math.min(MAX_TIMER_MS, Math.max(0, dueAt - Date.now())),
    );
    timer.unref();
  };

  return {
    rotate,
    eraseRetired,
    start: arm,
    stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
    },
  };
}
