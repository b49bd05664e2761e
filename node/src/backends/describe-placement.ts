import type { BackendPlacement, InferenceBackend } from "./inference-backend";

/**
 * One line saying where a backend runs its model: device, offloaded layers, slots, threads.
 *
 * @example
 * describePlacement({ device: "cuda", gpuNames: ["NVIDIA L4"], gpuLayers: 29, totalLayers: 29, threads: 4, slots: 16,
 *   batchSize: 512, promptTokensPerStep: 64 });
 * // "llama.cpp on cuda (NVIDIA L4): 29/29 layers on the GPU, 16 slots, 4 threads"
 */
export function describePlacement(placement: BackendPlacement): string {
  const { device, gpuNames, gpuLayers, totalLayers, slots, threads } = placement;
  const where = device === "cpu" ? "llama.cpp on the CPU" : `llama.cpp on ${device}${gpuNames.length ? ` (${gpuNames.join(", ")})` : ""}`;
  return `${where}: ${gpuLayers}/${totalLayers} layers on the GPU, ${slots} slot${slots === 1 ? "" : "s"}, ${threads} thread${threads === 1 ? "" : "s"}`;
}

/**
 * {@link describePlacement} for an in-process backend, else its `describe` (a remote server).
 *
 * @example
 * describeBackend(openai); // "openai:http://127.0.0.1:8080 (model)"
 */
export function describeBackend(backend: InferenceBackend): string {
  return backend.placement ? describePlacement(backend.placement) : backend.describe;
}
