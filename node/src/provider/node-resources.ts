import type { TransactionSigner } from "@solana/kit";
import type { Chain } from "@chainference/client";

import type { InferenceBackend } from "../backends/inference-backend";
import type { NodeConfig, ServedModelConfig } from "../config/node-config";
import { startMetricsServer, type MetricsServer } from "../metrics/metrics-server";
import { getChunkRoom, type ChunkRoom } from "./chunk-size";
import { createModelBackends } from "./model-backends";
import type { NodeEvent } from "./node-events";
import type { RetryPolicy } from "./send-retry";
import { registerServer, type ServerRegistration } from "./server-registration";

/** What a node holds while it runs, acquired at start and released at stop. */
export type NodeResources = Readonly<{
  backendFor: (model: ServedModelConfig) => InferenceBackend;
  /** Backends the node created (and closes); the caller's own backends are not among them. */
  owned: readonly InferenceBackend[];
  registration: ServerRegistration;
  /** Largest chunk plaintext the node writes. */
  /** Largest chunk plaintext of each transaction shape (alone, beside the lock, beside the settlement). */
  chunkRoom: ChunkRoom;
  metricsServer: MetricsServer | null;
}>;

/**
 * Acquires a node's resources in order: backends (a missing model fails before anything is sent), the server's
 * registration, the chunk size, the metrics endpoint (when `metricsPort` is set). On a failure the backends
 * created so far are closed before the error propagates.
 *
 * @example
 * const resources = await openNodeResources({ chain, operator, config, keyringPath, emit, retry, renderMetrics });
 */
export async function openNodeResources(input: {
  readonly chain: Chain;
  readonly operator: TransactionSigner;
  readonly config: NodeConfig;
  readonly backends: Readonly<Record<string, InferenceBackend>> | undefined;
  readonly keyringPath: string;
  readonly keyringPassphrase?: string;
  readonly emit: (event: NodeEvent) => void;
  readonly retry: RetryPolicy;
  readonly renderMetrics: () => string;
}): Promise<NodeResources> {
  const { chain, operator, config } = input;
  const { backendFor, owned } = await createModelBackends(config.models, input.backends, config);
  try {
    const registration = await registerServer({
      chain,
      operator,
      config,
      keyringPath: input.keyringPath,
      ...(input.keyringPassphrase ? { keyringPassphrase: input.keyringPassphrase } : {}),
      emit: input.emit,
      retry: (action) => input.retry(action, null),
    });
    const chunkRoom = await getChunkRoom(operator, config.flush.maxChunkBytes);
    const metricsServer = config.metricsPort > 0 ? await startMetricsServer(config.metricsPort, input.renderMetrics) : null;
    return { backendFor, owned, registration, chunkRoom, metricsServer };
  } catch (error) {
    await Promise.all(owned.map((b) => b.close()));
    throw error;
  }
}

/**
 * Releases what {@link openNodeResources} acquired: the metrics endpoint, then the backends the node created.
 *
 * @example
 * await closeNodeResources(resources);
 */
export async function closeNodeResources(resources: NodeResources): Promise<void> {
  await resources.metricsServer?.close();
  await Promise.all(resources.owned.map((b) => b.close()));
}
