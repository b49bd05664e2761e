/**
 * A request address's lives, rebuilt from its events (pure). One address can hold several requests over time:
 * a client that reuses a nonce creates again once the earlier request closed. The rule: every successful
 * `create_request` starts its own lifecycle, and every later event at that request (or its response) belongs
 * to the latest create before it.
 */
import type { Address, ReadonlyUint8Array, Signature } from "@solana/kit";
import type { LocatedRequestEvent, RequestEvent } from "./history-instructions";

type Event<K extends RequestEvent["kind"]> = Extract<RequestEvent, { kind: K }>;

/** How a lifecycle ended, when its events say so. */
export type LifecycleEnd =
  | {
      readonly kind: "completed";
      readonly tokensIn: number;
      readonly tokensOut: number;
      readonly slot: bigint;
      readonly signature: Signature;
    }
  | { readonly kind: "cancelled"; readonly slot: bigint; readonly signature: Signature }
  | { readonly kind: "expired"; readonly afterLock: boolean; readonly slot: bigint; readonly signature: Signature };

/** One request's life at an address, from its `create_request` on. */
export type RequestLifecycle = {
  readonly request: Address;
  readonly create: Event<"create">;
  readonly createdSlot: bigint;
  readonly createSignature: Signature;
  /** The prompt ciphertext as written (create + append_prompt in order), or null while short of `promptLen`. */
  readonly promptCiphertext: ReadonlyUint8Array | null;
  /** The last lock (a request is locked once; kept whole for the server and the key it carries). */
  readonly lock: (Event<"lock"> & { readonly slot: bigint }) | null;
  /** Answer chunks from `append_response` data, in chunk-index order (the first landed wins an index). */
  readonly chunks: readonly { readonly index: number; readonly isFinal: boolean; readonly ciphertext: ReadonlyUint8Array }[];
  readonly response: Address | null;
  readonly end: LifecycleEnd | null;
  readonly rating: number | null;
  readonly responseClosed: boolean;
};

type Building = {
  request: Address;
  create: Event<"create">;
  createdSlot: bigint;
  createSignature: Signature;
  appends: Event<"append-prompt">[];
  lock: (Event<"lock"> & { slot: bigint }) | null;
  chunks: Map<number, { index: number; isFinal: boolean; ciphertext: ReadonlyUint8Array }>;
  response: Address | null;
  end: LifecycleEnd | null;
  rating: number | null;
  responseClosed: boolean;
};

function assemblePrompt(create: Event<"create">, appends: readonly Event<"append-prompt">[]): ReadonlyUint8Array | null {
  const prompt = new Uint8Array(create.promptLen);
  if (create.prompt.length > prompt.length) return null;
  prompt.set(create.prompt);
  let written = create.prompt.length;
  // The program accepts an append only at `offset == prompt_written`, so landed appends are sequential.
  for (const { offset, data } of appends) {
    if (offset !== written || offset + data.length > prompt.length) continue;
    prompt.set(data, offset);
    written += data.length;
  }
  return written === create.promptLen ? prompt : null;
}

/**
 * The lifecycles of the requests in `events` (oldest first; events of several addresses may mix), oldest first.
 * Events before any create of their address are dropped (history the endpoint no longer holds).
 *
 * @example
 * const lifecycles = groupRequestLifecycles(requestEvents(transactionsOldestFirst));
 */
export function groupRequestLifecycles(events: readonly LocatedRequestEvent[]): RequestLifecycle[] {
  const all: Building[] = [];
  const current = new Map<Address, Building>();
  const byResponse = new Map<Address, Building>();
  for (const { event, slot, signature } of events) {
    if (event.kind === "create") {
      const life: Building = {
        request: event.request,
        create: event,
        createdSlot: slot,
        createSignature: signature,
        appends: [],
        lock: null,
        chunks: new Map(),
        response: null,
        end: null,
        rating: null,
        responseClosed: false,
      };
      all.push(life);
      current.set(event.request, life);
      continue;
    }
    const life = "request" in event ? current.get(event.request) : byResponse.get(event.response);
    if (!life) continue;
    switch (event.kind) {
      case "append-prompt":
        life.appends.push(event);
        break;
      case "lock":
        life.lock = { ...event, slot };
        break;
      case "append-response":
        life.response = event.response;
        byResponse.set(event.response, life);
        if (!life.chunks.has(event.chunkIndex))
          life.chunks.set(event.chunkIndex, { index: event.chunkIndex, isFinal: event.isFinal, ciphertext: event.ciphertext });
        break;
      case "complete":
        life.response = event.response;
        byResponse.set(event.response, life);
        life.end = { kind: "completed", tokensIn: event.tokensIn, tokensOut: event.tokensOut, slot, signature };
        break;
      case "cancel":
        life.end = { kind: "cancelled", slot, signature };
        break;
      case "expire":
        life.end = { kind: "expired", afterLock: event.locked || life.lock !== null, slot, signature };
        break;
      case "rate":
        life.rating = event.rating;
        break;
      case "close-response":
        life.responseClosed = true;
        break;
    }
  }
  return all.map(({ appends, chunks, ...life }) => ({
    ...life,
    promptCiphertext: assemblePrompt(life.create, appends),
    chunks: [...chunks.values()].sort((a, b) => a.index - b.index),
  }));
}
