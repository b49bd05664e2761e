/** `chainference gateway`: an OpenAI-compatible API on 127.0.0.1, each call an on-chain request paid from the wallet. */
import type { Command } from "commander";
import { DEFAULT_MODEL } from "@chainference/node";
import { createCommandContext } from "../context/command-context";
import { startGateway } from "../gateway/openai-gateway";
import { usageError } from "../output/cli-error";
import { formatSol, parseInteger } from "../output/units";
import { untilShutdown } from "../process/shutdown";
import type { GatewayFlags } from "../commands/gateway";
import { parseTerms } from "./terms";
import { validateModelId } from "@chainference/client";

/** Names OpenAI clients may use for the embedded model, besides its Hugging Face id. */
export const BUILTIN_ALIASES: ReadonlyMap<string, string> = new Map([
  ["default", DEFAULT_MODEL.hfId],
  ["smollm2-135m-instruct", DEFAULT_MODEL.hfId],
]);

/** Parses `--model-alias name=org/model` flags over the built-in aliases. */
export function parseAliases(flags: readonly string[] = []): Map<string, string> {
  const aliases = new Map(BUILTIN_ALIASES);
  for (const flag of flags.flatMap((f) => f.split(",")).filter(Boolean)) {
    const [name, target, ...rest] = flag.split("=");
    if (!name || !target || rest.length > 0) throw usageError(`--model-alias must look like name=org/model, got '${flag}'`);
    const problem = validateModelId(target);
    if (problem) throw usageError(`--model-alias ${name}: '${target}' is not a Hugging Face id (${problem})`);
    aliases.set(name, target);
  }
  return aliases;
}

/** Runs `chainference gateway`. */
export async function gatewayAction(flags: GatewayFlags, cmd: Command): Promise<void> {
  const ctx = await createCommandContext(cmd);
  const port = parseInteger(flags.port, "--port", { max: 65_535 });
  const aliases = parseAliases(flags.modelAlias);
  const maxTokensCap = parseInteger(flags.maxTokens, "--max-tokens", { min: 1, max: 32_768 });
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
    log: (line) => ctx.out.progress(`[gateway] ${line}`),
  });
  ctx.out.progress(`Chainference gateway: OpenAI-compatible API at ${gateway.url}/v1`);
  ctx.out.progress(`  cluster ${ctx.endpoint.url}, wallet ${wallet.address} (${formatSol(balance)} SOL), stake ${formatSol(terms.stake)} SOL per call`);
  ctx.out.progress(`  models: Hugging Face ids, or ${[...aliases.keys()].join(", ")}. Ctrl-C stops.`);
  await untilShutdown();
  await gateway.close();
  ctx.out.progress("Gateway stopped.");
}
