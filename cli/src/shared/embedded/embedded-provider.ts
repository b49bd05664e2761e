/**
 * A provider node with the embedded model, run inside the command's process (demo, localnet
 * --with-provider): a fresh funded operator, a throw-away keyring, and progress while the model loads.
 */
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { generateKeyPairSigner, type Address } from "@solana/kit";
import type { Chain } from "@chainference/client";
import {
  createDefaultLlamaBackend,
  defaultNodeConfig,
  describePlacement,
  DEFAULT_MODEL,
  startProviderNode,
  type LlamaBackend,
  type LlamaBackendOptions,
  type LlamaLoadProgress,
  type NodeConfig,
  type ProviderNode,
} from "@chainference/node";
import type { Output } from "../output/output";

export type EmbeddedProvider = {
  readonly node: ProviderNode;
  readonly server: Address;
  readonly operator: Address;
  readonly model: string;
  readonly priceIn: bigint;
  readonly priceOut: bigint;
  readonly backend: LlamaBackend;
  /** Stops the node (in-flight work is abandoned), closes the model, removes the keyring. */
  stop(): Promise<void>;
};

const PHASES: Readonly<Record<LlamaLoadProgress["phase"], string>> = {
  verify: "verifying the model file's sha256",
  runtime: "starting llama.cpp",
  load: "loading the weights",
  context: "creating the context",
};

/**
 * Loads the embedded model, reporting each phase once (with a live percentage on a terminal), then where it
 * runs (device, layers on the GPU, slots, threads).
 *
 * @example
 * const backend = await loadEmbeddedModel(out, "  ", { contextSize: 2048 });
 */
export async function loadEmbeddedModel(
  out: Output,
  indent = "",
  options: Omit<LlamaBackendOptions, "modelPath" | "expectedFile" | "fileCheck" | "onProgress"> = {},
): Promise<LlamaBackend> {
  const tty = process.stdout.isTTY && !out.json;
  let phase: LlamaLoadProgress["phase"] | null = null;
  let phaseStarted = performance.now();
  let shown = -1;
  const finishPhase = () => {
    if (phase === null) return;
    const seconds = ((performance.now() - phaseStarted) / 1000).toFixed(1);
    if (tty) process.stdout.write("\r\x1b[K");
    out.progress(`${indent}${PHASES[phase]}: done (${seconds} s)`);
  };
  out.progress(
    `${indent}model ${DEFAULT_MODEL.hfId} (${DEFAULT_MODEL.quantization}, ${(DEFAULT_MODEL.sizeBytes / 1e6).toFixed(0)} MB, ${DEFAULT_MODEL.license})`,
  );
  const backend = await createDefaultLlamaBackend({
    ...options,
    onProgress: (p) => {
      if (p.phase !== phase) {
        finishPhase();
        phase = p.phase;
        phaseStarted = performance.now();
        shown = -1;
      }
      const percent = Math.floor(p.fraction * 100);
      if (tty && percent !== shown) process.stdout.write(`\r\x1b[K${indent}${PHASES[p.phase]}… ${percent} %`);
      shown = percent;
    },
  });
  finishPhase();
  out.progress(`${indent}${describePlacement(backend.placement)}`);
  return backend;
}

/** A free TCP port on 127.0.0.1 (bound and released: the session server takes it right after). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const address = probe.address();
      const port = typeof address === "object" && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/**
 * With sessions on and no endpoint configured, the session server's port is fixed now and published as the Server
 * account's endpoint (`http://127.0.0.1:<port>`), so clients find the node from the chain alone.
 */
export async function withSessionEndpoint(config: NodeConfig): Promise<NodeConfig> {
  if (config.sessions.port === null || config.endpoint !== "") return config;
  const port = config.sessions.port === 0 ? await freePort() : config.sessions.port;
  return { ...config, endpoint: `http://127.0.0.1:${port}`, sessions: { ...config.sessions, port } };
}

/**
 * Starts a provider node serving the embedded model on `chain` with a new operator funded by `fund`.
 *
 * @example
 * const provider = await startEmbeddedProvider(chain, out, { fund: (a) => chain.airdrop(a, 10_000_000_000n) });
 */
export async function startEmbeddedProvider(
  chain: Chain,
  out: Output,
  options: {
    readonly fund: (address: Address) => Promise<void>;
    readonly log?: ((line: string) => void) | null;
    readonly config?: NodeConfig;
    readonly indent?: string;
  },
): Promise<EmbeddedProvider> {
  const config = await withSessionEndpoint(options.config ?? defaultNodeConfig());
  const model = config.models[0]!;
  const operator = await generateKeyPairSigner();
  await options.fund(operator.address);
  const backend = await loadEmbeddedModel(out, options.indent ?? "  ", { contextSize: model.maxContext });
  const keyringDir = mkdtempSync(join(tmpdir(), "chainference-keyring-"));
  let node: ProviderNode;
  try {
    node = await startProviderNode({
      chain,
      operator,
      config,
      keyringPath: join(keyringDir, "server-keyring.json"),
      backends: { [model.hfId]: backend },
      log: options.log === undefined ? (line) => out.progress(`[provider] ${line}`) : options.log,
    });
  } catch (e) {
    await backend.close();
    rmSync(keyringDir, { recursive: true, force: true });
    throw e;
  }
  return {
    node,
    server: node.server,
    operator: operator.address,
    model: model.hfId,
    priceIn: model.priceIn,
    priceOut: model.priceOut,
    backend,
    async stop() {
      await node.stop();
      await backend.close();
      rmSync(keyringDir, { recursive: true, force: true });
    },
  };
}
