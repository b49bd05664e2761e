/** `chainference admin …`: protocol set-up and upkeep by the Config admin (scripts call these too). */
import type { Command } from "commander";
import {
  defaultProtocolParameters,
  fetchProtocolConfig,
  findConfigPda,
  findFeeVaults,
  initializeProtocol,
  updateProtocol,
  withdrawFees,
  type Config,
  type SentTransaction,
} from "@chainference/client";
import { createCommandContext, type CommandContext } from "../../shared/context/command-context";
import { CliError, usageError } from "../../shared/errors/cli-error";
import { formatSlots, formatSol } from "../../shared/output/units";
import type { LimitFlags } from "./limit-options";
import { parseFeeBps, parseLimits } from "./parse-limits";

/** FeeVault accounts are 4 bytes; lamports above their rent are fees. */
const FEE_VAULT_BYTES = 4;

/** Config as JSON-friendly fields. */
function configJson(config: Config) {
  const { discriminator: _d, version: _v, bump: _b, ...fields } = config;
  return fields;
}

function printConfig(ctx: CommandContext, config: Config): void {
  const out = ctx.out;
  out.line(`  admin                 ${config.admin}`);
  out.line(`  treasury              ${config.treasury}`);
  out.line(`  fee                   ${config.feeBps} bps (${config.feeBps / 100} %)`);
  out.line(`  paused                ${config.paused ? "yes" : "no"}`);
  out.line(`  min stake             ${formatSol(config.minStake)} SOL`);
  out.line(`  max prompt / answer   ${config.maxPromptBytes} / ${config.maxResponseBytes} bytes`);
  out.line(
    `  response timeout      ${config.defaultResponseTimeout} slots (~${formatSlots(config.defaultResponseTimeout)}), at least ${config.minResponseTimeout} (~${formatSlots(config.minResponseTimeout)}), at most ${config.maxResponseTimeout} (~${formatSlots(config.maxResponseTimeout)})`,
  );
  out.line(`  open requests last    ${config.openRequestSlots} slots (~${formatSlots(config.openRequestSlots)})`);
  out.line(`  close grace           ${config.closeGraceSlots} slots (~${formatSlots(config.closeGraceSlots)})`);
  out.line(
    `  server bond           at least ${formatSol(config.minBond)} SOL to lock; ${config.abandonPenalty} lamports to the client per abandoned lock`,
  );
  out.line(
    `  bond cooldown         ${config.bondCooldownSlots} slots (~${formatSlots(config.bondCooldownSlots)}) after the last lock before withdrawing`,
  );
}

async function report(ctx: CommandContext, what: string, sent: SentTransaction | null): Promise<void> {
  const config = await fetchProtocolConfig(ctx.session().chain);
  ctx.out.result({ action: what, signature: sent?.signature ?? null, config: configJson(config) });
  ctx.out.line(`${what}${sent ? ` (transaction ${ctx.session().transactionText(sent.signature)})` : ""}:`);
  printConfig(ctx, config);
}

/** The wallet, the chain and the protocol Config, once the wallet is the Config admin (else one line saying so). */
async function requireAdmin(ctx: CommandContext) {
  const wallet = await ctx.wallet();
  const { chain } = ctx.session();
  const config = await fetchProtocolConfig(chain);
  if (config.admin !== wallet.address)
    throw new CliError(`wallet ${wallet.address} is not the protocol admin (${config.admin}): pass the admin's --keypair`);
  return { wallet, chain, config };
}

/** Runs an update as the Config admin. */
async function asAdmin(ctx: CommandContext, change: Parameters<typeof updateProtocol>[2]): Promise<SentTransaction> {
  const { wallet, chain } = await requireAdmin(ctx);
  return updateProtocol(chain, wallet, change);
}

/** Runs `chainference admin init`. */
export async function initAction(flags: LimitFlags, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const wallet = await ctx.wallet();
  const { chain } = ctx.session();
  if (await chain.getAccount((await findConfigPda())[0]))
    throw new CliError(`the protocol is already initialized on ${ctx.endpoint.url}: see 'chainference admin show'`);
  const parameters = { ...defaultProtocolParameters(wallet.address), ...parseLimits(flags) };
  const sent = await initializeProtocol(chain, wallet, parameters);
  await report(ctx, `Initialized the protocol with admin ${wallet.address}`, sent);
}

/** Runs `chainference admin set-fee <bps>`. */
export async function setFeeAction(bps: string, _flags: unknown, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const feeBps = parseFeeBps(bps, "the fee (basis points)");
  await report(ctx, `Set the fee to ${feeBps} bps`, await asAdmin(ctx, { feeBps }));
}

/** Runs `chainference admin set-limits`. */
export async function setLimitsAction(flags: LimitFlags, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const changes = parseLimits(flags);
  if (Object.keys(changes).length === 0)
    throw usageError("pass at least one limit to change, e.g. --open-for 30s (see 'chainference admin set-limits --help')");
  await report(ctx, "Updated the protocol limits", await asAdmin(ctx, changes));
}

/** `admin pause` and `admin unpause`: set the paused flag, then report the Config. */
function setPausedAction(paused: boolean, what: string) {
  return async (_flags: unknown, command: Command): Promise<void> => {
    const ctx = await createCommandContext(command);
    await report(ctx, what, await asAdmin(ctx, { paused }));
  };
}

/** Runs `chainference admin pause`. */
export const pauseAction = setPausedAction(true, "Paused the protocol");

/** Runs `chainference admin unpause`. */
export const unpauseAction = setPausedAction(false, "Unpaused the protocol");

/** Runs `chainference admin withdraw-fees`. */
export async function withdrawFeesAction(_flags: unknown, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const { wallet, chain, config } = await requireAdmin(ctx);
  const before = await chain.getBalance(config.treasury);
  const vaults = await chain.getAccounts(await findFeeVaults());
  const rent = await chain.getMinimumBalanceForRentExemption(FEE_VAULT_BYTES);
  const collected = vaults.reduce((sum, v) => sum + (v && v.lamports > rent ? v.lamports - rent : 0n), 0n);
  if (collected === 0n) {
    // Nothing above rent: a withdrawal would only cost its transaction fee.
    ctx.out.result({
      action: "withdraw-fees",
      treasury: config.treasury,
      withdrawn: 0n,
      treasuryBefore: before,
      treasuryAfter: before,
      signature: null,
    });
    ctx.out.line(
      `No fees to withdraw: the 16 fee vaults hold only their rent. Nothing was sent (treasury ${config.treasury} keeps ${formatSol(before)} SOL).`,
    );
    return;
  }
  const sent = await withdrawFees(chain, wallet);
  const after = await chain.getBalance(config.treasury);
  const fee = config.treasury === wallet.address ? sent.fee : 0n;
  ctx.out.result({
    action: "withdraw-fees",
    treasury: config.treasury,
    withdrawn: collected,
    treasuryBefore: before,
    treasuryAfter: after,
    signature: sent.signature,
  });
  ctx.out.line(
    `Withdrew ${formatSol(collected)} SOL of fees to the treasury ${config.treasury} (balance ${formatSol(before)} → ${formatSol(after)} SOL${fee > 0n ? `, after the ${formatSol(fee)} SOL transaction fee` : ""}).`,
  );
  ctx.out.line(`  transaction ${ctx.session().transactionText(sent.signature)}`);
}

/** Runs `chainference admin show`. */
export async function showAction(_flags: unknown, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const config = await fetchProtocolConfig(ctx.session().chain);
  ctx.out.result(configJson(config));
  ctx.out.line(`Protocol config on ${ctx.endpoint.url}:`);
  printConfig(ctx, config);
}
