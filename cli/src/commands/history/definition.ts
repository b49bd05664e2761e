/** `chainference history`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";

export function registerHistory(program: Command): void {
  program
    .command("history")
    .description("decrypt the wallet's requests and answers from chain data, and its session answers from the local encrypted store")
    .option("--limit <n>", "show at most n requests", "20")
    .addHelpText(
      "after",
      `
Every request the wallet ever made, newest first, with its end state: open, locked, completed
(rated), cancelled, or expired (never taken, or abandoned by its server). Requests come from the
wallet's transaction history (read whole, past 1,000 transactions); prompts and answers from
transaction data once their accounts have closed, so an RPC node that prunes transaction history
shows less. Where no answer exists, it says why (e.g. cancelled before any answer). Every key is
re-derived from a wallet signature over the request address, so the same --keypair reads its
history on any machine. Session answers (ask --session) are not on chain: the CLI keeps them
encrypted under ~/.config/chainference/sessions (keys from the wallet), listed after the requests.

Examples:
  $ chainference history --url localnet
  $ chainference history --url devnet --keypair ~/wallets/alice.json --json`,
    )
    .action(lazyAction(() => import("./action"), "historyAction"));
}
