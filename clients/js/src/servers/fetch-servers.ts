import type { Address } from "@solana/kit";
import type { Chain } from "../chain";
import { CHAINFERENCE_PROGRAM_ADDRESS, getServerDecoder, SERVER_DISCRIMINATOR, type Server } from "../generated";

/** A server account and its address. */
export type ServerWithAddress = { readonly address: Address; readonly server: Server };

/**
 * Every registered server, optionally only active ones or those serving `model`.
 *
 * @example
 * const servers = await fetchServers(chain, { model: "google/gemma-3-270m-it", activeOnly: true });
 */
export async function fetchServers(
  chain: Chain,
  options: { readonly model?: string; readonly activeOnly?: boolean; readonly programAddress?: Address } = {},
): Promise<ServerWithAddress[]> {
  const accounts = await chain.getProgramAccounts(options.programAddress ?? CHAINFERENCE_PROGRAM_ADDRESS, {
    memcmp: [{ offset: 0, bytes: new Uint8Array([SERVER_DISCRIMINATOR]) }],
  });
  const decoder = getServerDecoder();
  return accounts
    .map((a) => ({ address: a.address, server: decoder.decode(a.data) }))
    .filter(
      ({ server }) => (!options.activeOnly || server.active) && (!options.model || server.models.some((m) => m.hfId === options.model)),
    );
}
