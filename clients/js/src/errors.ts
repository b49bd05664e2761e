/**
 * SDK errors: one class, numeric codes in reserved ranges, stable names, typed context.
 *
 * | range | area                                                        |
 * | ----- | ----------------------------------------------------------- |
 * | 1000s | crypto (key derivation, wrapping, prompt and response AEAD) |
 * | 2000s | request flow (create, lock wait, stream, settle)            |
 * | 3000s | chain access (RPC, LiteSVM, account decoding)               |
 * | 4000s | input validation (caller-supplied values)                   |
 * | 5000s | inference backend (provider node)                           |
 *
 * Codes are never reordered or reused: a retired code stays reserved. These are SDK codes, not
 * on-chain program codes: the program's `Custom(n)` errors come from the generated client.
 *
 * To add a code: declare the constant in its range, add its context type to
 * {@link ChainferenceClientErrorContext}, its message to `MESSAGES` and its name to `NAMES` (the compiler
 * checks that the last two are exhaustive; a test checks that every name matches its constant).
 */

// 1000s: crypto
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

// 2000s: request flow (reserved; codes are added by the request-flow module)

// 3000s: chain access
export const CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE = 3000;
export const CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND = 3001;

// 4000s: input validation
export const CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID = 4000;
export const CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE = 4001;
export const CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW = 4002;

// 5000s: inference backend (reserved)

/** Which authenticated ciphertext failed to open. */
export type CiphertextKind = "wrapped-data-key" | "prompt" | "response-chunk";

/** Context carried by each code; `undefined` means the code carries none. */
export type ChainferenceClientErrorContext = {
  [CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH]: { kind: CiphertextKind; position?: number };
  [CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION]: { kind: "prompt-ciphertext" | "prompt-payload" | "keyring"; version: unknown; supported: number };
  [CHAINFERENCE_ERROR__CRYPTO__LOW_ORDER_POINT]: { peer: "client" | "server" };
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_LENGTH]: { name: string; expected: number; actual: number };
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD]: { reason: string };
  [CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM]: { reason: "no-final-chunk" | "partial-frame"; chunkCount: number };
  [CHAINFERENCE_ERROR__CRYPTO__DATA_AFTER_FINAL_CHUNK]: { finalIndex: number; extraFrames: number };
  [CHAINFERENCE_ERROR__CRYPTO__CHUNK_OUT_OF_ORDER]: { position: number; index: number };
  [CHAINFERENCE_ERROR__CRYPTO__DUPLICATE_CHUNK]: { position: number; index: number };
  [CHAINFERENCE_ERROR__CRYPTO__MALFORMED_FRAME]: { offset: number; length: number; minLength: number };
  [CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE]: { length: number; maxLength: number };
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX]: { index: number };
  [CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE]: { address: string };
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE]: { address: string };
  [CHAINFERENCE_ERROR__CRYPTO__CLIENT_KEY_MISMATCH]: { requestAddress: string };
  [CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT]: { kind: CiphertextKind; length: number; minLength: number };
  [CHAINFERENCE_ERROR__CRYPTO__NO_WRAPPED_KEY_FOR_SERVER]: { serverAddress: string };
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_EPOCH]: { epoch: unknown };
  [CHAINFERENCE_ERROR__CRYPTO__UNKNOWN_KEY_EPOCH]: { epoch: number; knownEpochs: readonly number[] };
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_KEYRING]: { reason: string };
  [CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE]: { url: string };
  [CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND]: { address: string; account?: string };
  [CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID]: { modelId: string; reason: string };
  [CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE]: { length: number; maxLength: number };
  [CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW]: { stake: bigint; minStake: bigint };
};

/** Every SDK error code. */
export type ChainferenceClientErrorCode = keyof ChainferenceClientErrorContext;

