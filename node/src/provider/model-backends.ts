import type { InferenceBackend } from "../backends/inference-backend";
import { createDefaultLlamaBackend, createLlamaBackend, defaultEmbeddedThreads } from "../backends/llama-backend";
import { createOpenAiBackend } from "../backends/openai-backend";
import type { GpuChoice, ServedModelConfig } from "../config/node-config";
import { DEFAULT_MODEL } from "../models/default-model";
import { CHAINFERENCE_ERROR__NODE__CONFIG_INVALID, ChainferenceNodeError } from "../node-error";

/** Node-wide settings of embedded backends: the llama.cpp build, and how many requests run at once. */
export type EmbeddedDefaults = Readonly<{ gpu?: GpuChoice; concurrency?: number }>;

/**
 * Creates the backend a served model's config names: llama.cpp in-process (the fetch-model cache's default
 * model, sha256-checked, unless `modelPath` is given: then its GGUF magic, and its `sha256` / `sizeBytes` when
 * configured) or an OpenAI-compatible server (API key read from the environment variable `apiKeyEnv`).
 * Embedded slots default to one per locked request (`concurrency`), at most 8 on a CPU.
 *
 * @throws `CHAINFERENCE_ERROR__NODE__CONFIG_INVALID` for an embedded model other than the default without `modelPath`;
 *   the backends' own errors (model missing or corrupt, runtime unavailable).
 * @example
 * const backend = await createModelBackend(config.models[0]);
 */
export async function createModelBackend(
  model: ServedModelConfig,
  env: NodeJS.ProcessEnv = process.env,
  embedded: EmbeddedDefaults = {},
): Promise<InferenceBackend> {
  const backend = model.backend;
  if (backend.kind === "openai") {
    const apiKey = backend.apiKeyEnv ? env[backend.apiKeyEnv] : undefined;
    return createOpenAiBackend({ baseUrl: backend.baseUrl, model: backend.model, ...(apiKey ? { apiKey } : {}) });
  }
  const common = {
    contextSize: backend.contextSize ?? model.maxContext,
    threads: backend.threads ?? defaultEmbeddedThreads(),
    gpu: embedded.gpu ?? "auto",
    ...(backend.slots === undefined ? {} : { slots: backend.slots }),
    ...(embedded.concurrency === undefined ? {} : { concurrency: embedded.concurrency }),
    ...(backend.batchSize === undefined ? {} : { batchSize: backend.batchSize }),
    ...(backend.gpuLayers === undefined ? {} : { gpuLayers: backend.gpuLayers }),
  };
  if (backend.modelPath) {
    const fileCheck = {
      ...(backend.sha256 === undefined ? {} : { sha256: backend.sha256 }),
      ...(backend.sizeBytes === undefined ? {} : { sizeBytes: backend.sizeBytes }),
    };
    return createLlamaBackend({ ...common, modelPath: backend.modelPath, fileCheck });
  }
  if (model.hfId !== DEFAULT_MODEL.hfId)
    throw new ChainferenceNodeError(CHAINFERENCE_ERROR__NODE__CONFIG_INVALID, {
      source: "models",
      reason: `${model.hfId} uses the embedded backend without backend.modelPath; only ${DEFAULT_MODEL.hfId} is found automatically`,
    });
  return createDefaultLlamaBackend(common);
}

/** The backend of each served model, and which of them the caller created (and must close). */
export type ModelBackends = Readonly<{ backendFor: (model: ServedModelConfig) => InferenceBackend; owned: readonly InferenceBackend[] }>;

/**
 * Backends for every served model: the caller's (by `hfId`) where given, else created from the model's config.
 * On a failure, the backends created so far are closed before the error propagates.
 *
 * @example
 * const { backendFor, owned } = await createModelBackends(config.models, { [DEFAULT_MODEL.hfId]: llama }, config);
 */
export async function createModelBackends(
  models: readonly ServedModelConfig[],
  provided: Readonly<Record<string, InferenceBackend>> = {},
  embedded: EmbeddedDefaults = {},
): Promise<ModelBackends> {
  const byId = new Map<string, InferenceBackend>(Object.entries(provided));
  const owned: InferenceBackend[] = [];
  try {
    for (const model of models) {
      if (byId.has(model.hfId)) continue;
      const backend = await createModelBackend(model, process.env, embedded);
      owned.push(backend);
      byId.set(model.hfId, backend);
    }
  } catch (error) {
    await Promise.all(owned.map((b) => b.close()));
    throw error;
  }
  return {
    backendFor: (model) => {
      const backend = byId.get(model.hfId);
      if (!backend) throw new Error(`no backend for ${model.hfId}`);
      return backend;
    },
    owned,
  };
}
