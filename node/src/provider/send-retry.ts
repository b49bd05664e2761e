import type { Address } from "@solana/kit";
import { isTransactionFailed } from "@chainference/client";

import type { NodeConfig } from "../config/node-config";
import { describeError } from "./describe-error";
import type { NodeEvent } from "./node-events";

/** Runtime failures (no program error code) worth resending with a fresh blockhash. */
const TRANSIENT_RUNTIME = /Blockhash|AlreadyProcessed|TooManyRequests|Timeout|WouldExceed.*Limit|not confirmed/i;

/**
 * True when a send failure may succeed if tried again: transport errors, confirmation timeouts, an expired
 * blockhash. A program error (`Custom(n)`) is a verdict on the transaction and never transient.
 *
 * @example
 * isTransientSendError(new Error("fetch failed")); // true
 */
export function isTransientSendError(error: unknown): boolean {
  if (isTransactionFailed(error)) return error.failure.customCode === null && TRANSIENT_RUNTIME.test(error.failure.reason);
  return true;
}

/** Options of {@link sendWithRetry}. */
export type RetryOptions = Readonly<{
  /** Attempts after the first. */
  retries: number;
  /** Wait before the first retry; doubles each time. */
  delayMs: number;
  signal?: AbortSignal;
  onRetry?: (attempt: number, error: unknown) => void;
}>;

/**
 * Runs `send` (which must build and sign a fresh transaction each call, so each retry gets a fresh blockhash)
 * and retries transient failures a bounded number of times. Permanent failures and the last transient one
 * are rethrown.
 *
 * @example
 * await sendWithRetry(() => lockRequest(chain, operator, request), { retries: 3, delayMs: 400 });
 */
export async function sendWithRetry<T>(send: () => Promise<T>, options: RetryOptions): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    options.signal?.throwIfAborted();
    try {
      return await send();
    } catch (error) {
      if (attempt >= options.retries || !isTransientSendError(error)) throw error;
      options.onRetry?.(attempt + 1, error);
      await new Promise((resolve) => setTimeout(resolve, options.delayMs * 2 ** attempt));
    }
  }
}

/** Retry options for one kind of send (`action`, about `request` when there is one), reported as `retry` events. */
export type RetryPolicy = (action: string, request: Address | null) => RetryOptions;

/**
 * The node's retry policy: `sendRetries` resends, the first after one slot, each reported as a `retry` event.
 *
 * @example
 * const retry = createRetryPolicy(config, emit);
 * await sendWithRetry(() => lockRequest(chain, operator, request), retry("lock_request", request));
 */
export function createRetryPolicy(config: Pick<NodeConfig, "sendRetries" | "slotMs">, emit: (event: NodeEvent) => void): RetryPolicy {
  return (action, request) => ({
    retries: config.sendRetries,
    delayMs: config.slotMs,
    onRetry: (attempt, error) => emit({ type: "retry", request, action, attempt, error: describeError(error) }),
  });
}
