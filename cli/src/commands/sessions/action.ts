/** `chainference sessions [list|close|top-up|reclaim]`: the wallet's sessions on chain. */
import type { Command } from "commander";
import { SessionStatus, type SentTransaction } from "@chainference/client";
import { getSettleDeadlineSlot, listSessions, reclaimSession, topUpSession, type SessionAccount } from "@chainference/client/sessions";
import { createCommandContext } from "../../shared/context/command-context";
import { CliError, usageError } from "../../shared/errors/cli-error";
import { renderTable, shortAddress } from "../../shared/output/table";
import { formatSlots, formatSol, parseSol } from "../../shared/output/units";
import { closeClientSession, loadOwnSession } from "./close-session";
import type { SessionsCloseFlags } from "./definition";

/** `open_slot` must be this far behind before a tombstone can be reclaimed (program constant). */
const OPEN_SLOT_WINDOW = 150n;

const STATUS_NAMES: Readonly<Record<SessionStatus, string>> = {
  [SessionStatus.Open]: "open",
  [SessionStatus.Closing]: "closing",
  [SessionStatus.Closed]: "closed",
};

/** What the client can do with a session now, and when. */
function nextStep(s: SessionAccount, slot: bigint): string {
  if (s.status === SessionStatus.Closed)
    return slot > s.openSlot + OPEN_SLOT_WINDOW ? "reclaim now" : `reclaim in ${formatSlots(s.openSlot + OPEN_SLOT_WINDOW - slot + 1n)}`;
  const deadline = getSettleDeadlineSlot(s);
  if (s.status === SessionStatus.Closing) return slot >= deadline ? "close now" : `close in ${formatSlots(deadline - slot)}`;
  return slot >= deadline ? "expired: close now" : `settleable ${formatSlots(deadline - slot)} more`;
}

/** Runs `chainference sessions [list]`. */
export async function sessionsListAction(_flags: unknown, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const wallet = await ctx.wallet();
  const { chain } = ctx.session();
  const [sessions, slot] = await Promise.all([listSessions(chain, { client: wallet.address }), chain.getSlot()]);
  sessions.sort((a, b) => (a.openSlot === b.openSlot ? 0 : a.openSlot > b.openSlot ? -1 : 1));
  ctx.out.result({
    wallet: wallet.address,
    slot,
    sessions: sessions.map((s) => ({
      session: s.address,
      server: s.server,
      model: s.model,
      revision: s.revision,
      status: STATUS_NAMES[s.status],
      deposit: s.deposit,
      paid: s.settled,
      tokens: s.settledTokens,
      answers: s.settledAnswers,
      priceIn: s.priceIn,
      priceOut: s.priceOut,
      openSlot: s.openSlot,
      settleDeadlineSlot: s.settleDeadlineSlot,
      slotsToDeadline: s.settleDeadlineSlot > slot ? s.settleDeadlineSlot - slot : 0n,
      next: nextStep(s, slot),
    })),
  });
  if (sessions.length === 0) {
    ctx.out.line(`No sessions of ${wallet.address} on ${ctx.endpoint.url}: 'chainference ask --session' opens one.`);
    return;
  }
  ctx.out.line(`Sessions of ${wallet.address} (paid = settled on chain; answers signed since the last settle are not counted yet):`);
  ctx.out.line(
    renderTable(
      ["session", "server", "model", "deposit SOL", "paid SOL", "answers", "status", "next"],
      sessions.map((s) => [
        shortAddress(s.address),
        shortAddress(s.server),
        s.model,
        formatSol(s.deposit),
        formatSol(s.settled),
        String(s.settledAnswers),
        STATUS_NAMES[s.status],
        nextStep(s, slot),
      ]),
      ["left", "left", "left", "right", "right", "right", "left", "left"],
    ),
  );
  ctx.out.line("Full addresses with --json; close one with 'chainference sessions close <session>'.");
}

