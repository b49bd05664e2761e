/** `chainference keygen`: writes a new Solana CLI keypair file, never silently over an existing one. */
import type { Command } from "commander";
import { loadKeypairSigner, writeNewKeypairFile } from "@chainference/node";
import { createCommandContext } from "../../shared/context/command-context";
import { CliError } from "../../shared/errors/cli-error";
import type { KeygenFlags } from "./definition";

/** Runs `chainference keygen`. */
export async function keygenAction(flags: KeygenFlags, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const path = flags.outfile ?? ctx.settings.keypairPath;
  let address: string;
  try {
    address = await writeNewKeypairFile(path, { overwrite: flags.force ?? false });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    const existing = await loadKeypairSigner(path).then(
      (signer) => ` (wallet ${signer.address})`,
      () => "",
    );
    throw new CliError(
      `${path} already exists${existing}: pass --force to replace it (its key is lost unless backed up) or -o <another file>`,
    );
  }
  ctx.out.result({ address, path });
  ctx.out.line(`Wrote a new keypair to ${path}`);
  ctx.out.line(`pubkey: ${address}`);
  ctx.out.line("There is no seed phrase: back this file up, it is the only copy of the key.");
  if (flags.outfile !== undefined && flags.outfile !== ctx.settings.keypairPath)
    ctx.out.line(`Use it with --keypair ${path}; fund it on localnet or devnet with: chainference airdrop 1 --keypair ${path}`);
  else ctx.out.line("Fund it on localnet or devnet with: chainference airdrop 1");
}
