import { availableParallelism } from "node:os";

import type { Llama } from "node-llama-cpp";

/** node-llama-cpp's exports, loaded on first use so commands that never run a model start fast. */
export type LlamaBindings = typeof import("node-llama-cpp");

import { CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE, ChainferenceBackendError } from "./backend-error";
import { describeCause } from "./describe-cause";

/** Receives llama.cpp log lines of level warn and above. */
export type LlamaLogListener = (level: "warn" | "error", message: string) => void;

/** The process-wide llama.cpp runtime and a way to listen to its logs. */
export type LlamaRuntime = Readonly<{
  llama: Llama;
  bindings: LlamaBindings;
  /** Adds a log listener; returns the function that removes it. */
  listen(listener: LlamaLogListener): () => void;
}>;

let runtime: Promise<LlamaRuntime> | undefined;

/**
 * The llama.cpp runtime, started once per process from node-llama-cpp's prebuilt CPU binary:
 * `gpu: false`, `build: "never"` and `skipDownload: true`, so it never compiles or downloads anything.
 *
 * It is shared and never disposed: node-llama-cpp binds llama.cpp's logger to the first instance, and
 * a second instance created after disposing one prints to stderr instead of to its logger.
 *
 * @throws `CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE` when no prebuilt binary loads.
 * @example
 * const { llama } = await getLlamaRuntime();
 */
export function getLlamaRuntime(): Promise<LlamaRuntime> {
  runtime ??= startRuntime().catch((error: unknown) => {
    runtime = undefined;
    throw error;
  });
  return runtime;
}

async function startRuntime(): Promise<LlamaRuntime> {
  const listeners = new Set<LlamaLogListener>();
  const dispatch = (level: "warn" | "error", message: string): void => {
    for (const listener of listeners) listener(level, message);
  };
  try {
    const bindings: LlamaBindings = await import("node-llama-cpp");
    const { getLlama, LlamaLogLevel } = bindings;
    const llama = await getLlama({
      gpu: false,
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
      bindings,
      listen(listener) {
        listeners.add(listener);
        return () => listeners.delete(listener);
      },
    };
  } catch (error) {
    throw new ChainferenceBackendError(
      CHAINFERENCE_ERROR__BACKEND__RUNTIME_UNAVAILABLE,
      { reason: describeCause(error) },
      { cause: error },
    );
  }
}
