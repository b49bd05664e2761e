/** `chainference localnet`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";
import { addLimitOptions, type LimitFlags } from "../admin/limit-options";

export type LocalnetFlags = LimitFlags & {
  port: string;
  airdrop: string;
  withProvider?: boolean;
  sessionsPort: string;
  program?: string;
  slotMs: string;
};

export function registerLocalnet(program: Command): void {
  const command = program
    .command("localnet")
    .description(
      "run a local chain: JSON-RPC over an in-process LiteSVM with the program deployed, Config initialized and your wallet funded",
    )
    .option("--port <port>", "port on 127.0.0.1 (0 picks a free one)", "8899")
    .option("--airdrop <sol>", "SOL given to the --keypair wallet (the admin and treasury; created when missing)", "100")
    .option("--with-provider", "also run a provider node with the embedded model in this process")
    .option("--sessions-port <port>", "with --with-provider: the provider's session server port on 127.0.0.1 (0 picks a free one)", "0")
    .option("--program <path>", "program .so to deploy (default: target/deploy/chainference.so)")
    .option("--slot-ms <ms>", "wall-clock milliseconds per slot", "400");
  addLimitOptions(command)
    .addHelpText(
      "after",
      `
Other processes use it like a validator: --url localnet (http://127.0.0.1:8899) for chainference,
and any Solana JSON-RPC client (requestAirdrop funds wallets). The chain lives in memory: Ctrl-C ends it.

Examples:
  $ chainference localnet --keypair ~/.config/solana/id.json
  $ chainference localnet --with-provider --open-for 30s      # open requests expire quickly: try 'expire'
  $ chainference ask "Hello" --url localnet                    # in another terminal`,
    )
    .action(lazyAction(() => import("./action"), "localnetAction"));
}
