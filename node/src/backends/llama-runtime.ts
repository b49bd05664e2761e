import { availableParallelism } from "node:os";

import type { Llama } from "node-llama-cpp";

/** node-llama-cpp's exports, loaded on first use so commands that never run a model start fast. */
export type LlamaBindings = typeof import("node-llama-cpp");

import { CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE, ChainferenceBackendError } from "./backend-error";
import { describeCause } from "./describe-cause";

/** Receives llama.cpp log lines of level warn and above. */
export type LlamaLogListener = (level: "warn" | "error", message: string) => void;

/**
 * Which llama.cpp build runs the model: `cpu`; `cuda` or `vulkan` (node-llama-cpp's prebuilt GPU binaries,
 * `@node-llama-cpp/<platform>-cuda` / `-vulkan`); `auto` tries CUDA, then Vulkan (Metal on Apple silicon),
 * then falls back to the CPU.
 */
export type LlamaGpuMode = "auto" | "cuda" | "vulkan" | "cpu";

/** The device a runtime actually uses (`metal` only on macOS). */
export type LlamaDevice = "cpu" | "cuda" | "vulkan" | "metal";

/** A process-wide llama.cpp runtime and a way to listen to its logs. */
export type LlamaRuntime = Readonly<{
  llama: Llama;
  /** What `auto` (or an explicit choice) resolved to. */
  device: LlamaDevice;
  bindings: LlamaBindings;
  /** Adds a log listener; returns the function that removes it. */
  listen(listener: LlamaLogListener): () => void;
}>;

const runtimes = new Map<LlamaGpuMode, Promise<LlamaRuntime>>();

/**
 * The llama.cpp runtime for `gpu` (default `cpu`), started once per process and mode from node-llama-cpp's
 * prebuilt binaries: `build: "never"` and `skipDownload: true`, so it never compiles or downloads anything.
 *
 * It is shared and never disposed: node-llama-cpp binds llama.cpp's logger to the first instance, and
 * a second instance created after disposing one prints to stderr instead of to its logger.
 *
 * @throws `CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE` when no prebuilt binary for `gpu` loads (for
 *   `cuda` / `vulkan`: no such GPU, driver or binary package on this machine).
 * @example
 * const { llama, device } = await getLlamaRuntime("auto"); // device "cpu" on a machine without a GPU
 */
export function getLlamaRuntime(gpu: LlamaGpuMode = "cpu"): Promise<LlamaRuntime> {
  let runtime = runtimes.get(gpu);
  if (runtime === undefined) {
    runtime = startRuntime(gpu).catch((error: unknown) => {
      runtimes.delete(gpu);
      throw error;
    });
    runtimes.set(gpu, runtime);
  }
  return runtime;
}

/** node-llama-cpp's `gpu` option for a mode. */
function toLlamaGpuOption(gpu: LlamaGpuMode): "auto" | "cuda" | "vulkan" | false {
  return gpu === "cpu" ? false : gpu;
}

async function startRuntime(gpu: LlamaGpuMode): Promise<LlamaRuntime> {
  const listeners = new Set<LlamaLogListener>();
  const dispatch = (level: "warn" | "error", message: string): void => {
    for (const listener of listeners) listener(level, message);
  };
  try {
    const bindings: LlamaBindings = await import("node-llama-cpp");
    const { getLlama, LlamaLogLevel } = bindings;
    const llama = await getLlama({
      gpu: toLlamaGpuOption(gpu),
      build: "never",
      skipDownload: true,
      usePrebuiltBinaries: true,
      progressLogs: false,
      maxThreads: Math.max(1, availableParallelism()),
      logLevel: LlamaLogLevel.warn,
      logger: (level, message) => {
        if (level === LlamaLogLevel.error || level === LlamaLogLevel.fatal) dispatch("error", message);
        else if (level === LlamaLogLevel.warn) dispatch("warn", message);
      },
    });
    return {
      llama,
      device: llama.gpu === false ? "cpu" : llama.gpu,
      bindings,
      listen(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
  } catch (error) {
    throw new ChainferenceBackendError(
      CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE,
      { reason: gpu === "cpu" || gpu === "auto" ? describeCause(error) : `no usable ${gpu} build or device: ${describeCause(error)}` },
      { cause: error },
    );
  }
}
