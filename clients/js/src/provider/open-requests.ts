import { getUtf8Encoder, getAddressEncoder, type Address } from "@solana/kit";
import type { Chain, ProgramAccountsQuery } from "../chain";
import { CHAINFERENCE_PROGRAM_ADDRESS, REQUEST_DISCRIMINATOR, RequestStatus } from "../generated";
import {
  decodeRequestAccount,
  REQUEST_LOCKED_BY_OFFSET,
  REQUEST_MODEL_OFFSET,
  REQUEST_STATUS_OFFSET,
  type RequestAccount,
} from "../requests/request-account";

/** `getProgramAccounts` memcmp bytes for a model id as stored: u8 length then the id. */
export function modelFilterBytes(model: string): Uint8Array {
  const id = getUtf8Encoder().encode(model);
  return Uint8Array.from([id.length, ...id]);
}

/**
 * The `getProgramAccounts` / `programSubscribe` query for open requests (of one model when given):
 * request discriminator, Open status, model.
 *
 * @example
 * chain.subscribeAccountChanges?.({ program: CHAINFERENCE_PROGRAM_ADDRESS, query: openRequestsQuery("m") }, wake);
 */
export function openRequestsQuery(model?: string): ProgramAccountsQuery {
  return {
    memcmp: [
      { offset: 0, bytes: Uint8Array.of(REQUEST_DISCRIMINATOR) },
      { offset: REQUEST_STATUS_OFFSET, bytes: Uint8Array.of(RequestStatus.Open) },
      ...(model ? [{ offset: REQUEST_MODEL_OFFSET, bytes: modelFilterBytes(model) }] : []),
    ],
  };
}

/**
 * Open requests, optionally only for one model (memcmp on status and model, so a node sees just
 * the requests it could take).
 *
 * @example
 * const open = await fetchOpenRequests(chain, { model: "google/gemma-3-270m-it" });
 */
export async function fetchOpenRequests(chain: Chain, options: { readonly model?: string } = {}): Promise<RequestAccount[]> {
  const accounts = await chain.getProgramAccounts(CHAINFERENCE_PROGRAM_ADDRESS, openRequestsQuery(options.model));
  return accounts.map((a) => decodeRequestAccount(a.address, a.data));
}

/**
 * Requests currently locked by `server` (crash recovery: a restarted node finds its work here).
 *
 * @example
 * const mine = await fetchLockedRequests(chain, serverAddress);
 */
export async function fetchLockedRequests(chain: Chain, server: Address): Promise<RequestAccount[]> {
  const accounts = await chain.getProgramAccounts(CHAINFERENCE_PROGRAM_ADDRESS, {
    memcmp: [
      { offset: 0, bytes: Uint8Array.of(REQUEST_DISCRIMINATOR) },
      { offset: REQUEST_STATUS_OFFSET, bytes: Uint8Array.of(RequestStatus.Locked) },
      { offset: REQUEST_LOCKED_BY_OFFSET, bytes: getAddressEncoder().encode(server) },
    ],
  });
  return accounts.map((a) => decodeRequestAccount(a.address, a.data));
}
