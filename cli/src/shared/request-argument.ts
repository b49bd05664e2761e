/** The <request> argument of `cancel`, `expire` and `rate`: parsed, and the request account it names fetched (one line saying why not). */
import { isAddress, type Address, type KeyPairSigner } from "@solana/kit";
import { fetchRequestAccount, type RequestAccount } from "@chainference/client";
import type { Command } from "commander";
import { createCommandContext, type CommandContext } from "./context/command-context";
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
async function requireRequest(ctx: CommandContext, address: Address): Promise<RequestAccount & { lamports: bigint }> {
  const { chain } = ctx.session();
  const [request, account] = await Promise.all([fetchRequestAccount(chain, address), chain.getAccount(address)]);
  if (!request || !account)
    throw new CliError(
      `request ${address} not found on ${ctx.endpoint.url}: it was never posted there, or it already settled, was cancelled or expired (see 'chainference history')`,
    );
  return { ...request, lamports: account.lamports };
}

/** What `cancel` and `expire` act on. */
export type RequestTarget = {
  readonly ctx: CommandContext;
  readonly address: Address;
  readonly wallet: KeyPairSigner;
  readonly request: RequestAccount & { lamports: bigint };
};

/**
 * The context, the <request> argument, the wallet and the request account, in that order (a bad argument
 * is reported before a missing keypair, a missing keypair before a missing request).
 *
 * @example
 * const { ctx, address, wallet, request } = await loadRequestTarget(command, requestArgument);
 */
export async function loadRequestTarget(command: Command, requestArgument: string): Promise<RequestTarget> {
  const ctx = await createCommandContext(command);
  const address = parseAddress(requestArgument, "request");
  const wallet = await ctx.wallet();
  const request = await requireRequest(ctx, address);
  return { ctx, address, wallet, request };
}
