import type { Address, TransactionSigner } from "@solana/kit";
import { isTransactionFailed, type Chain, type SentTransaction } from "../chain";
import { wrapDataKeyForServers, type RequestKeys } from "../crypto";
import { CHAINFERENCE_ERROR__REQUEST_NOT_OPEN, getHandOffRequestInstruction, getServerDecoder, RequestStatus } from "../generated";
import type { ServerWithAddress } from "../servers";
import { abortableSleep } from "../chain/abortable-sleep";
import type { PostedRequest } from "./post-request";
import { fetchRequestAccount } from "./request-account";

/**
 * How long a named server has to lock before the client hands the request to the next one. A live provider
 * node sees a new request within about a second (its poll) and screens it in well under one more; the
 * margin keeps a slow RPC round trip from costing a good server its request.
 */
export const DEFAULT_HAND_OFF_WAIT_MS = 5_000;

/**
 * Replaces allow-list entry `replaceIndex` with the data key wrapped for `server` (its current key and epoch).
 * Only the new server's wrap is written: the server it replaces can no longer lock, and nobody else gains a key.
 *
 * @example
 * await handOffRequest(chain, wallet, { request: posted.address, keys: posted.keys, replaceIndex: 0, server: next });
 */
export async function handOffRequest(
  chain: Chain,
  client: TransactionSigner,
  input: { readonly request: Address; readonly keys: RequestKeys; readonly replaceIndex: number; readonly server: ServerWithAddress },
): Promise<SentTransaction> {
  const { address, server } = input.server;
  const [entry] = wrapDataKeyForServers({
    requestKeys: input.keys,
    requestAddress: input.request,
    servers: [{ server: address, keyEpoch: server.keyEpoch, x25519Key: server.x25519Key }],
  });
  const instruction = getHandOffRequestInstruction({
    client,
    request: input.request,
    server: address,
    replaceIndex: input.replaceIndex,
    entry: entry!,
  });
  return chain.sendInstructions([instruction], { feePayer: client });
}

/** One hand-off that landed: the server replaced, the server that now holds the wrap, the transaction. */
export type HandOff = Readonly<{ from: Address; to: Address; transaction: SentTransaction }>;

/** Why {@link handOffUntilLocked} stopped. */
export type HandOffEnd = "locked-or-closed" | "window-ended" | "no-standby-left" | "stopped";

export type HandOffOptions = {
  /** How long each named server has to lock (ms); default {@link DEFAULT_HAND_OFF_WAIT_MS}. */
  readonly waitMs?: number;
  /** Stops the loop (the request was settled, cancelled, or the caller gave up). */
  readonly signal?: AbortSignal;
  readonly onHandOff?: (handOff: HandOff) => void;
};

/** The stand-by's current account (it may have rotated its key or left since the preview); null when it cannot take a wrap. */
async function freshStandby(chain: Chain, standby: ServerWithAddress): Promise<ServerWithAddress | null> {
  const account = await chain.getAccount(standby.address);
  if (!account) return null;
  const server = getServerDecoder().decode(account.data);
  return server.active ? { address: standby.address, server } : null;
}

/**
 * Keeps a posted request moving while nobody locks it: every `waitMs` that it is still Open, the named server
 * (the allow-list entries in turn, for a fan-out) is replaced by the next stand-by, best first, until a server
 * locks, the open window ends, or no stand-by is left. Each hand-off wraps the data key for the new server only.
 *
 * @example
 * const posted = await postRequest(chain, { ...input, servers: eligibleBestFirst });
 * void handOffUntilLocked(chain, wallet, posted, { signal: watching.signal, onHandOff: (h) => log(h) });
 */
export async function handOffUntilLocked(
  chain: Chain,
  client: TransactionSigner,
  posted: Pick<PostedRequest, "address" | "keys" | "standby">,
  options: HandOffOptions = {},
): Promise<HandOffEnd> {
  const waitMs = options.waitMs ?? DEFAULT_HAND_OFF_WAIT_MS;
  let next = 0;
  let turn = 0;
  while (!options.signal?.aborted) {
    await abortableSleep(waitMs, options.signal);
    if (options.signal?.aborted) break;
    const request = await fetchRequestAccount(chain, posted.address);
    if (!request || request.status !== RequestStatus.Open) return "locked-or-closed";
    if ((await chain.getSlot()) > request.openUntilSlot) return "window-ended";
    let standby: ServerWithAddress | null = null;
    while (!standby && next < posted.standby.length) standby = await freshStandby(chain, posted.standby[next++]!);
    if (!standby) return "no-standby-left";
    const replaceIndex = turn++ % request.allowed.length;
    try {
      const sent = await handOffRequest(chain, client, { request: posted.address, keys: posted.keys, replaceIndex, server: standby });
      options.onHandOff?.({ from: request.allowed[replaceIndex]!.server, to: standby.address, transaction: sent });
    } catch (error) {
      // A lock landed between the read and the hand-off: the request is the locker's now.
      if (isTransactionFailed(error, CHAINFERENCE_ERROR__REQUEST_NOT_OPEN)) return "locked-or-closed";
      // The stand-by changed under us (rotated its key, deactivated): try the next one at the next turn.
      if (!isTransactionFailed(error)) throw error;
    }
  }
  return "stopped";
}
