import * as codes from "./codes";
import type { ChainferenceClientErrorCode, ChainferenceClientErrorContext } from "./context";
import { ChainferenceCodedError, defineErrorFamily, type ErrorMessages } from "./error-family";
import { describeProgramFailure } from "./program-failure";

const messages: ErrorMessages<ChainferenceClientErrorContext> = {
  [codes.CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH]: ({ kind }) =>
    `Authentication failed for ${kind}: wrong key, wrong request, or tampered bytes`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION]: ({ kind, version, supported }) =>
    `Unsupported ${kind} version ${String(version)} (this SDK reads ${supported})`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__LOW_ORDER_POINT]: ({ peer }) =>
    `The ${peer} X25519 public key is a low-order point: the shared secret would be predictable`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_LENGTH]: ({ name, expected, actual }) =>
    `${name} must be ${expected} bytes, got ${actual}`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD]: ({ reason }) => `Invalid prompt payload: ${reason}`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM]: ({ reason, chunkCount }) =>
    `Truncated response stream (${reason}) after ${chunkCount} chunk(s)`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__DATA_AFTER_FINAL_CHUNK]: ({ extraFrames, finalIndex }) =>
    `Response stream has ${extraFrames} frame(s) after the final chunk ${finalIndex}`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__CHUNK_OUT_OF_ORDER]: ({ index, position }) => `Response chunk ${index} found at position ${position}`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__DUPLICATE_CHUNK]: ({ index, position }) => `Response chunk ${index} replayed at position ${position}`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__MALFORMED_FRAME]: ({ offset, length, minLength }) =>
    `Response frame at byte ${offset} is ${length} bytes, shorter than the ${minLength} bytes of nonce and tag`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE]: ({ length, maxLength }) =>
    `Response chunk ciphertext of ${length} bytes exceeds ${maxLength}`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX]: ({ index }) => `Chunk index ${index} is not a u32`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE]: ({ address }) =>
    `Signer ${address} returned no signature for the key-root message`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE]: ({ address }) =>
    `Signer ${address} returned a signature that does not verify (strict RFC 8032) over the exact key-root message`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__CLIENT_KEY_MISMATCH]: ({ requestAddress }) =>
    `Keys derived for request ${requestAddress} do not match its on-chain client key (another wallet, or a wallet with non-deterministic signatures)`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT]: ({ kind, length, minLength }) =>
    `${kind} ciphertext is ${length} bytes, shorter than ${minLength}`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__NO_WRAPPED_KEY_FOR_SERVER]: ({ serverAddress }) =>
    `Server ${serverAddress} is not on the request's allow-list`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_EPOCH]: ({ epoch }) => `Key epoch ${String(epoch)} is not a u32`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__UNKNOWN_KEY_EPOCH]: ({ epoch, knownEpochs }) =>
    `No secret for key epoch ${epoch} in the keyring (have: ${knownEpochs.join(", ")})`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__INVALID_KEYRING]: ({ reason }) => `Invalid server keyring: ${reason}`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__NON_DETERMINISTIC_SIGNER]: ({ address }) =>
    `Wallet ${address} signed the same key-root message twice with different signatures: its signatures are randomized, so your prompts and answers could never be decrypted again. Use a wallet with standard (deterministic, RFC 8032) Ed25519 signing.`,
  [codes.CHAINFERENCE_ERROR__CRYPTO__INVALID_PADDING]: ({ kind, reason }) => `${kind} plaintext has invalid padding: ${reason}`,
  [codes.CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE]: ({ url, attempts, reason }) =>
    `cannot reach the Solana RPC at ${url}${attempts > 1 ? ` (${attempts} attempts)` : ""}: ${reason}. Check --url and that the node is running.`,
  [codes.CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND]: ({ address }) => `Account ${address} not found`,
  [codes.CHAINFERENCE_ERROR__CHAIN__TRANSACTION_FAILED]: (failure) => {
    const { customCode, instructionIndex, reason } = failure;
    if (customCode === null) return `transaction failed: ${reason}`;
    const named = describeProgramFailure(failure);
    const where = `instruction ${instructionIndex ?? "?"}`;
    if (!named) return `transaction failed: custom error ${customCode} of an unknown program (${where})`;
    const what = named.name ? `${named.name}: ${named.message}` : `custom error ${customCode}`;
    return `transaction failed: ${named.programName} ${what} (${where})`;
  },
  [codes.CHAINFERENCE_ERROR__CHAIN__RPC_REQUEST_FAILED]: ({ url, method, jsonRpcCode, attempts, reason }) =>
    `the Solana RPC at ${url} failed ${method} ${attempts} times${jsonRpcCode === null ? "" : ` (JSON-RPC error ${jsonRpcCode})`}: ${reason}`,
  [codes.CHAINFERENCE_ERROR__CHAIN__TRANSACTION_NOT_CONFIRMED]: ({ url, signature, timeoutMs }) =>
    `transaction ${signature} not confirmed within ${timeoutMs} ms on ${url}`,
  [codes.CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID]: ({ modelId, reason }) => `Invalid model id '${modelId}': ${reason}`,
  [codes.CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE]: ({ length, maxLength }) =>
    `Prompt of ${length} bytes exceeds the ${maxLength}-byte limit`,
  [codes.CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW]: ({ stake, minStake }) => `Stake ${stake} lamports is below the minimum ${minStake}`,
  [codes.CHAINFERENCE_ERROR__SESSION__CHARGE_REJECTED]: ({ session, answer, field, billed, allowed }) =>
    `Refusing to sign a voucher for session ${session}: answer ${answer} billed ${field} ${billed}, more than the ${allowed} the received bytes and the session's prices allow`,
  [codes.CHAINFERENCE_ERROR__SESSION__NODE_ERROR]: ({ url, status, code, message }) =>
    `The session node at ${url} refused (${status} ${code}): ${message}`,
  [codes.CHAINFERENCE_ERROR__SESSION__NODE_UNREACHABLE]: ({ url, reason }) => `Cannot reach the session node at ${url}: ${reason}`,
  [codes.CHAINFERENCE_ERROR__SESSION__PROTOCOL_VIOLATION]: ({ session, answer, reason }) =>
    `The node broke the session protocol on session ${session}, answer ${answer}: ${reason}`,
  [codes.CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE]: ({ what, reason }) => `Invalid ${what}: ${reason}`,
  [codes.CHAINFERENCE_ERROR__SESSION__KEY_EPOCH_CHANGED]: ({ server, sessionEpoch, currentEpoch }) =>
    `Server ${server} rotated its key while the session opened (session epoch ${sessionEpoch}, now ${currentEpoch}): read the epoch's key from the node's info while it is current, or open again`,
};

