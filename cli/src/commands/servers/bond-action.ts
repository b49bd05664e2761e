/** `chainference servers bond <sol>` and `servers unbond <sol>`: the operator's server bond. */
import type { Command } from "commander";
import { depositBond, fetchOwnServer, fetchProtocolConfig, withdrawBond } from "@chainference/client";
import { createCommandContext } from "../../shared/context/command-context";
import { usageError } from "../../shared/errors/cli-error";
import { formatSol, parseSol } from "../../shared/output/units";

async function bondCommand(kind: "bond" | "unbond", amountText: string, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const amount = parseSol(amountText, "<sol>");
  if (amount <= 0n) throw usageError(`<sol> must be more than 0`);
  const wallet = await ctx.wallet();
  const chain = ctx.session().chain;
  const own = await fetchOwnServer(chain, wallet.address);
  if (!own) throw usageError(`wallet ${wallet.address} has no server: run \`chainference serve\` first (it registers and bonds)`);
  const sent = kind === "bond" ? await depositBond(chain, wallet, amount) : await withdrawBond(chain, wallet, amount);
  const after = await fetchOwnServer(chain, wallet.address);
  const { minBond } = await fetchProtocolConfig(chain);
  const bond = after?.server.bond ?? 0n;
  ctx.out.result({ action: kind, server: own.address, amount, bond, minBond, signature: sent.signature });
  ctx.out.line(
    `${kind === "bond" ? "Bonded" : "Withdrew"} ${formatSol(amount)} SOL: server ${own.address} now holds a ${formatSol(bond)} SOL bond (minimum to lock: ${formatSol(minBond)} SOL; transaction ${ctx.session().transactionText(sent.signature)}).`,
  );
}

/** Runs `chainference servers bond <sol>`. */
export const bondAction = (amount: string, _flags: unknown, command: Command): Promise<void> => bondCommand("bond", amount, command);

/** Runs `chainference servers unbond <sol>`. */
export const unbondAction = (amount: string, _flags: unknown, command: Command): Promise<void> => bondCommand("unbond", amount, command);
