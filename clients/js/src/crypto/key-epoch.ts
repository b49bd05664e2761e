/** Server key epochs: a u32 that grows by one on every key change. */
import { CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_EPOCH, ChainferenceClientError } from "../errors";
import { MAX_U32 } from "./bytes";

/**
 * True when `epoch` is an integer in `0..=2^32-1`.
 *
 * @example
 * ```ts
 * isKeyEpoch(3); // true
 * isKeyEpoch(-1); // false
 * ```
 */
export function isKeyEpoch(epoch: unknown): epoch is number {
  return typeof epoch === "number" && Number.isInteger(epoch) && epoch >= 0 && epoch <= MAX_U32;
}

/**
 * Throws `CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_EPOCH` unless `epoch` is a u32.
 *
 * @example
 * ```ts
 * assertIsKeyEpoch(server.keyEpoch);
 * ```
 */
export function assertIsKeyEpoch(epoch: unknown): asserts epoch is number {
  if (!isKeyEpoch(epoch)) throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_EPOCH, { epoch });
}
