/** The <request> argument of `cancel`, `expire` and `rate`: parsed, and the account it names fetched with a line saying why not. */
import { isAddress, type Address } from "@solana/kit";
import { fetchRequestAccount, type RequestAccount } from "@chainference/client";
import type { CommandContext } from "./context/command-context";
import { CliError, usageError } from "./errors/cli-error";

/**
 * A base58 account address, or a usage error naming `what` was expected.
 *
 * @example
 * const address = parseAddress(requestArgument, "request");
 */
export function parseAddress(value: string, what: string): Address {
  if (!isAddress(value)) throw usageError(`${what} '${value}' is not a base58 account address`);
  return value;
}

/**
 * The request account at `address` with its lamports (stake and rent), or one line saying why it is gone.
 *
 * @example
 * const request = await requireRequest(ctx, address);
 */
export async function requireRequest(ctx: CommandContext, address: Address): Promise<RequestAccount & { lamports: bigint }> {
  const { chain } = ctx.session();
  const [request, account] = await Promise.all([fetchRequestAccount(chain, address), chain.getAccount(address)]);
  if (!request || !account)
    throw new CliError(
      `request ${address} not found on ${ctx.endpoint.url}: it was never posted there, or it already settled, was cancelled or expired (see 'chainference history')`,
    );
  return { ...request, lamports: account.lamports };
}