/** Runs `chainference sessions close <session>`. */
export async function sessionsCloseAction(argument: string, flags: SessionsCloseFlags, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const wallet = await ctx.wallet();
  const session = ctx.session();
  const account = await loadOwnSession(session, wallet, argument);
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    ctx.out.progress("\nStopping the wait: the close is requested; run this command again later for the refund.");
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  let outcome;
  try {
    outcome = await closeClientSession(session, wallet, account, {
      wait: flags.wait,
      signal: stop.signal,
      onProgress: (text) => ctx.out.progress(text),
    });
  } finally {
    process.off("SIGINT", onSignal);
  }
  const txJson = (t: SentTransaction) => ({ signature: t.signature, fee: t.fee, link: session.explorerLink(t.signature) });
  ctx.out.result({
    session: outcome.session,
    action: "close",
    path: outcome.path,
    fallbackReason: outcome.fallbackReason,
    closed: outcome.closableAtSlot === null,
    paid: outcome.paid,
    refunded: outcome.refunded,
    closableAtSlot: outcome.closableAtSlot,
    nodeTransaction: outcome.nodeTransaction,
    transactions: outcome.transactions.map(txJson),
  });
  if (outcome.closableAtSlot !== null) {
    ctx.out.line(
      `Close of session ${outcome.session} requested: the server keeps until slot ${outcome.closableAtSlot} to settle its last voucher; run 'chainference sessions close ${outcome.session}' again after that for the refund.`,
    );
    return;
  }
  if (outcome.refunded === null) {
    ctx.out.line(
      `Session ${outcome.session} was closed by its server${outcome.paid === null ? "" : ` (${formatSol(outcome.paid)} SOL paid)`}.`,
    );
    return;
  }
  const how =
    outcome.path === "cooperative"
      ? `cooperatively by its node (final settle and close in one transaction, ${session.transactionText(outcome.nodeTransaction!)}; no fee for you)`
      : `by the forced path (${outcome.fallbackReason})`;
  ctx.out.line(
    `Closed session ${outcome.session} ${how}: ${formatSol(outcome.paid ?? 0n)} SOL paid to the server, ${formatSol(outcome.refunded)} SOL back to ${wallet.address}.`,
  );
  for (const t of outcome.transactions) ctx.out.line(`  transaction ${session.transactionText(t.signature)} (fee ${t.fee} lamports)`);
}

/** Runs `chainference sessions top-up <session> <sol>`. */
export async function sessionsTopUpAction(argument: string, sol: string, _flags: unknown, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const amount = parseSol(sol, "<sol>");
  if (amount === 0n) throw usageError("the top-up must be more than 0 SOL");
  const wallet = await ctx.wallet();
  const session = ctx.session();
  const account = await loadOwnSession(session, wallet, argument);
  if (account.status !== SessionStatus.Open)
    throw new CliError(`session ${account.address} is ${STATUS_NAMES[account.status]}: only an open session takes a top-up`);
  const sent = await topUpSession(session.chain, wallet, account.address, amount);
  const deposit = account.deposit + amount;
  ctx.out.result({ session: account.address, action: "top-up", amount, deposit, signature: sent.signature, fee: sent.fee });
  ctx.out.line(`Topped up session ${account.address} by ${formatSol(amount)} SOL: deposit now ${formatSol(deposit)} SOL.`);
  ctx.out.line(`  transaction ${session.transactionText(sent.signature)}`);
}

/** Runs `chainference sessions reclaim [session]`. */
export async function sessionsReclaimAction(argument: string | undefined, _flags: unknown, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const wallet = await ctx.wallet();
  const session = ctx.session();
  const slot = await session.chain.getSlot();
  const targets = argument
    ? [await loadOwnSession(session, wallet, argument)]
    : (await listSessions(session.chain, { client: wallet.address })).filter((s) => s.status === SessionStatus.Closed);
  const reclaimed: { session: string; signature: string; fee: bigint }[] = [];
  for (const s of targets) {
    if (s.status !== SessionStatus.Closed) {
      if (argument)
        throw new CliError(
          `session ${s.address} is ${STATUS_NAMES[s.status]}, not a tombstone: close it first ('chainference sessions close ${s.address}')`,
        );
      continue;
    }
    if (slot <= s.openSlot + OPEN_SLOT_WINDOW) {
      const wait = `about ${formatSlots(s.openSlot + OPEN_SLOT_WINDOW - slot + 1n)}`;
      if (argument) throw new CliError(`session ${s.address} is too recent to reclaim: try again in ${wait}`);
      ctx.out.progress(`  ${s.address}: too recent, reclaimable in ${wait}`);
      continue;
    }
    const sent = await reclaimSession(session.chain, wallet, { session: s.address, client: s.client });
    reclaimed.push({ session: s.address, signature: sent.signature, fee: sent.fee });
    ctx.out.line(`Reclaimed ${s.address} (rent back to ${wallet.address}): ${session.transactionText(sent.signature)}`);
  }
  ctx.out.result({ action: "reclaim", reclaimed });
  if (reclaimed.length === 0 && !argument) ctx.out.line("No session tombstone to reclaim.");
}
