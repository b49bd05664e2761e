import type { Chain } from "./chain";
import { findConfigPda, getConfigDecoder, type Config } from "./generated";
import { CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND, ChainferenceClientError } from "./errors";

/**
 * The protocol's Config account (fee, limits, timeouts). Throws a named error when the program
 * was never initialized on this cluster.
 *
 * @example
 * const { feeBps, maxPromptBytes } = await fetchProtocolConfig(chain);
 */
export async function fetchProtocolConfig(chain: Chain): Promise<Config> {
  const [address] = await findConfigPda();
  const account = await chain.getAccount(address);
  if (!account)
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CHAIN__ACCOUNT_NOT_FOUND, {
      address,
      account: "Chainference config (is the program initialized on this cluster?)",
    });
  return getConfigDecoder().decode(account.data);
}
