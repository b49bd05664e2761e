/** `chainference airdrop`: asks the cluster's faucet for SOL and prints the new balance. */
import type { Command } from "commander";
import type { Address } from "@solana/kit";
import { createCommandContext } from "../../shared/context/command-context";
import { CliError, usageError } from "../../shared/errors/cli-error";
import { formatSol, parseSol } from "../../shared/output/units";
import { parseAddress } from "../../shared/request-argument";

/** Runs `chainference airdrop <amount> [recipient]`. */
export async function airdropAction(
  amountArgument: string,
  recipientArgument: string | undefined,
  _flags: unknown,
  command: Command,
): Promise<void> {
  const ctx = await createCommandContext(command);
  const amount = parseSol(amountArgument, "amount");
  if (amount === 0n) throw usageError("amount must be more than 0 SOL");
  if (ctx.endpoint.cluster === "mainnet-beta")
    throw new CliError("mainnet-beta has no faucet: airdrops exist on localnet, devnet and testnet only (pass --url devnet)");
  const recipient: Address = recipientArgument === undefined ? (await ctx.wallet()).address : parseAddress(recipientArgument, "recipient");
  const { chain } = ctx.session();
  ctx.out.progress(`Requesting ${formatSol(amount)} SOL for ${recipient} from ${ctx.endpoint.url} …`);
  try {
    await chain.airdrop(recipient, amount);
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error);
    const hint =
      ctx.endpoint.cluster === "custom"
        ? "is a validator or `chainference localnet` running there with a faucet?"
        : "the public faucet limits how much and how often: wait, request less, or use https://faucet.solana.com";
    throw new CliError(`the faucet at ${ctx.endpoint.url} did not pay: ${reason} (${hint})`, 1, { cause: error });
  }
  const balance = await chain.getBalance(recipient);
  ctx.out.result({ recipient, lamports: amount, balanceLamports: balance });
  ctx.out.line(`Airdropped ${formatSol(amount)} SOL to ${recipient}: balance ${formatSol(balance)} SOL`);
}
