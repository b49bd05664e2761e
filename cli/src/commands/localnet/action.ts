/** `chainference localnet`: a local Solana JSON-RPC chain with the program deployed and Config initialized. */
import { existsSync } from "node:fs";
import type { Command } from "commander";
import { CHAINFERENCE_PROGRAM_ADDRESS, defaultProtocolParameters, fetchProtocolConfig, initializeProtocol } from "@chainference/client";
import { createLiteSvmChain } from "@chainference/client/litesvm";
import { startLocalRpcServer } from "@chainference/localnet";
import { defaultNodeConfig, writeNewKeypairFile } from "@chainference/node";
import { createCommandContext } from "../../shared/context/command-context";
import { CliError } from "../../shared/errors/cli-error";
import { resolveProgramPath } from "../../shared/embedded/program-binary";
import { startEmbeddedProvider } from "../../shared/embedded/embedded-provider";
import { formatPricePair } from "../../shared/output/format-server";
import { formatSlots, formatSol, parseInteger, parseSol, LAMPORTS_PER_SOL } from "../../shared/output/units";
import { untilShutdown } from "../../shared/shutdown";
import type { LocalnetFlags } from "./definition";
import { parseLimits } from "../admin/parse-limits";

/** Runs `chainference localnet`. */
export async function localnetAction(flags: LocalnetFlags, cmd: Command): Promise<void> {
  const ctx = await createCommandContext(cmd);
  const port = parseInteger(flags.port, "--port", { max: 65_535 });
  const slotMs = parseInteger(flags.slotMs, "--slot-ms", { min: 1, max: 60_000 });
  const airdrop = parseSol(flags.airdrop, "--airdrop");
  const limits = parseLimits(flags);
  const programPath = resolveProgramPath(flags.program);
  if (!existsSync(ctx.settings.keypairPath)) {
    await writeNewKeypairFile(ctx.settings.keypairPath);
    ctx.out.progress(`Created a new keypair at ${ctx.settings.keypairPath} (no file was there).`);
  }
  const wallet = await ctx.wallet();

  const chain = createLiteSvmChain({
    programs: [{ address: CHAINFERENCE_PROGRAM_ADDRESS, path: programPath, upgradeAuthority: wallet.address }],
    slotDurationMs: slotMs,
  });
  await chain.airdrop(wallet.address, airdrop);
  await initializeProtocol(chain, wallet, { ...defaultProtocolParameters(wallet.address), ...limits });
  const config = await fetchProtocolConfig(chain);
  const server = await startLocalRpcServer(chain, port);
  const out = ctx.out;
  out.progress(`Chainference localnet: in-process LiteSVM running ${programPath}`);
  out.progress(`  RPC URL     ${server.url}   (pass --url ${port === 8899 ? "localnet" : server.url})`);
  out.progress(`  program     ${CHAINFERENCE_PROGRAM_ADDRESS}`);
  out.progress(`  admin       ${wallet.address} (--keypair ${ctx.settings.keypairPath}): ${formatSol(airdrop)} SOL, also the treasury`);
  out.progress(
    `  protocol    fee ${config.feeBps / 100} %, min stake ${formatSol(config.minStake)} SOL, answers within ~${formatSlots(config.defaultResponseTimeout)}, requests open ~${formatSlots(config.openRequestSlots)}`,
  );
  let provider: Awaited<ReturnType<typeof startEmbeddedProvider>> | null = null;
  try {
    if (flags.withProvider) {
      const sessionsPort = Number(flags.sessionsPort);
      if (!Number.isInteger(sessionsPort) || sessionsPort < 0 || sessionsPort > 65_535)
        throw new CliError(`--sessions-port ${flags.sessionsPort} is not a port (0..65535)`);
      const defaults = defaultNodeConfig();
      provider = await startEmbeddedProvider(chain, out, {
        fund: async (address) => chain.airdrop(address, 10n * LAMPORTS_PER_SOL),
        config: { ...defaults, sessions: { ...defaults.sessions, port: sessionsPort } },
      });
      out.progress(
        `  provider    server ${provider.server} (operator ${provider.operator}) serving ${provider.model} at ${formatPricePair(provider.priceIn, provider.priceOut)}`,
      );
      if (provider.node.sessions)
        out.progress(`  sessions    ${provider.node.sessions.url}/v1/sessions (off-chain answers paid by vouchers)`);
    }
    out.progress(`  airdrops    'requestAirdrop' works: fund any wallet with solana airdrop or @solana/kit`);
    out.result({
      url: server.url,
      port: server.port,
      program: CHAINFERENCE_PROGRAM_ADDRESS,
      admin: wallet.address,
      server: provider?.server ?? null,
      sessions: provider?.node.sessions?.url ?? null,
    });
    out.progress("Ready. Ctrl-C stops (the chain lives in memory only).");
    await untilShutdown();
  } finally {
    out.progress("Stopping…");
    await provider?.stop();
    await server.close();
  }
}
