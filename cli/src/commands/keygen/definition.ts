/** `chainference keygen`: definition (the action is in ./action). */
import type { Command } from "commander";
import { lazyAction } from "../../shared/lazy-action";

export type KeygenFlags = { outfile?: string; force?: boolean };

export function registerKeygen(program: Command): void {
  program
    .command("keygen")
    .description("create a new wallet keypair file in the Solana CLI format (what solana-keygen new writes)")
    .option("-o, --outfile <path>", "where to write it (default: the --keypair path, else ~/.config/solana/id.json)")
    .option("--force", "replace an existing file (its key is lost unless you backed it up)")
    .addHelpText(
      "after",
      `
The file is a JSON array of 64 bytes (secret seed, then public key), readable by you only. There is no seed
phrase: back the file up, it is the only copy of the key.

Examples:
  $ chainference keygen                                   # ~/.config/solana/id.json, if none is there yet
  $ chainference keygen -o ./client.json
  $ chainference airdrop 1 --keypair ./client.json --url localnet`,
    )
    .action(lazyAction(() => import("./action"), "keygenAction"));
}
