/** `chainference web`: serves the built web app for the --url cluster until Ctrl-C. */
import type { Command } from "commander";
import { createCommandContext } from "../../shared/context/command-context";
import { CliError } from "../../shared/errors/cli-error";
import { parseInteger } from "../../shared/output/units";
import { untilShutdown } from "../../shared/shutdown";
import type { WebFlags } from "./definition";
import { DEFAULT_WEB_DIR, serveWebApp } from "./serve-web-app";

/** Runs `chainference web`. */
export async function webAction(flags: WebFlags, cmd: Command): Promise<void> {
  const ctx = await createCommandContext(cmd);
  const port = parseInteger(flags.port, "--port", { max: 65_535 });
  const dir = flags.dir ?? DEFAULT_WEB_DIR;
  let app;
  try {
    app = await serveWebApp({ dir, rpcUrl: ctx.endpoint.url, port, host: flags.host });
  } catch (e) {
    const reason = e instanceof Error ? e.message : String(e);
    throw new CliError(/EADDRINUSE/.test(reason) ? `port ${port} is taken: pass --port 0 (any free port) or another` : reason);
  }
  ctx.out.progress(`Chainference web app for ${ctx.endpoint.url}`);
  ctx.out.result({ url: app.url, rpcUrl: ctx.endpoint.url });
  ctx.out.progress(`  open ${app.url} in a browser with a Solana wallet (Phantom, Solflare, Backpack, …)`);
  ctx.out.progress("Ready. Ctrl-C stops.");
  try {
    await untilShutdown();
  } finally {
    await app.close();
  }
}
