/** `chainference cancel`: the client takes back an open request's stake and rent, with a precheck that says why not. */
import type { Command } from "commander";
import { cancelRequest, RequestStatus } from "@chainference/client";
import { CliError } from "../../shared/errors/cli-error";
import { formatSlots, formatSol } from "../../shared/output/units";
import { loadRequestTarget } from "../../shared/request-argument";

/** Runs `chainference cancel`. */
export async function cancelAction(requestArgument: string, _flags: unknown, command: Command): Promise<void> {
  const { ctx, address, wallet, request } = await loadRequestTarget(command, requestArgument);
  if (request.client !== wallet.address)
    throw new CliError(
      `request ${address} belongs to wallet ${request.client}, not ${wallet.address}: only its client can cancel it (check --keypair)`,
    );
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
  ctx.out.line(`  transaction ${ctx.session().transactionText(sent.signature)}`);
}