const NAMES: { readonly [C in ChainferenceClientErrorCode]: string } = {
  [CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH]: "CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH",
  [CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION]: "CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION",
  [CHAINFERENCE_ERROR__CRYPTO__LOW_ORDER_POINT]: "CHAINFERENCE_ERROR__CRYPTO__LOW_ORDER_POINT",
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_LENGTH]: "CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_LENGTH",
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD]: "CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD",
  [CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM]: "CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM",
  [CHAINFERENCE_ERROR__CRYPTO__DATA_AFTER_FINAL_CHUNK]: "CHAINFERENCE_ERROR__CRYPTO__DATA_AFTER_FINAL_CHUNK",
  [CHAINFERENCE_ERROR__CRYPTO__CHUNK_OUT_OF_ORDER]: "CHAINFERENCE_ERROR__CRYPTO__CHUNK_OUT_OF_ORDER",
  [CHAINFERENCE_ERROR__CRYPTO__DUPLICATE_CHUNK]: "CHAINFERENCE_ERROR__CRYPTO__DUPLICATE_CHUNK",
  [CHAINFERENCE_ERROR__CRYPTO__MALFORMED_FRAME]: "CHAINFERENCE_ERROR__CRYPTO__MALFORMED_FRAME",
  [CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE]: "CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE",
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX]: "CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX",
  [CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE]: "CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE",
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE]: "CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE",
  [CHAINFERENCE_ERROR__CRYPTO__CLIENT_KEY_MISMATCH]: "CHAINFERENCE_ERROR__CRYPTO__CLIENT_KEY_MISMATCH",
  [CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT]: "CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT",
  [CHAINFERENCE_ERROR__CRYPTO__NO_WRAPPED_KEY_FOR_SERVER]: "CHAINFERENCE_ERROR__CRYPTO__NO_WRAPPED_KEY_FOR_SERVER",
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_EPOCH]: "CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_EPOCH",
  [CHAINFERENCE_ERROR__CRYPTO__UNKNOWN_KEY_EPOCH]: "CHAINFERENCE_ERROR__CRYPTO__UNKNOWN_KEY_EPOCH",
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_KEYRING]: "CHAINFERENCE_ERROR__CRYPTO__INVALID_KEYRING",
  [CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE]: "CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE",
  [CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND]: "CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND",
  [CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID]: "CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID",
  [CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE]: "CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE",
  [CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW]: "CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW",
};

/** Message templates; `$name` is replaced by `context.name`. */
const MESSAGES: { readonly [C in ChainferenceClientErrorCode]: string } = {
  [CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH]:
    "Authentication failed for $kind: wrong key, wrong request, or tampered bytes",
  [CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION]: "Unsupported $kind version $version (this SDK reads $supported)",
  [CHAINFERENCE_ERROR__CRYPTO__LOW_ORDER_POINT]:
    "The $peer X25519 public key is a low-order point: the shared secret would be predictable",
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_LENGTH]: "$name must be $expected bytes, got $actual",
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD]: "Invalid prompt payload: $reason",
  [CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM]: "Truncated response stream ($reason) after $chunkCount chunk(s)",
  [CHAINFERENCE_ERROR__CRYPTO__DATA_AFTER_FINAL_CHUNK]:
    "Response stream has $extraFrames frame(s) after the final chunk $finalIndex",
  [CHAINFERENCE_ERROR__CRYPTO__CHUNK_OUT_OF_ORDER]: "Response chunk $index found at position $position",
  [CHAINFERENCE_ERROR__CRYPTO__DUPLICATE_CHUNK]: "Response chunk $index replayed at position $position",
  [CHAINFERENCE_ERROR__CRYPTO__MALFORMED_FRAME]:
    "Response frame at byte $offset is $length bytes, shorter than the $minLength-byte tag",
  [CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE]: "Response chunk ciphertext of $length bytes exceeds $maxLength",
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX]: "Chunk index $index is not a u32",
  [CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE]: "Signer $address returned no signature for the request-key message",
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE]:
    "Signer $address returned a signature that does not verify over the exact request-key message",
  [CHAINFERENCE_ERROR__CRYPTO__CLIENT_KEY_MISMATCH]:
    "Keys derived for request $requestAddress do not match its on-chain client key (another wallet, or a wallet with non-deterministic signatures)",
  [CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT]: "$kind ciphertext is $length bytes, shorter than $minLength",
  [CHAINFERENCE_ERROR__CRYPTO__NO_WRAPPED_KEY_FOR_SERVER]: "Server $serverAddress is not on the request's allow-list",
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_EPOCH]: "Key epoch $epoch is not a u32",
  [CHAINFERENCE_ERROR__CRYPTO__UNKNOWN_KEY_EPOCH]: "No secret for key epoch $epoch in the keyring (have: $knownEpochs)",
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_KEYRING]: "Invalid server keyring: $reason",
  [CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE]: "RPC endpoint $url is unreachable",
  [CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND]: "Account $address not found",
  [CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID]: "Invalid model id '$modelId': $reason",
  [CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE]: "Prompt of $length bytes exceeds the $maxLength-byte limit",
  [CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW]: "Stake $stake lamports is below the minimum $minStake",
};

