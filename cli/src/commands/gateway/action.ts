/** `chainference gateway`: an OpenAI-compatible API on 127.0.0.1, each call an on-chain request paid from the wallet. */
import type { Command } from "commander";
import { DEFAULT_MODEL } from "@chainference/node";
import { createCommandContext } from "../../shared/context/command-context";
import { startGateway } from "./openai-gateway";
import { formatSol, parseInteger, parseSol } from "../../shared/output/units";
import { usageError } from "../../shared/errors/cli-error";
import { createSessionPool } from "./session-pool";

/** Sessions the gateway opens keep the program's shortest grace window, so a shutdown waits about a minute. */
const GATEWAY_GRACE_SLOTS = 150n;
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
  const deposit = parseSol(flags.deposit, "--deposit");
  if (deposit === 0n) throw usageError("--deposit must be more than 0 SOL");
  const log = (line: string) => ctx.out.progress(`[gateway] ${line}`);
  const pool = flags.perRequest ? null : createSessionPool(session, wallet, { deposit, graceSlots: GATEWAY_GRACE_SLOTS, log });
  const gateway = await startGateway({
    session,
    wallet,
    terms,
    aliases,
    defaultMaxTokens: Math.min(256, maxTokensCap),
    maxTokensCap,
    port,
    ...access,
    log,
    ...(pool ? { sessions: pool } : {}),
  });
  ctx.out.progress(`Chainference gateway: OpenAI-compatible API at ${gateway.url}/v1`);
  ctx.out.progress(
    `  cluster ${ctx.endpoint.url}, wallet ${wallet.address} (${formatSol(balance)} SOL), ${pool ? `sessions: ${formatSol(deposit)} SOL deposit each, no transaction per call` : `per request: stake ${formatSol(terms.stake)} SOL per call`}`,
  );
  ctx.out.progress(
    `  ${access.apiKey ? "bearer API key required" : "no API key: any local process can spend the wallet"}; browser origins allowed: ${access.allowOrigins.join(", ") || "none"}`,
  );
  ctx.out.progress(`  models: Hugging Face ids, or ${[...aliases.keys()].join(", ")}. Ctrl-C stops.`);
  await untilShutdown();
  await gateway.close();
  if (pool && pool.sessions().length > 0) {
    ctx.out.progress(
      `Closing ${pool.sessions().length} session(s): cooperatively by their nodes, or else after a grace window of about a minute (Ctrl-C again leaves them for 'chainference sessions close')…`,
    );
    await pool.closeAll(log);
  }
  ctx.out.progress("Gateway stopped.");
}
