/** `chainference airdrop`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";

export function registerAirdrop(program: Command): void {
  program
    .command("airdrop")
    .description("request SOL from the cluster's faucet (localnet, devnet, testnet), like solana airdrop")
    .argument("<amount>", "SOL to request, e.g. 1 or 0.5")
    .argument("[recipient]", "wallet address to fund (default: the --keypair wallet)")
    .addHelpText(
      "after",
      `
mainnet-beta has no faucet. The public devnet faucet limits how much and how often: when it refuses, wait or
use https://faucet.solana.com.

Examples:
  $ chainference airdrop 1 --url localnet
  $ chainference airdrop 2 7xKXtg2CW87d97TXJSDpbD5jBkheTqA83TZRuJosgAsU --url devnet`,
    )
    .action(lazyAction(() => import("./action"), "airdropAction"));
}
