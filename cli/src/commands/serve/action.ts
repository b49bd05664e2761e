/** `chainference serve`: run a provider node (the @chainference/node package) on a cluster. */
import type { Command } from "commander";
import { createRpcChain, fetchProtocolConfig } from "@chainference/client";
import {
  DEFAULT_MODEL,
  getDefaultKeyringPath,
  isServerKeyringEncrypted,
  loadNodeConfig,
  parseServeHours,
  startProviderNode,
  type InferenceBackend,
  type NodeConfig,
} from "@chainference/node";
import { createCommandContext } from "../../shared/context/command-context";
import { CliError, usageError } from "../../shared/errors/cli-error";
import { formatPricePair } from "../../shared/output/format-server";
import { loadEmbeddedModel } from "../../shared/embedded/embedded-provider";
import { formatInteger, formatSol, parseDuration } from "../../shared/output/units";
import { untilShutdown } from "../../shared/shutdown";
import type { ServeFlags } from "./definition";
import { keyringPassphrase } from "./keyring-passphrase";

/** Runs `chainference serve`. */
export async function serveAction(flags: ServeFlags, command: Command): Promise<void> {
  const ctx = await createCommandContext(command);
  const loaded = await loadNodeConfig(flags.config);
  const withSessions =
    flags.sessionsPort === undefined ? loaded : { ...loaded, sessions: { ...loaded.sessions, port: parsePort(flags.sessionsPort) } };
  const config = withServeFlags(flags.gpu ? { ...withSessions, gpu: flags.gpu } : withSessions, flags);
  const operator = await ctx.wallet();
  const chain = createRpcChain(ctx.endpoint.url);
  const protocol = await fetchProtocolConfig(chain);
  const balance = await chain.getBalance(operator.address);
  // Before the model loads and a keyring is written: an unfunded operator cannot even register.
  if (balance === 0n) {
    const fund =
      ctx.endpoint.cluster === "mainnet-beta" ? "send it SOL" : `e.g. solana airdrop 1 ${operator.address} --url ${ctx.endpoint.url}`;
    throw new CliError(
      `operator ${operator.address} holds 0 SOL on ${ctx.endpoint.url}: fund it before serving (registering pays the server account's rent; each answer pays fees and its response's rent): ${fund}`,
    );
  }
  ctx.out.progress(
    `Provider node on ${ctx.endpoint.url}: operator ${operator.address} (${formatSol(balance)} SOL), protocol fee ${protocol.feeBps / 100} %`,
  );
  for (const m of config.models)
    ctx.out.progress(
      `  ${m.hfId}${m.revision ? `@${m.revision.slice(0, 8)}` : ""} ${m.quantization} at ${formatPricePair(m.priceIn, m.priceOut)} (${m.backend.kind})`,
    );
  // The embedded model loads here, with progress; other backends are created by the node.
  const backends: Record<string, InferenceBackend> = {};
  for (const m of config.models)
    if (m.backend.kind === "embedded" && !m.backend.modelPath && m.hfId === DEFAULT_MODEL.hfId && !backends[m.hfId])
      backends[m.hfId] = await loadEmbeddedModel(ctx.out, "  ", {
        contextSize: m.backend.contextSize ?? m.maxContext,
        gpu: config.gpu ?? "auto",
        concurrency: config.concurrency,
        ...(m.backend.threads ? { threads: m.backend.threads } : {}),
        ...(m.backend.slots ? { slots: m.backend.slots } : {}),
        ...(m.backend.batchSize ? { batchSize: m.backend.batchSize } : {}),
        ...(m.backend.gpuLayers !== undefined ? { gpuLayers: m.backend.gpuLayers } : {}),
      });
  const keyringPath = flags.keyring ?? config.keyringPath ?? getDefaultKeyringPath(operator.address);
  const passphrase = await keyringPassphrase(keyringPath, await isServerKeyringEncrypted(keyringPath));
  const node = await startProviderNode({
    chain,
    operator,
    config,
    backends,
    keyringPath,
    ...(passphrase ? { keyringPassphrase: passphrase } : {}),
    log: (line) => process.stderr.write(`${new Date().toISOString()} ${line}\n`),
  }).catch(async (e: unknown) => {
    await Promise.all(Object.values(backends).map((b) => b.close()));
    throw e;
  });
  ctx.out.result({
    server: node.server,
    operator: node.operator,
    keyring: node.keyringPath,
    metrics: node.metricsUrl,
    sessions: node.sessions?.url ?? null,
  });
  ctx.out.progress(
    `Serving as server ${node.server} (keyring ${node.keyringPath}${node.metricsUrl ? `, metrics ${node.metricsUrl}` : ""}${node.sessions ? `, sessions ${node.sessions.url}/v1/sessions` : ""}). Ctrl-C stops.`,
  );
  const hygiene = describeServePolicy(config, passphrase !== undefined);
  if (hygiene) ctx.out.progress(hygiene);
  await untilShutdown();
  ctx.out.progress(`Stopping: finishing ${node.activeRequests().length} answer(s) in progress (Ctrl-C again to stop at once)…`);
  await node.stop({ drain: true });
  await Promise.all(Object.values(backends).map((b) => b.close()));
  ctx.out.progress("Provider node stopped.");
}

