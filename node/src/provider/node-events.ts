import type { Address } from "@solana/kit";

/**
 * Why the node did not take an open request. The first eight mirror the checks `lock_request` runs
 * on-chain (see the SDK's `checkEligibility`); the rest are the node's own.
 */
export type SkipReason =
  | "not-allowed"
  | "inactive"
  | "model-not-offered"
  | "price-above-max"
  | "not-enough-completed"
  | "success-rate-too-low"
  | "rating-too-low"
  | "stake-below-prompt-cost"
  | "prompt-not-sealed"
  | "open-window-passed"
  | "prompt-too-large"
  | "undecryptable-prompt"
  /** The client wrapped the data key for another key epoch than the server's current one: `lock_request` refuses it (`KeyEpochMismatch`). */
  | "key-epoch-mismatch"
  | "prompt-exceeds-context"
  | "stake-too-low-for-answer"
  | "deadline-too-short"
  | "at-capacity"
  | "lock-failed"
  /** The request's `response_bump` does not give the canonical response PDA: the answer could not be written where the client reads it. */
  | "bad-response-address"
  /** An account already sits at the response address (a nonce reused over a response its client never closed): the first chunk would fail. */
  | "stale-response";

/**
 * Skip reasons that may change on a later poll (the request is looked at again). `not-allowed` is one: the client
 * hands a request nobody locked to the next server (`hand_off_request`), so this server may be named later.
 */
export const TRANSIENT_SKIP_REASONS: ReadonlySet<SkipReason> = new Set<SkipReason>([
  "not-allowed",
  "prompt-not-sealed",
  "at-capacity",
  "deadline-too-short",
]);

/** What crash recovery decided for a request found locked by this server at start. */
export type RecoveryAction = "complete" | "resume" | "finalize" | "expire";

/** Everything the node reports, in order. Logs and metrics are derived from these. */
export type NodeEvent =
  | {
      readonly type: "started";
      readonly server: Address;
      readonly operator: Address;
      readonly keyEpoch: number;
      /** What start did to the server account: registered it, updated it, or found it as configured. */
      readonly listing: "registered" | "updated" | "unchanged";
      readonly models: readonly string[];
      readonly maxChunkBytes: number;
      readonly fee: bigint;
      /** Where each model runs, in `models` order (device, layers on the GPU, slots, threads; or the server's URL). */
      readonly backends?: readonly string[];
    }
  | { readonly type: "keyring"; readonly path: string; readonly note: string }
  /** Start-up topped the server's bond up to the Config's `min_bond` from the operator's wallet (`deposited` 0: it already held it). */
  | { readonly type: "bonded"; readonly bond: bigint; readonly deposited: bigint; readonly fee: bigint }
  | { readonly type: "skipped"; readonly request: Address; readonly reason: SkipReason; readonly detail: string }
  | { readonly type: "locked"; readonly request: Address; readonly slot: bigint; readonly outputTokenCap: number; readonly fee: bigint }
  | {
      readonly type: "recovering";
      readonly request: Address;
      readonly action: RecoveryAction;
      readonly chunksLanded: number;
      readonly detail: string;
    }
  | {
      readonly type: "chunk-appended";
      readonly request: Address;
      readonly index: number;
      readonly plaintextBytes: number;
      readonly isFinal: boolean;
      readonly slot: bigint;
      readonly fee: bigint;
    }
  | {
      readonly type: "completed";
      readonly request: Address;
      readonly tokensIn: number;
      readonly tokensOut: number;
      /** The answer as generated (the plaintext of every chunk, in order); never logged. */
      readonly text: string;
      readonly finishReason: "stop" | "length" | "byte-cap" | "deadline" | "recovered";
      /** Lamports the operator receives (cost − protocol fee). */
      readonly earnedLamports: bigint;
      /** Lock landing → first chunk landing (null when the chunks landed before a restart). */
      readonly timeToFirstChunkMs: number | null;
      readonly firstChunkSlots: bigint | null;
      /** Answer tokens per second of generation (null when nothing was generated in this run). */
      readonly tokensPerSecond: number | null;
      readonly durationMs: number;
      /** Fee of the `complete_request` transaction (the chunks' fees are on their own events). */
      readonly fee: bigint;
    }
  | { readonly type: "abandoned"; readonly request: Address; readonly reason: string }
  | { readonly type: "left-to-expire"; readonly request: Address; readonly reason: string }
  | { readonly type: "retry"; readonly request: Address | null; readonly action: string; readonly attempt: number; readonly error: string }
  | { readonly type: "key-rotated"; readonly epoch: number; readonly fee: bigint }
  /** Retired secrets erased from the keyring (file and memory) once no in-flight work names their epochs. */
  | { readonly type: "keys-erased"; readonly epochs: readonly number[]; readonly keyringPath: string }
  /** The node stopped taking new requests and session answers (it finishes what it holds): load, schedule or operator. */
  | { readonly type: "serving-paused"; readonly reason: string }
  | { readonly type: "serving-resumed" }
  /** The server account's active flag was set (false at a graceful stop: it leaves allow-lists and previews). */
  | { readonly type: "server-active"; readonly active: boolean; readonly fee: bigint }
  /**
   * The close sweep closed `responses` (completed, past the Config's grace period) in one transaction, or a
   * settlement's transaction closed them along (`alongWith`): their rent (`rentLamports`) went back to the
   * operator, `fee` paid once for all of them.
   */
  | {
      readonly type: "responses-closed";
      readonly responses: readonly Address[];
      readonly rentLamports: bigint;
      readonly fee: bigint;
      /** Closed in the spare room of this request's settlement transaction (its fee is on that request's event: `fee` is 0). */
      readonly alongWith?: Address;
    }
  | { readonly type: "error"; readonly where: string; readonly error: string }
  /** The session server listens (docs/sessions.md §3). */
  | { readonly type: "sessions-listening"; readonly url: string; readonly creditWindowLamports: bigint }
  | {
      readonly type: "session-answered";
      readonly session: Address;
      readonly answer: number;
      readonly finishReason: string;
      readonly tokensIn: number;
      readonly tokensOut: number;
      /** What the answer's final bill asked (0 when it ended before one). */
      readonly lamports: bigint;
      readonly firstChunkMs: number | null;
      readonly durationMs: number;
      /** The answer as generated; never logged. */
      readonly text: string;
    }
  | { readonly type: "session-voucher"; readonly session: Address; readonly lamports: bigint }
  | { readonly type: "session-refused"; readonly session: string; readonly code: string; readonly message: string }
  | {
      readonly type: "session-settled";
      readonly session: string;
      readonly lamports: bigint;
      readonly delta: bigint;
      readonly fee: bigint;
      readonly reason: string;
    }
  | { readonly type: "session-closed"; readonly session: string; readonly settledLamports: bigint; readonly fee: bigint }
  /** `abandonedInFlight`: requests left locked (mid-answer) by a stop without drain, for the next start to recover. */
  | { readonly type: "stopped"; readonly abandonedInFlight: number };
