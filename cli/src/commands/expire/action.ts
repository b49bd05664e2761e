/** `chainference expire`: anyone returns the stake of a request past its deadline to its client, with a precheck that says why not. */
import type { Command } from "commander";
import { expireRequest, getServerDecoder, RequestStatus } from "@chainference/client";
import { CliError } from "../../shared/errors/cli-error";
import { formatSlots, formatSol } from "../../shared/output/units";
import { loadRequestTarget } from "../../shared/request-argument";

/** Runs `chainference expire`. */
export async function expireAction(requestArgument: string, _flags: unknown, command: Command): Promise<void> {
  const { ctx, address, wallet, request } = await loadRequestTarget(command, requestArgument);
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
    link: ctx.session().explorerLink(sent.signature),
  });
  ctx.out.line(
    `Expired request ${address}: ${formatSol(request.lamports)} SOL back to its client ${request.client} (stake ${formatSol(request.stake)} + rent ${formatSol(request.lamports - request.stake)}).${serverNote}`,
  );
  ctx.out.line(`  transaction ${ctx.session().transactionText(sent.signature)}`);
}
