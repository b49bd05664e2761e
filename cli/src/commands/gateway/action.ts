/** `chainference gateway`: an OpenAI-compatible API on 127.0.0.1, each call an on-chain request paid from the wallet. */
import type { Command } from "commander";
import { DEFAULT_MODEL } from "@chainference/node";
import { createCommandContext } from "../../shared/context/command-context";
import { startGateway } from "./openai-gateway";
import { formatSol, parseInteger } from "../../shared/output/units";
import { untilShutdown } from "../../shared/shutdown";
import type { GatewayFlags } from "./definition";
import { parseTerms } from "../ask/parse-terms";
import { parseAliases } from "./model-aliases";
import { parseAccess } from "./access-flags";

/** Runs `chainference gateway`. */
export async function gatewayAction(flags: GatewayFlags, cmd: Command): Promise<void> {
  const ctx = await createCommandContext(cmd);
  const port = parseInteger(flags.port, "--port", { max: 65_535 });
  const aliases = parseAliases(flags.modelAlias);
  const maxTokensCap = parseInteger(flags.maxTokens, "--max-tokens", { min: 1, max: 32_768 });
  const access = parseAccess(flags, process.env);
  const { model: _model, ...terms } = parseTerms({ ...flags, model: DEFAULT_MODEL.hfId }, DEFAULT_MODEL.hfId);
  const wallet = await ctx.wallet();
  const session = ctx.session();
  const balance = await session.chain.getBalance(wallet.address);
  const gateway = await startGateway({
    session,
    wallet,
    terms,
    aliases,
    defaultMaxTokens: Math.min(256, maxTokensCap),
    maxTokensCap,
    port,
    ...access,
    log: (line) => ctx.out.progress(`[gateway] ${line}`),
  });
  ctx.out.progress(`Chainference gateway: OpenAI-compatible API at ${gateway.url}/v1`);
  ctx.out.progress(
    `  cluster ${ctx.endpoint.url}, wallet ${wallet.address} (${formatSol(balance)} SOL), stake ${formatSol(terms.stake)} SOL per call`,
  );
  ctx.out.progress(
    `  ${access.apiKey ? "bearer API key required" : "no API key: any local process can spend the wallet"}; browser origins allowed: ${access.allowOrigins.join(", ") || "none"}`,
  );
  ctx.out.progress(`  models: Hugging Face ids, or ${[...aliases.keys()].join(", ")}. Ctrl-C stops.`);
  await untilShutdown();
  await gateway.close();
  ctx.out.progress("Gateway stopped.");
}
