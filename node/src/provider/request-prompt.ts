import type { Address } from "@solana/kit";
import {
  decryptPrompt,
  deriveServerResponseKey,
  findWrappedDataKey,
  getServerKeyringSecret,
  unwrapDataKey,
  type PromptPayload,
  type RequestAccount,
  type ServerKeyring,
} from "@chainference/client";

/** A request's prompt, opened with the server's keyring. */
export type OpenedPrompt = Readonly<{
  dataKey: Uint8Array;
  payload: PromptPayload;
  /** The key epoch the data key was wrapped under (the allow-list entry's). */
  keyEpoch: number;
}>;

/**
 * Unwraps the data key with the secret of the allow-list entry's key epoch and decrypts the prompt.
 * Done before locking, so a prompt this server cannot read is never locked.
 *
 * @throws the SDK's named crypto errors: not on the allow-list, unknown key epoch, wrong key (tag mismatch),
 *   malformed ciphertext, invalid payload.
 * @example
 * const { payload } = openRequestPrompt({ request, server: serverAddress, keyring });
 */
export function openRequestPrompt(input: {
  readonly request: RequestAccount;
  readonly server: Address;
  readonly keyring: ServerKeyring;
}): OpenedPrompt {
  const { request, server, keyring } = input;
  const entry = findWrappedDataKey({ allowed: request.allowed, server });
  const dataKey = unwrapDataKey({
    serverSecret: getServerKeyringSecret(keyring, entry.keyEpoch),
    clientKey: request.clientKey,
    requestAddress: request.address,
    server,
    wrappedKey: entry.wrappedKey,
  });
  const payload = decryptPrompt({ dataKey, requestAddress: request.address, ciphertext: request.promptCiphertext });
  return { dataKey, payload, keyEpoch: entry.keyEpoch };
}

/**
 * The key the answer's chunks are encrypted under, from the secret of the key the request was locked with
 * (`locked_key_epoch`, which may be newer than the epoch the data key was wrapped under).
 *
 * @example
 * const responseKey = responseKeyFor({ request: locked, dataKey, keyring });
 */
export function responseKeyFor(input: {
  readonly request: RequestAccount;
  readonly dataKey: Uint8Array;
  readonly keyring: ServerKeyring;
}): Uint8Array {
  return deriveServerResponseKey({
    lockerSecret: getServerKeyringSecret(input.keyring, input.request.lockedKeyEpoch),
    clientKey: input.request.clientKey,
    dataKey: input.dataKey,
    requestAddress: input.request.address,
  });
}
