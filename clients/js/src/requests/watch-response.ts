import type { Address } from "@solana/kit";
import type { Chain } from "../chain";
import { decodeResponseStream, decryptResponseChunk, deriveClientResponseKey, type RequestKeys } from "../crypto";
import { findResponsePda, RequestStatus } from "../generated";
import { fetchRequestAccount, fetchResponseAccount, type ResponseAccount } from "./request-account";

/** What watching a request reports, in order: status changes, decrypted text, the end. */
export type ResponseEvent =
  | { readonly type: "locked"; readonly server: Address; readonly slot: bigint }
  | { readonly type: "chunk"; readonly index: number; readonly text: string; readonly isFinal: boolean }
  | { readonly type: "settled"; readonly response: ResponseAccount }
  | { readonly type: "ended"; readonly outcome: "cancelled-or-expired"; readonly response: ResponseAccount | null };

export type WatchOptions = {
  /** Poll interval; one slot (400 ms) by default. */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
};

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const onAbort = () => {
      clearTimeout(timer);
      resolve();
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });

/**
 * Follows a request from the client's side and yields the answer as it lands on-chain, decrypted
 * chunk by chunk (reorder, replay and tampering fail decryption with a named error), then the
 * settlement. Polls the request and response accounts (every RPC provides that; subscriptions
 * are an optimisation the interval hides at one slot).
 *
 * @example
 * for await (const event of watchResponse(chain, posted.address, posted.keys)) {
 *   if (event.type === "chunk") process.stdout.write(event.text);
 * }
 */
export async function* watchResponse(chain: Chain, request: Address, keys: RequestKeys, options: WatchOptions = {}): AsyncGenerator<ResponseEvent> {
  const pollMs = options.pollMs ?? 400;
  const [responseAddress] = await findResponsePda({ request });
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let lockedReported = false;
  let next = 0;
  let responseKey: Uint8Array | null = null;
  while (!options.signal?.aborted) {
    const [requestAccount, response] = await Promise.all([fetchRequestAccount(chain, request), fetchResponseAccount(chain, responseAddress)]);
    if (requestAccount?.status === RequestStatus.Locked && !lockedReported) {
      lockedReported = true;
      yield { type: "locked", server: requestAccount.lockedBy, slot: requestAccount.lockSlot };
    }
    if (response && response.chunkCount > next) {
      responseKey ??= deriveClientResponseKey({ ephSecret: keys.ephSecret, dataKey: keys.dataKey, lockerKey: response.serverKey, requestAddress: request });
      const frames = decodeResponseStream(response.stream);
      for (; next < frames.length; next++) {
        const isFinal = response.isFinal && next === response.chunkCount - 1;
        const plaintext = decryptResponseChunk({ responseKey, requestAddress: request, index: next, isFinal, ciphertext: frames[next]! });
        yield { type: "chunk", index: next, text: decoder.decode(plaintext, { stream: !isFinal }), isFinal };
      }
    }
    if (!requestAccount) {
      // The request account closes at settlement, cancellation or expiry; a completed response tells which.
      const final = response ?? (await fetchResponseAccount(chain, responseAddress));
      yield final?.completed ? { type: "settled", response: final } : { type: "ended", outcome: "cancelled-or-expired", response: final };
      return;
    }
    await sleep(pollMs, options.signal);
  }
}
