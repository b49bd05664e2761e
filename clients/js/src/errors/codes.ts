/**
 * SDK error codes, 1000 – 4999 and 7000 – 7999 (see ./layers.ts for every layer's range). A code's name is its constant's name;
 * codes are never reordered or reused, and a retired code stays here, commented, as reserved.
 *
 * To add a code: declare the constant in its area's range, its context in ./context.ts and its message in
 * ./client-error.ts (the compiler asks for both; loading the module checks the range).
 */

// 1000s: crypto (key derivation, wrapping, prompt and response AEAD)
export const CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH = 1000;
export const CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION = 1001;
export const CHAINFERENCE_ERROR__CRYPTO__LOW_ORDER_POINT = 1002;
export const CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_LENGTH = 1003;
export const CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD = 1004;
export const CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM = 1005;
export const CHAINFERENCE_ERROR__CRYPTO__DATA_AFTER_FINAL_CHUNK = 1006;
export const CHAINFERENCE_ERROR__CRYPTO__CHUNK_OUT_OF_ORDER = 1007;
export const CHAINFERENCE_ERROR__CRYPTO__DUPLICATE_CHUNK = 1008;
export const CHAINFERENCE_ERROR__CRYPTO__MALFORMED_FRAME = 1009;
export const CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE = 1010;
export const CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX = 1011;
export const CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE = 1012;
export const CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE = 1013;
export const CHAINFERENCE_ERROR__CRYPTO__CLIENT_KEY_MISMATCH = 1014;
export const CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT = 1015;
export const CHAINFERENCE_ERROR__CRYPTO__NO_WRAPPED_KEY_FOR_SERVER = 1016;
export const CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_EPOCH = 1017;
export const CHAINFERENCE_ERROR__CRYPTO__UNKNOWN_KEY_EPOCH = 1018;
export const CHAINFERENCE_ERROR__CRYPTO__INVALID_KEYRING = 1019;

// 2000s: request flow (reserved)

// 3000s: chain access (RPC, LiteSVM, transactions, account reads)
export const CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE = 3000;
export const CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND = 3001;
export const CHAINFERENCE_ERROR__CHAIN__TRANSACTION_FAILED = 3002;
export const CHAINFERENCE_ERROR__CHAIN__RPC_REQUEST_FAILED = 3003;
export const CHAINFERENCE_ERROR__CHAIN__TRANSACTION_NOT_CONFIRMED = 3004;

// 4000s: input validation (caller-supplied values)
export const CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID = 4000;
export const CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE = 4001;
export const CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW = 4002;

// 7000s: sessions (vouchers, the off-chain session protocol, charge checks)
export const CHAINFERENCE_ERROR__SESSION__CHARGE_REJECTED = 7000;
export const CHAINFERENCE_ERROR__SESSION__NODE_ERROR = 7001;
export const CHAINFERENCE_ERROR__SESSION__NODE_UNREACHABLE = 7002;
export const CHAINFERENCE_ERROR__SESSION__PROTOCOL_VIOLATION = 7003;
export const CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE = 7004;
export const CHAINFERENCE_ERROR__SESSION__KEY_EPOCH_CHANGED = 7005;