const CLIENT_ERRORS = defineErrorFamily<ChainferenceClientErrorContext>("sdk", codes, messages);

/**
 * Returns the stable name of an SDK error code, for logs and the CLI.
 *
 * @example
 * ```ts
 * getChainferenceClientErrorName(CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH);
 * // "CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH"
 * ```
 */
export const getChainferenceClientErrorName: (code: ChainferenceClientErrorCode) => string = CLIENT_ERRORS.getName;

/**
 * Renders the message for a code and its context.
 *
 * @example
 * ```ts
 * getChainferenceClientErrorMessage(CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE, { length: 9000, maxLength: 8192 });
 * // "Prompt of 9000 bytes exceeds the 8192-byte limit"
 * ```
 */
export const getChainferenceClientErrorMessage = CLIENT_ERRORS.getMessage;

/**
 * An SDK error: a numeric `code` with a stable name and a typed `context`.
 *
 * @example
 * ```ts
 * throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH, { kind: "prompt" });
 * ```
 */
export class ChainferenceClientError<
  TCode extends ChainferenceClientErrorCode = ChainferenceClientErrorCode,
> extends ChainferenceCodedError<ChainferenceClientErrorContext, TCode> {
  constructor(code: TCode, context: ChainferenceClientErrorContext[TCode], options?: ErrorOptions) {
    super(CLIENT_ERRORS, code, context, options);
  }
}

/**
 * Narrows `e` to a {@link ChainferenceClientError}, optionally with a given code (whose context type is
 * then known). Checks the error's name and code, not `instanceof`, so it holds across copies of the SDK.
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
export const isChainferenceClientError = CLIENT_ERRORS.is;