/**
 * Returns the stable name of an SDK error code, for logs and the CLI.
 *
 * @example
 * ```ts
 * getChainferenceClientErrorName(CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH);
 * // "CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH"
 * ```
 */
export function getChainferenceClientErrorName(code: ChainferenceClientErrorCode): string {
  return NAMES[code];
}

/**
 * Renders the message for a code and its context.
 *
 * @example
 * ```ts
 * getChainferenceClientErrorMessage(CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE, { length: 9000, maxLength: 8192 });
 * // "Prompt of 9000 bytes exceeds the 8192-byte limit"
 * ```
 */
export function getChainferenceClientErrorMessage<TCode extends ChainferenceClientErrorCode>(
  code: TCode,
  context: ChainferenceClientErrorContext[TCode],
): string {
  const values = (context ?? {}) as Record<string, unknown>;
  return MESSAGES[code].replace(/\$([A-Za-z]+)/g, (match, key: string) =>
    key in values ? formatValue(values[key]) : match,
  );
}

function formatValue(value: unknown): string {
  if (Array.isArray(value)) return value.map(formatValue).join(", ");
  return String(value);
}

/**
 * An SDK error: a numeric `code` with a stable name and a typed `context`.
 *
 * @example
 * ```ts
 * throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH, { kind: "prompt" });
 * ```
 */
export class ChainferenceClientError<TCode extends ChainferenceClientErrorCode = ChainferenceClientErrorCode> extends Error {
  override readonly name = "ChainferenceClientError";
  readonly code: TCode;
  readonly context: ChainferenceClientErrorContext[TCode];

  constructor(code: TCode, context: ChainferenceClientErrorContext[TCode], options?: ErrorOptions) {
    super(getChainferenceClientErrorMessage(code, context), options);
    this.code = code;
    this.context = context;
  }
}

/**
 * Narrows `e` to a {@link ChainferenceClientError}, optionally with a given code (whose context type is
 * then known).
 *
 * @example
 * ```ts
 * try {
 *   decryptPrompt({ dataKey, requestAddress, ciphertext });
 * } catch (e) {
 *   if (isChainferenceClientError(e, CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH)) console.error(e.context.kind);
 *   else throw e;
 * }
 * ```
 */
export function isChainferenceClientError<TCode extends ChainferenceClientErrorCode>(
  e: unknown,
  code?: TCode,
): e is ChainferenceClientError<TCode> {
  const isInstance =
    e instanceof ChainferenceClientError ||
    (e instanceof Error && e.name === "ChainferenceClientError" && typeof (e as { code?: unknown }).code === "number");
  return isInstance && (code === undefined || (e as ChainferenceClientError).code === code);
}
