/** `chainference sessions [list|close|top-up|reclaim]`: definition (the actions are in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";

export type SessionsCloseFlags = { wait: boolean };

export function registerSessions(program: Command): void {
  const sessions = program
    .command("sessions")
    .description("your sessions (ask --session): list them, close one and get the rest of its deposit back, top up, reclaim tombstones")
    .addHelpText(
      "after",
      `
A session escrows a deposit with one server; answers stream off-chain and are paid by vouchers the
session key signs; the server settles them on chain. Closing asks the server's node to settle its
last voucher and close in one transaction (no fee for you, no wait); when the node is down or refuses,
the close is forced: request it, let the server's grace window pass, then close. Either way
deposit − paid comes back to you.

Examples:
  $ chainference sessions                      # the wallet's sessions with their settle deadlines
  $ chainference sessions close <session>      # the node settles and closes at once (else: forced close), refund
  $ chainference sessions top-up <session> 0.05
  $ chainference sessions reclaim              # free every Closed tombstone of the wallet (rent back)`,
    );
  sessions
    .command("list", { isDefault: true })
    .description("the wallet's sessions: server, model, deposit, paid, status, settle deadline")
    .action(lazyAction(() => import("./action"), "sessionsListAction"));
  sessions
    .command("close")
    .description(
      "close a session: the node's cooperative close (settle + close in one transaction), else request the close, wait out the grace window, close; refunds deposit − paid",
    )
    .argument("<session>", "the session account address")
    .option("--no-wait", "on the forced path, only request the close; run this again after the grace window to get the refund")
    .action(lazyAction(() => import("./action"), "sessionsCloseAction"));
  sessions
    .command("top-up")
    .description("add SOL to an open session's deposit")
    .argument("<session>", "the session account address")
    .argument("<sol>", "SOL to add")
    .action(lazyAction(() => import("./action"), "sessionsTopUpAction"));
  sessions
    .command("reclaim")
    .description("free Closed session tombstones of the wallet (their rent comes back)")
    .argument("[session]", "one tombstone (default: every reclaimable one of the wallet)")
    .action(lazyAction(() => import("./action"), "sessionsReclaimAction"));
}
