/**
 * History: a past request decrypted from chain data and the wallet alone. Nothing is stored
 * locally; the key root (one wallet signature) re-creates every key.
 */
import type { Address, MessagePartialSigner } from "@solana/kit";

import { CHAINFERENCE_ERROR__CRYPTO__CLIENT_KEY_MISMATCH, ChainferenceClientError } from "../errors";
import { bytesEqual, type BytesLike } from "./bytes";
import { decryptPrompt } from "./prompt-encryption";
import type { PromptPayload } from "./prompt-payload";
import { deriveKeyRoot, type KeyRoot } from "./key-root";
import { deriveRequestKeys } from "./request-keys";
import { deriveClientResponseKey } from "./response-key";
import { decryptResponseStream, type DecryptedResponse } from "./response-stream";

/** What the chain still holds about a request; every part is optional (accounts close). */
export type RequestHistoryRecord = Readonly<{
  requestAddress: Address;
  /** `client_key` (request account or `create_request` data); when given, it is checked first. */
  clientKey?: BytesLike;
  /** The prompt ciphertext (request account, or `create_request` + `append_prompt` data in order). */
  promptCiphertext?: BytesLike;
  /** From the response account: `server_key`, the stream bytes and `is_final`. */
  response?: Readonly<{ serverKey: BytesLike; stream: BytesLike; isFinal: boolean }>;
}>;

/** The decrypted parts that were present in the record. */
export type DecryptedRequestHistory = Readonly<{ prompt?: PromptPayload; response?: DecryptedResponse }>;

/**
 * Decrypts a history record with the wallet's key root (pure). Throws
 * `CHAINFERENCE_ERROR__CRYPTO__CLIENT_KEY_MISMATCH` when the derived client key differs from the
 * on-chain one (another wallet, or a wallet whose signatures are not deterministic).
 *
 * @example
 * ```ts
 * const keyRoot = await deriveKeyRoot(signer, programId);
 * const { prompt, response } = decryptRequestHistory({
 *   keyRoot, requestAddress, clientKey, promptCiphertext,
 *   response: { serverKey: response.serverKey, stream, isFinal: response.isFinal },
 * });
 * ```
 */
export function decryptRequestHistory({
  keyRoot,
  requestAddress,
  clientKey,
  promptCiphertext,
  response,
}: RequestHistoryRecord & { keyRoot: KeyRoot }): DecryptedRequestHistory {
  const keys = deriveRequestKeys(keyRoot, requestAddress);
  if (clientKey !== undefined && !bytesEqual(clientKey, keys.clientKey)) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__CLIENT_KEY_MISMATCH, { requestAddress });
  }
  const prompt =
    promptCiphertext === undefined ? undefined : decryptPrompt({ dataKey: keys.dataKey, requestAddress, ciphertext: promptCiphertext });
  const decryptedResponse =
    response === undefined
      ? undefined
      : decryptResponseStream({
          responseKey: deriveClientResponseKey({ ...keys, lockerKey: response.serverKey, requestAddress }),
          requestAddress,
          stream: response.stream,
          expectFinal: response.isFinal,
        });
  return {
    ...(prompt === undefined ? {} : { prompt }),
    ...(decryptedResponse === undefined ? {} : { response: decryptedResponse }),
  };
}

/**
 * Derives the wallet's key root (one wallet prompt the first time per signer), then decrypts the record.
 *
 * @example
 * ```ts
 * const { prompt, response } = await decryptRequestHistoryWithSigner({
 *   signer: wallet, programId, requestAddress, clientKey, promptCiphertext,
 *   response: { serverKey, stream, isFinal },
 * });
 * ```
 */
export async function decryptRequestHistoryWithSigner({
  signer,
  programId,
  ...record
}: RequestHistoryRecord & { programId: Address; signer: MessagePartialSigner }): Promise<DecryptedRequestHistory> {
  return decryptRequestHistory({ ...record, keyRoot: await deriveKeyRoot(signer, programId) });
}
