/**
 * Who owns which error codes. Every Chainference error code belongs to one layer, and each layer's codes sit in
 * its own range and carry its own name prefixes, so a code or a name alone says where the failure comes from:
 *
 * | codes       | layer                        | names                                             | thrown as                  |
 * | ----------- | ---------------------------- | ------------------------------------------------- | -------------------------- |
 * | 1000 – 1999 | SDK: crypto                  | `CHAINFERENCE_ERROR__CRYPTO__*`                   | `ChainferenceClientError`  |
 * | 2000 – 2999 | SDK: request flow (reserved) | `CHAINFERENCE_ERROR__REQUEST__*`                  | `ChainferenceClientError`  |
 * | 3000 – 3999 | SDK: chain access            | `CHAINFERENCE_ERROR__CHAIN__*`                    | `ChainferenceClientError`  |
 * | 4000 – 4999 | SDK: input validation        | `CHAINFERENCE_ERROR__INPUT__*`                    | `ChainferenceClientError`  |
 * | 5000 – 5999 | node: inference backends     | `CHAINFERENCE_ERROR__BACKEND__*`                  | `ChainferenceBackendError` |
 * | 6000 – 6999 | node: config, keys, keyring  | `CHAINFERENCE_ERROR__NODE__*`                     | `ChainferenceNodeError`    |
 * | 7000 – 7999 | SDK: sessions                | `CHAINFERENCE_ERROR__SESSION__*`                  | `ChainferenceClientError`  |
 * | 8192 – 9191 | the on-chain program         | `CHAINFERENCE_ERROR__<NAME>` (generated client)   | `Custom(n)` in a failed tx |
 *
 * Program codes come from `program/src/errors.rs` (0x2000 + n) through the generated client and are never
 * defined here. A `Custom(n)` names a Chainference error only when the Chainference program returned it:
 * other programs (System, Token) use small codes of their own (`describeProgramFailure`).
 * Off-chain codes are never reordered or reused; a retired code stays reserved (see docs/design-decisions.md).
 */

/** A layer that throws off-chain errors, with the error name its errors carry and its areas' code ranges. */
export type ChainferenceErrorLayer = Readonly<{
  /** `name` of every error of the layer: what {@link isChainferenceCodedError} and the layer's guard check. */
  errorName: string;
  /** Area (the word after `CHAINFERENCE_ERROR__` in a code's name) → its inclusive code range. */
  areas: Readonly<Record<string, readonly [first: number, last: number]>>;
}>;

/** The program's codes (`Custom(0x2000 + n)`), above every off-chain range and every System or Token code. */
export const CHAINFERENCE_PROGRAM_ERROR_CODES = { first: 0x2000, last: 0x2000 + 999 } as const;

/** The off-chain layers by key: the SDK, the node's inference backends, the rest of the node. */
export const CHAINFERENCE_ERROR_LAYERS = {
  sdk: {
    errorName: "ChainferenceClientError",
    areas: { CRYPTO: [1000, 1999], REQUEST: [2000, 2999], CHAIN: [3000, 3999], INPUT: [4000, 4999], SESSION: [7000, 7999] },
  },
  backend: { errorName: "ChainferenceBackendError", areas: { BACKEND: [5000, 5999] } },
  node: { errorName: "ChainferenceNodeError", areas: { NODE: [6000, 6999] } },
} as const satisfies Record<string, ChainferenceErrorLayer>;

/** Key of an off-chain layer in {@link CHAINFERENCE_ERROR_LAYERS}. */
export type ChainferenceErrorLayerKey = keyof typeof CHAINFERENCE_ERROR_LAYERS;

/** Names of the off-chain layers' errors. */
export const CHAINFERENCE_CODED_ERROR_NAMES: ReadonlySet<string> = new Set(
  Object.values(CHAINFERENCE_ERROR_LAYERS).map((layer) => layer.errorName),
);
