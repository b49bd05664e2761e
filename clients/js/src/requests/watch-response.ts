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
  /**
   * Poll interval; one slot (400 ms) by default. When the chain offers subscriptions
   * ({@link Chain.subscribeAccountChanges}) a change wakes the watcher at once and polling is the fallback.
   */
  readonly pollMs?: number;
  readonly signal?: AbortSignal;
};

/** A sleep that a notification cuts short; a notification during a read makes the next sleep return at once. */
function createWaker() {
  let pending = false;
  let wakeUp: (() => void) | null = null;
  return {
    wake() {
      pending = true;
      wakeUp?.();
    },
    sleep(ms: number, signal?: AbortSignal) {
      return new Promise<void>((resolve) => {
        if (pending || signal?.aborted) {
          pending = false;
          resolve();
          return;
        }
        const done = () => {
          clearTimeout(timer);
          signal?.removeEventListener("abort", done);
          wakeUp = null;
          pending = false;
          resolve();
        };
        const timer = setTimeout(done, ms);
        wakeUp = done;
        signal?.addEventListener("abort", done, { once: true });
      });
    },
  };
}

/**
 * Follows a request from the client's side and yields the answer as it lands on-chain, decrypted
 * chunk by chunk (reorder, replay and tampering fail decryption with a named error), then the
 * settlement. Subscribes to the request and response accounts when the chain supports it and
 * reads them on each notification; polls them every `pollMs` as well (every RPC serves that, so a
 * missing or broken subscription costs at most one interval).
 *
 * @example
 * for await (const event of watchResponse(chain, posted.address, posted.keys)) {
 *   if (event.type === "chunk") process.stdout.write(event.text);
 * }
 */
export async function* watchResponse(
  chain: Chain,
  request: Address,
  keys: RequestKeys,
  options: WatchOptions = {},
): AsyncGenerator<ResponseEvent> {
  const pollMs = options.pollMs ?? 400;
  const [responseAddress] = await findResponsePda({ request });
  const decoder = new TextDecoder("utf-8", { fatal: false });
  let lockedReported = false;
  let next = 0;
  let responseKey: Uint8Array | null = null;
  const waker = createWaker();
  const unsubscribe = chain.subscribeAccountChanges?.({ addresses: [request, responseAddress] }, waker.wake) ?? (() => {});
  try {
    yield* follow();
  } finally {
    unsubscribe();
  }

  async function* follow(): AsyncGenerator<ResponseEvent> {
    while (!options.signal?.aborted) {
      const [requestAccount, response] = await Promise.all([
        fetchRequestAccount(chain, request),
        fetchResponseAccount(chain, responseAddress),
      ]);
      if (requestAccount?.status === RequestStatus.Locked && !lockedReported) {
        lockedReported = true;
        yield { type: "locked", server: requestAccount.lockedBy, slot: requestAccount.lockSlot };
      }
      if (response && response.chunkCount > next) {
        responseKey ??= deriveClientResponseKey({
          ephSecret: keys.ephSecret,
          dataKey: keys.dataKey,
          lockerKey: response.serverKey,
          requestAddress: request,
        });
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
      await waker.sleep(pollMs, options.signal);
    }
  }
}
