/** `chainference rate`: the client rates the server that answered its request, with a precheck that says why not. */
import type { Command } from "commander";
import {
  fetchRequestAccount,
  fetchResponseAccount,
  findResponsePda,
  getServerDecoder,
  getServerReputation,
  rateServer,
  RequestStatus,
} from "@chainference/client";
import { createCommandContext } from "../../shared/context/command-context";
import { CliError, usageError } from "../../shared/errors/cli-error";
import { parseAddress } from "../../shared/request-argument";

/** Runs `chainference rate`. */
export async function rateAction(target: string, ratingArgument: string, _flags: unknown, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const address = parseAddress(target, "request");
  if (!/^[1-5]$/.test(ratingArgument)) throw usageError(`rating must be a whole number from 1 to 5, got '${ratingArgument}'`);
  const rating = Number(ratingArgument);
  const wallet = await ctx.wallet();
  const { chain } = ctx.session();
  let response = await fetchResponseAccount(chain, address);
  if (!response) {
    const open = await fetchRequestAccount(chain, address);
    if (open)
      throw new CliError(
        `request ${address} is not completed yet (${open.status === RequestStatus.Locked ? "a server is answering" : "no server locked it"}): rate it once it settles`,
      );
    response = await fetchResponseAccount(chain, (await findResponsePda({ request: address }))[0]);
  }
  if (!response)
    throw new CliError(`no response found for ${address}: the request was never answered there, or its response account was closed`);
  if (response.client !== wallet.address)
    throw new CliError(`request ${response.request} belongs to wallet ${response.client}: only its client can rate it (check --keypair)`);
  if (!response.completed) throw new CliError(`request ${response.request} is not completed yet: rate it once it settles`);
  if (response.rated) throw new CliError(`request ${response.request} was already rated: each completed request can be rated once`);
  const sent = await rateServer(chain, wallet, response, rating);
  const server = await chain.getAccount(response.server);
  const reputation = server ? getServerReputation(getServerDecoder().decode(server.data)) : null;
  ctx.out.result({
    request: response.request,
    server: response.server,
    rating,
    signature: sent.signature,
    avgRatingX100: reputation?.avgRatingX100 ?? null,
    ratingCount: reputation?.ratingCount ?? null,
  });
  ctx.out.line(
    `Rated server ${response.server} ${rating}/5, weighted by the ${response.cost} lamports this answer cost${reputation ? `: its average is now ${(reputation.avgRatingX100 / 100).toFixed(2)} over ${reputation.ratingCount} lamports of rated answers` : ""}.`,
  );
  ctx.out.line(`  transaction ${ctx.session().transactionText(sent.signature)}`);
}
