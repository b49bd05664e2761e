import type { Address, Signature } from "@solana/kit";

import type {
  CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND,
  CHAINFERENCE_ERROR__CHAIN__RPC_REQUEST_FAILED,
  CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE,
  CHAINFERENCE_ERROR__CHAIN__TRANSACTION_FAILED,
  CHAINFERENCE_ERROR__CHAIN__TRANSACTION_NOT_CONFIRMED,
  CHAINFERENCE_ERROR__CRYPTO__CHUNK_OUT_OF_ORDER,
  CHAINFERENCE_ERROR__CRYPTO__CHUNK_TOO_LARGE,
  CHAINFERENCE_ERROR__CRYPTO__CLIENT_KEY_MISMATCH,
  CHAINFERENCE_ERROR__CRYPTO__DATA_AFTER_FINAL_CHUNK,
  CHAINFERENCE_ERROR__CRYPTO__DUPLICATE_CHUNK,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_CHUNK_INDEX,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_EPOCH,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_KEY_LENGTH,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_KEYRING,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_PADDING,
  CHAINFERENCE_ERROR__CRYPTO__NON_DETERMINISTIC_SIGNER,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD,
  CHAINFERENCE_ERROR__CRYPTO__INVALID_SIGNATURE,
  CHAINFERENCE_ERROR__CRYPTO__LOW_ORDER_POINT,
  CHAINFERENCE_ERROR__CRYPTO__MALFORMED_CIPHERTEXT,
  CHAINFERENCE_ERROR__CRYPTO__MALFORMED_FRAME,
  CHAINFERENCE_ERROR__CRYPTO__MISSING_SIGNATURE,
  CHAINFERENCE_ERROR__CRYPTO__NO_WRAPPED_KEY_FOR_SERVER,
  CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH,
  CHAINFERENCE_ERROR__CRYPTO__TRUNCATED_STREAM,
  CHAINFERENCE_ERROR__CRYPTO__UNKNOWN_KEY_EPOCH,
  CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION,
  CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID,
  CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE,
  CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW,
  CHAINFERENCE_ERROR__SESSION__CHARGE_REJECTED,
  CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE,
  CHAINFERENCE_ERROR__SESSION__KEY_EPOCH_CHANGED,
  CHAINFERENCE_ERROR__SESSION__NODE_ERROR,
  CHAINFERENCE_ERROR__SESSION__NODE_UNREACHABLE,
  CHAINFERENCE_ERROR__SESSION__PROTOCOL_VIOLATION,
} from "./codes";

/** Which authenticated ciphertext failed to open. */
export type CiphertextKind = "wrapped-data-key" | "prompt" | "response-chunk" | "session-frame" | "session-history";

/** Where a transaction failed, decoded so callers can name the program error. */
export type TransactionFailure = {
  /** Index of the failing instruction, when the runtime says which one. */
  readonly instructionIndex: number | null;
  /** `Custom(n)` error code, when the failure is a custom error: its meaning depends on {@link programAddress}. */
  readonly customCode: number | null;
  /**
   * The program that returned the error (the innermost failing program the logs name, else the failing
   * instruction's program); null or absent when unknown or for a transaction-level error. A custom code is
   * named only together with it: `Custom(1)` is "insufficient lamports" from the System program.
   */
  readonly programAddress?: Address | null;
  /** The runtime's own description (e.g. `MissingRequiredSignature`). */
  readonly reason: string;
  readonly logs: readonly string[];
};

/** Context carried by each SDK error code. */
export type ChainferenceClientErrorContext = {
  [CHAINFERENCE_ERROR__CRYPTO__TAG_MISMATCH]: { kind: CiphertextKind; position?: number };
  [CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION]: {
    kind: "prompt-ciphertext" | "prompt-payload" | "keyring";
    version: unknown;
    supported: number;
  };
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
  [CHAINFERENCE_ERROR__CRYPTO__NON_DETERMINISTIC_SIGNER]: { address: string };
  [CHAINFERENCE_ERROR__CRYPTO__INVALID_PADDING]: { kind: CiphertextKind; reason: string };
  /** `reason`: the transport's own words; `attempts`: how many tries failed. */
  [CHAINFERENCE_ERROR__CHAIN__RPC_UNREACHABLE]: { url: string; attempts: number; reason: string };
  [CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND]: { address: string; account?: string };
  [CHAINFERENCE_ERROR__CHAIN__TRANSACTION_FAILED]: TransactionFailure;
  /** `jsonRpcCode`: the JSON-RPC error code the endpoint kept answering with, when it gave one. */
  [CHAINFERENCE_ERROR__CHAIN__RPC_REQUEST_FAILED]: {
    url: string;
    method: string;
    jsonRpcCode: number | null;
    attempts: number;
    reason: string;
  };
  [CHAINFERENCE_ERROR__CHAIN__TRANSACTION_NOT_CONFIRMED]: { url: string; signature: Signature; timeoutMs: number };
  [CHAINFERENCE_ERROR__INPUT__INVALID_MODEL_ID]: { modelId: string; reason: string };
  [CHAINFERENCE_ERROR__INPUT__PROMPT_TOO_LARGE]: { length: number; maxLength: number };
  [CHAINFERENCE_ERROR__INPUT__STAKE_TOO_LOW]: { stake: bigint; minStake: bigint };
  /** A bill the client refuses to sign: `billed` is what the node asked, `allowed` the most the client's own count pays. */
  [CHAINFERENCE_ERROR__SESSION__CHARGE_REJECTED]: {
    session: string;
    answer: number;
    field: "lamports" | "tokens" | "answers" | "tokensIn" | "tokensOut";
    billed: bigint;
    allowed: bigint;
  };
  /** The node answered with an error document (`code` is the protocol's error code, e.g. `answer_replayed`). */
  [CHAINFERENCE_ERROR__SESSION__NODE_ERROR]: { url: string; status: number; code: string; message: string };
  [CHAINFERENCE_ERROR__SESSION__NODE_UNREACHABLE]: { url: string; reason: string };
  [CHAINFERENCE_ERROR__SESSION__PROTOCOL_VIOLATION]: { session: string; answer: number; reason: string };
  [CHAINFERENCE_ERROR__SESSION__INVALID_MESSAGE]: { what: string; reason: string };
  [CHAINFERENCE_ERROR__SESSION__KEY_EPOCH_CHANGED]: { server: string; sessionEpoch: number; currentEpoch: number };
};

/** Every SDK error code. */
export type ChainferenceClientErrorCode = keyof ChainferenceClientErrorContext;
