import type { Address } from "@solana/kit";

import { TRANSIENT_SKIP_REASONS, type NodeEvent, type SkipReason } from "./node-events";
import type { OpenedPrompt } from "./request-prompt";
import type { ScreenDecision } from "./screen-request";

/** What the node remembers about an open request it skipped. */
export type SkipMemo = Readonly<{
  /** The prompt, once opened: later looks skip the decryption. */
  opened?: OpenedPrompt;
  /** Reasons already reported (each is reported once per request). */
  reasons: ReadonlySet<SkipReason>;
  /** The last reason cannot change on a later poll: the request is not looked at again. */
  permanent: boolean;
}>;

/** A skip decision of {@link screenRequest}, or a failed lock. */
export type SkipDecision = Extract<ScreenDecision, { take: false }>;

/**
 * The memo after one more skip, and whether the skip is worth reporting: the first time for each reason, except
 * `prompt-not-sealed` (subscriptions show every request mid-posting; its last `append_prompt` notifies again, or
 * the next poll sees it sealed).
 *
 * @example
 * const { memo, report } = nextSkipMemo(undefined, { take: false, reason: "at-capacity", detail: "4 of 4" }); // report: true
 */
export function nextSkipMemo(previous: SkipMemo | undefined, decision: SkipDecision): { memo: SkipMemo; report: boolean } {
  const report = !previous?.reasons.has(decision.reason) && decision.reason !== "prompt-not-sealed";
  const reasons = report ? new Set([...(previous?.reasons ?? []), decision.reason]) : (previous?.reasons ?? new Set<SkipReason>());
  const opened = decision.opened ?? previous?.opened;
  return { memo: { ...(opened ? { opened } : {}), reasons, permanent: !TRANSIENT_SKIP_REASONS.has(decision.reason) }, report };
}

/** The skipped open requests, so each skip is reported once and a permanent one is not screened again. */
export type SkipMemos = Readonly<{
  get(request: Address): SkipMemo | undefined;
  /** Remembers the skip and emits `skipped` when {@link nextSkipMemo} says it is worth reporting. */
  note(request: Address, decision: SkipDecision): void;
  forget(request: Address): void;
  /** Forgets every request not in `open` (taken, cancelled or expired since). */
  keepOnly(open: ReadonlySet<Address>): void;
}>;

/**
 * Creates an empty memo table.
 *
 * @example
 * const memos = createSkipMemos(emit);
 */
export function createSkipMemos(emit: (event: NodeEvent) => void): SkipMemos {
  const memos = new Map<Address, SkipMemo>();
  return {
    get: (request) => memos.get(request),
    note(request, decision) {
      const { memo, report } = nextSkipMemo(memos.get(request), decision);
      if (report) emit({ type: "skipped", request, reason: decision.reason, detail: decision.detail });
      memos.set(request, memo);
    },
    forget: (request) => {
      memos.delete(request);
    },
    keepOnly(open) {
      for (const request of memos.keys()) if (!open.has(request)) memos.delete(request);
    },
  };
}
