/** `chainference serve pause|resume`: the hand pause of a running node (the pause file beside its keyring). */
import type { Command } from "commander";
import { getDefaultKeyringPath, loadNodeConfig, pauseFilePath, pauseServing, resumeServing } from "@chainference/node";
import { createCommandContext } from "../../shared/context/command-context";
import type { ServePauseFlags } from "./definition";

async function keyringOf(
  flags: ServePauseFlags,
  command: Command,
): Promise<{ ctx: Awaited<ReturnType<typeof createCommandContext>>; keyringPath: string }> {
  const ctx = await createCommandContext(command);
  if (flags.keyring) return { ctx, keyringPath: flags.keyring };
  const config = await loadNodeConfig(flags.config);
  return { ctx, keyringPath: config.keyringPath ?? getDefaultKeyringPath((await ctx.wallet()).address) };
}

/** Runs `chainference serve pause`. */
export async function pauseAction(flags: ServePauseFlags, command: Command): Promise<void> {
  const { ctx, keyringPath } = await keyringOf(flags, command);
  await pauseServing(keyringPath, flags.reason ?? "");
  ctx.out.result({ paused: true, pauseFile: pauseFilePath(keyringPath) });
  ctx.out.progress(
    `Paused the node using ${keyringPath} (${pauseFilePath(keyringPath)}): it takes no new work within 2 s and finishes what it holds; 'chainference serve resume' lifts it.`,
  );
}

/** Runs `chainference serve resume`. */
export async function resumeAction(flags: ServePauseFlags, command: Command): Promise<void> {
  const { ctx, keyringPath } = await keyringOf(flags, command);
  const wasPaused = await resumeServing(keyringPath);
  ctx.out.result({ paused: false, wasPaused });
  ctx.out.progress(
    wasPaused
      ? `Resumed the node using ${keyringPath}: it takes work again within 2 s (its idle policy and serve hours still apply).`
      : `The node using ${keyringPath} was not paused by hand (its idle policy and serve hours still apply).`,
  );
}
