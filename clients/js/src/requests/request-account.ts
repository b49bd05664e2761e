import type { Address, ReadonlyUint8Array } from "@solana/kit";
import type { Chain } from "../chain";
import {
  getAllowedServerDecoder,
  getRequestDecoder,
  getResponseDecoder,
  REQUEST_DISCRIMINATOR,
  RESPONSE_DISCRIMINATOR,
  type AllowedServer,
  type Request,
  type Response,
} from "../generated";

/** Size of one allow-list entry in the request account's tail. */
export const ALLOWED_SERVER_LEN = 84;
/** Byte offsets used by `getProgramAccounts` filters (docs/protocol.md). */
export const REQUEST_STATUS_OFFSET = 3;
export const REQUEST_CLIENT_OFFSET = 4;
export const REQUEST_MODEL_OFFSET = 44;
export const REQUEST_LOCKED_BY_OFFSET = 182;
export const RESPONSE_CLIENT_OFFSET = 36;
export const RESPONSE_SERVER_OFFSET = 68;

/** A request account with its variable tail decoded. */
export type RequestAccount = Request & {
  readonly address: Address;
  readonly allowed: readonly AllowedServer[];
  readonly promptCiphertext: ReadonlyUint8Array;
};

/** A response account and its address. */
export type ResponseAccount = Response & { readonly address: Address };

/**
 * Decodes a request account: header, allow-list and the prompt ciphertext written so far.
 *
 * @example
 * const request = decodeRequestAccount(address, account.data);
 */
export function decodeRequestAccount(address: Address, data: ReadonlyUint8Array): RequestAccount {
  const request = getRequestDecoder().decode(data);
  const entry = getAllowedServerDecoder();
  const allowed = Array.from({ length: request.allowedCount }, (_, i) => entry.decode(request.tail, i * ALLOWED_SERVER_LEN));
  const promptStart = request.allowedCount * ALLOWED_SERVER_LEN;
  return { ...request, address, allowed, promptCiphertext: request.tail.slice(promptStart, promptStart + request.promptWritten) };
}

/** Fetches and decodes a request account; null when it does not exist (closed or never created). */
export async function fetchRequestAccount(chain: Chain, address: Address): Promise<RequestAccount | null> {
  const account = await chain.getAccount(address);
  return account && account.data.length > 0 && account.data[0] === REQUEST_DISCRIMINATOR
    ? decodeRequestAccount(address, account.data)
    : null;
}

/** Fetches and decodes a response account; null when it does not exist yet (or was closed). */
export async function fetchResponseAccount(chain: Chain, address: Address): Promise<ResponseAccount | null> {
  const account = await chain.getAccount(address);
  return account && account.data.length > 0 && account.data[0] === RESPONSE_DISCRIMINATOR
    ? { ...getResponseDecoder().decode(account.data), address }
    : null;
}
