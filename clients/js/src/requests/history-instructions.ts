/**
 * What a request's transactions say, read from instruction data alone (pure): the events history is rebuilt
 * from once the request and response accounts are closed.
 */
import type { Address, ReadonlyUint8Array } from "@solana/kit";
import type { HistoricalTransaction } from "../chain";
import {
  APPEND_PROMPT_DISCRIMINATOR,
  APPEND_RESPONSE_DISCRIMINATOR,
  CANCEL_REQUEST_DISCRIMINATOR,
  CHAINFERENCE_PROGRAM_ADDRESS,
  CLOSE_RESPONSE_DISCRIMINATOR,
  COMPLETE_REQUEST_DISCRIMINATOR,
  CREATE_REQUEST_DISCRIMINATOR,
  EXPIRE_REQUEST_DISCRIMINATOR,
  LOCK_REQUEST_DISCRIMINATOR,
  RATE_SERVER_DISCRIMINATOR,
  getAppendPromptInstructionDataDecoder,
  getAppendResponseInstructionDataDecoder,
  getCompleteRequestInstructionDataDecoder,
  getCreateRequestInstructionDataDecoder,
  getRateServerInstructionDataDecoder,
} from "../generated";

/** Length of an X25519 public key. */
const X25519_KEY_LENGTH = 32;

/** One program instruction of a request's life, with the accounts history needs. */
export type RequestEvent =
  | {
      readonly kind: "create";
      readonly client: Address;
      readonly request: Address;
      readonly nonce: bigint;
      readonly model: string;
      readonly stake: bigint;
      readonly clientKey: ReadonlyUint8Array;
      readonly promptLen: number;
      readonly prompt: ReadonlyUint8Array;
    }
  | { readonly kind: "append-prompt"; readonly request: Address; readonly offset: number; readonly data: ReadonlyUint8Array }
  | {
      readonly kind: "lock";
      readonly request: Address;
      readonly operator: Address;
      readonly server: Address;
      /** The locker's X25519 key when the lock carries it (`x25519_key [32]`), else null. */
      readonly x25519Key: ReadonlyUint8Array | null;
    }
  | {
      readonly kind: "append-response";
      readonly request: Address;
      readonly response: Address;
      readonly chunkIndex: number;
      readonly isFinal: boolean;
      readonly ciphertext: ReadonlyUint8Array;
    }
  | {
      readonly kind: "complete";
      readonly request: Address;
      readonly response: Address;
      readonly tokensIn: number;
      readonly tokensOut: number;
    }
  | { readonly kind: "cancel"; readonly request: Address }
  /** `locked`: the expire named the locking server (the request was Locked, not Open). */
  | { readonly kind: "expire"; readonly request: Address; readonly locked: boolean }
  | { readonly kind: "rate"; readonly response: Address; readonly rating: number }
  | { readonly kind: "close-response"; readonly response: Address };

/** A request event and the transaction that carried it. */
export type LocatedRequestEvent = {
  readonly event: RequestEvent;
  readonly signature: HistoricalTransaction["signature"];
  readonly slot: bigint;
};

/**
 * The locker's X25519 key from `lock_request` instruction data: `8 ‖ x25519_key [32]`. Null for a lock without
 * one (the one-byte form of earlier program versions) or data of any other length.
 *
 * @example
 * parseLockRequestKey(Uint8Array.of(8, ...key)); // key
 * parseLockRequestKey(Uint8Array.of(8)); // null
 */
export function parseLockRequestKey(data: ReadonlyUint8Array): ReadonlyUint8Array | null {
  if (data[0] !== LOCK_REQUEST_DISCRIMINATOR || data.length !== 1 + X25519_KEY_LENGTH) return null;
  return data.slice(1);
}

/**
 * A Chainference request event from one instruction, or null (another program, another instruction, or data the
 * program would have refused).
 *
 * @example
 * const events = tx.instructions.map(decodeRequestEvent).filter((e) => e !== null);
 */
export function decodeRequestEvent(ix: HistoricalTransaction["instructions"][number]): RequestEvent | null {
  if (ix.programAddress !== CHAINFERENCE_PROGRAM_ADDRESS || ix.data.length === 0) return null;
  const a = ix.accounts;
  try {
    switch (ix.data[0]) {
      case CREATE_REQUEST_DISCRIMINATOR: {
        const d = getCreateRequestInstructionDataDecoder().decode(ix.data);
        return {
          kind: "create",
          client: a[0]!,
          request: a[1]!,
          nonce: d.nonce,
          model: d.model,
          stake: d.stake,
          clientKey: d.clientKey,
          promptLen: d.promptLen,
          prompt: d.prompt,
        };
      }
      case APPEND_PROMPT_DISCRIMINATOR: {
        const d = getAppendPromptInstructionDataDecoder().decode(ix.data);
        return { kind: "append-prompt", request: a[1]!, offset: d.offset, data: d.data };
      }
      case CANCEL_REQUEST_DISCRIMINATOR:
        return { kind: "cancel", request: a[1]! };
      case LOCK_REQUEST_DISCRIMINATOR:
        return { kind: "lock", operator: a[0]!, server: a[1]!, request: a[2]!, x25519Key: parseLockRequestKey(ix.data) };
      case APPEND_RESPONSE_DISCRIMINATOR: {
        const d = getAppendResponseInstructionDataDecoder().decode(ix.data);
        return {
          kind: "append-response",
          request: a[2]!,
          response: a[3]!,
          chunkIndex: d.chunkIndex,
          isFinal: d.isFinal,
          ciphertext: d.ciphertext,
        };
      }
      case COMPLETE_REQUEST_DISCRIMINATOR: {
        const d = getCompleteRequestInstructionDataDecoder().decode(ix.data);
        return { kind: "complete", request: a[2]!, response: a[3]!, tokensIn: d.tokensIn, tokensOut: d.tokensOut };
      }
      // Accounts: request, client, config, then the server only when the request was Locked.
      case EXPIRE_REQUEST_DISCRIMINATOR:
        return { kind: "expire", request: a[0]!, locked: a.length > 3 && a[3] !== CHAINFERENCE_PROGRAM_ADDRESS };
      case RATE_SERVER_DISCRIMINATOR:
        return { kind: "rate", response: a[1]!, rating: getRateServerInstructionDataDecoder().decode(ix.data).rating };
      case CLOSE_RESPONSE_DISCRIMINATOR:
        return { kind: "close-response", response: a[1]! };
      default:
        return null;
    }
  } catch {
    return null;
  }
}

/**
 * Every request event of some transactions, in the order given (instruction order within a transaction).
 *
 * @example
 * const events = requestEvents(transactionsOldestFirst);
 */
export function requestEvents(transactions: readonly HistoricalTransaction[]): LocatedRequestEvent[] {
  return transactions.flatMap((tx) =>
    tx.instructions.flatMap((ix) => {
      const event = decodeRequestEvent(ix);
      return event ? [{ event, signature: tx.signature, slot: tx.slot }] : [];
    }),
  );
}
