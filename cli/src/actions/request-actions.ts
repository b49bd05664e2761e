/** `chainference cancel | expire | rate`: one transaction on an existing request, with a precheck that says why not. */
import { isAddress, type Address } from "@solana/kit";
import type { Command } from "commander";
import {
  cancelRequest,
  expireRequest,
  fetchRequestAccount,
  fetchResponseAccount,
  findResponsePda,
  getServerDecoder,
  getServerReputation,
  rateServer,
  RequestStatus,
  type RequestAccount,
} from "@chainference/client";
import { createCommandContext, type CommandContext } from "../context/command-context";
import { CliError, usageError } from "../output/cli-error";
import { formatSlots, formatSol } from "../output/units";

function parseAddress(value: string, what: string): Address {
  if (!isAddress(value)) throw usageError(`${what} '${value}' is not a base58 account address`);
  return value;
}

async function requireRequest(ctx: CommandContext, address: Address): Promise<RequestAccount & { lamports: bigint }> {
  const { chain } = ctx.session();
  const [request, account] = await Promise.all([fetchRequestAccount(chain, address), chain.getAccount(address)]);
  if (!request || !account)
    throw new CliError(
      `request ${address} not found on ${ctx.endpoint.url}: it was never posted there, or it already settled, was cancelled or expired (see 'chainference history')`,
    );
  return { ...request, lamports: account.lamports };
}

/** Runs `chainference cancel`. */
export async function cancelAction(requestArgument: string, _flags: unknown, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const address = parseAddress(requestArgument, "request");
  const wallet = await ctx.wallet();
  const request = await requireRequest(ctx, address);
  if (request.client !== wallet.address)
    throw new CliError(`request ${address} belongs to wallet ${request.client}, not ${wallet.address}: only its client can cancel it (check --keypair)`);
  if (request.status === RequestStatus.Locked) {
    const slot = await ctx.session().chain.getSlot();
    const wait = request.deadlineSlot >= slot ? ` in about ${formatSlots(request.deadlineSlot - slot + 1n)}` : " now";
    throw new CliError(
      `request ${address} is locked by server ${request.lockedBy} and can no longer be cancelled: if it misses its deadline (slot ${request.deadlineSlot}) run 'chainference expire ${address}'${wait}`,
    );
  }
  const sent = await cancelRequest(ctx.session().chain, wallet, address);
  ctx.out.result({
    request: address,
    action: "cancel",
    refunded: request.lamports,
    stake: request.stake,
    signature: sent.signature,
    link: ctx.session().explorerLink(sent.signature),
  });
  ctx.out.line(
    `Cancelled request ${address}: ${formatSol(request.lamports)} SOL back to ${wallet.address} (stake ${formatSol(request.stake)} + rent ${formatSol(request.lamports - request.stake)}).`,
  );
  ctx.out.line(`  transaction ${ctx.session().explorerLink(sent.signature) ?? sent.signature}`);
}

/** Runs `chainference expire`. */
export async function expireAction(requestArgument: string, _flags: unknown, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const address = parseAddress(requestArgument, "request");
  const wallet = await ctx.wallet();
  const request = await requireRequest(ctx, address);
  const { chain } = ctx.session();
  const slot = await chain.getSlot();
  const locked = request.status === RequestStatus.Locked;
  const until = locked ? request.deadlineSlot : request.openUntilSlot;
  if (slot <= until) {
    const left = formatSlots(until - slot + 1n);
    throw new CliError(
      locked
        ? `request ${address} cannot expire yet: server ${request.lockedBy} has until slot ${until} to answer (now ${slot}, about ${left} left)`
        : `request ${address} cannot expire yet: servers may lock it until slot ${until} (now ${slot}, about ${left} left); its client can cancel it now`,
    );
  }
  const sent = await expireRequest(chain, wallet, request);
  let serverNote = "";
  if (locked) {
    const server = await chain.getAccount(request.lockedBy);
    if (server) serverNote = ` Server ${request.lockedBy} now has ${getServerDecoder().decode(server.data).expired} expired request(s).`;
  }
  ctx.out.result({
    request: address,
    action: "expire",
    refunded: request.lamports,
    stake: request.stake,
    client: request.client,
    wasLocked: locked,
    signature: sent.signature,
  });
  ctx.out.line(
    `Expired request ${address}: ${formatSol(request.lamports)} SOL back to its client ${request.client} (stake ${formatSol(request.stake)} + rent ${formatSol(request.lamports - request.stake)}).${serverNote}`,
  );
  ctx.out.line(`  transaction ${ctx.session().explorerLink(sent.signature) ?? sent.signature}`);
}

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
  if (!response) throw new CliError(`no response found for ${address}: the request was never answered there, or its response account was closed`);
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
    `Rated server ${response.server} ${rating}/5${reputation ? `: its average is now ${(reputation.avgRatingX100 / 100).toFixed(2)} from ${reputation.ratingCount} rating(s)` : ""}.`,
  );
  ctx.out.line(`  transaction ${ctx.session().explorerLink(sent.signature) ?? sent.signature}`);
}