/** The config with the idle and key rotation flags applied (flags win over the config file). */
function withServeFlags(config: NodeConfig, flags: ServeFlags): NodeConfig {
  let serveHours = config.idle.serveHours;
  if (flags.serveHours !== undefined) {
    try {
      serveHours = parseServeHours(flags.serveHours);
    } catch (error) {
      throw usageError(`--serve-hours: ${(error as Error).message}`);
    }
  }
  return {
    ...config,
    keyRotationIntervalMs:
      flags.rotateKeyEvery === undefined ? config.keyRotationIntervalMs : parseDuration(flags.rotateKeyEvery, "--rotate-key-every"),
    idle: {
      ...config.idle,
      cpuBelowPercent:
        flags.idleCpuBelow === undefined ? config.idle.cpuBelowPercent : parsePercent(flags.idleCpuBelow, "--idle-cpu-below"),
      gpuBelowPercent:
        flags.idleGpuBelow === undefined ? config.idle.gpuBelowPercent : parsePercent(flags.idleGpuBelow, "--idle-gpu-below"),
      serveHours,
    },
  };
}

/** One line on what limits serving and how keys are kept, or null when nothing is set. */
function describeServePolicy(config: NodeConfig, encrypted: boolean): string | null {
  const { cpuBelowPercent, gpuBelowPercent, serveHours } = config.idle;
  const idle = [
    cpuBelowPercent === null ? null : `other programs' CPU below ${cpuBelowPercent} %`,
    gpuBelowPercent === null ? null : `GPU below ${gpuBelowPercent} %`,
    serveHours === null ? null : `hours ${serveHours.text}`,
  ].filter((part) => part !== null);
  const parts = [
    idle.length > 0 ? `serving only when idle (${idle.join(", ")})` : null,
    config.keyRotationIntervalMs === null ? null : `key rotated every ${formatInteger(Math.round(config.keyRotationIntervalMs / 1000))} s`,
    encrypted ? "keyring encrypted at rest" : null,
  ].filter((part) => part !== null);
  return parts.length === 0 ? null : `  ${parts.join("; ")}; 'chainference serve pause' pauses by hand.`;
}

function parsePercent(value: string, flag: string): number {
  const match = /^(\d+(?:\.\d+)?)\s*%?$/.exec(value.trim());
  const percent = match ? Number(match[1]) : Number.NaN;
  if (!(percent > 0 && percent <= 100))
    throw usageError(`${flag} must be a percentage above 0 and at most 100, such as 30%, got '${value}'`);
  return percent;
}

function parsePort(value: string): number {
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new CliError(`--sessions-port ${value} is not a port (0..65535)`);
  return port;
}
