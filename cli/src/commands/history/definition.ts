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
Every key is re-derived from a wallet signature over the request address, so the same --keypair
reads its history on any machine. Prompts of settled requests come from transaction history, which
public RPC nodes may prune. Session answers (ask --session) are not on chain: the CLI keeps them
encrypted under ~/.config/chainference/sessions (keys from the wallet), listed after the requests.

Examples:
  $ chainference history --url localnet
  $ chainference history --url devnet --keypair ~/wallets/alice.json --json`,
    )
    .action(lazyAction(() => import("./action"), "historyAction"));
}
