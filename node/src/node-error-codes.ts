/**
 * Error codes of the provider node outside inference (configuration, keys, keyring): 6000 – 6999, the `NODE`
 * area (see the SDK's errors/layers.ts for every layer's range). Never reorder or reuse a code.
 * Retired: 7_001_001 – 7_001_006, the same errors in the same order before the ranges were unified.
 */
export const CHAINFERENCE_ERROR__NODE__CONFIG_INVALID = 6000;
export const CHAINFERENCE_ERROR__NODE__CONFIG_MISSING = 6001;
export const CHAINFERENCE_ERROR__NODE__KEYPAIR_MISSING = 6002;
export const CHAINFERENCE_ERROR__NODE__KEYPAIR_INVALID = 6003;
export const CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER = 6004;
export const CHAINFERENCE_ERROR__NODE__KEYRING_UNREADABLE = 6005;
export const CHAINFERENCE_ERROR__NODE__KEYRING_LOCKED = 6006;
