import { createHash } from "node:crypto";
import { createReadStream } from "node:fs";
import { stat } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";

import {
  CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT,
  CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING,
  ChainferenceBackendError,
} from "../backends/backend-error";
import { DEFAULT_MODEL } from "./default-model";

/** Environment variables the cache location depends on. */
export type CacheEnv = Readonly<{ CHAINFERENCE_CACHE?: string | undefined; HOME?: string | undefined }>;

/** What a model file must be: its sha256 (lowercase hex) and size. */
export type ModelFileExpectation = Readonly<{ sha256: string; sizeBytes: number }>;

/**
 * The project's cache directory: `$CHAINFERENCE_CACHE`, else `~/.cache/chainference`.
 *
 * @example
 * getCacheDir({ CHAINFERENCE_CACHE: "/tmp/cf" }); // "/tmp/cf"
 */
export function getCacheDir(env: CacheEnv = process.env): string {
  const explicit = env.CHAINFERENCE_CACHE;
  if (explicit) return explicit;
  return join(env.HOME || homedir(), ".cache", "chainference");
}

/**
 * Directory that holds downloaded model files: `<cache>/models`.
 *
 * @example
 * getModelsDir({ CHAINFERENCE_CACHE: "/tmp/cf" }); // "/tmp/cf/models"
 */
export function getModelsDir(env: CacheEnv = process.env): string {
  return join(getCacheDir(env), "models");
}

/**
 * Where `scripts/fetch-model` puts the default model.
 *
 * @example
 * getDefaultModelPath({ CHAINFERENCE_CACHE: "/tmp/cf" }); // "/tmp/cf/models/SmolLM2-135M-Instruct.Q4_1.gguf"
 */
export function getDefaultModelPath(env: CacheEnv = process.env): string {
  return join(getModelsDir(env), DEFAULT_MODEL.fileName);
}

/**
 * sha256 of a file as lowercase hex, read in a stream; `onProgress` gets the bytes hashed so far.
 *
 * @example
 * const hex = await sha256File("/tmp/cf/models/SmolLM2-135M-Instruct.Q4_1.gguf");
 */
export async function sha256File(path: string, onProgress?: (bytesRead: number) => void): Promise<string> {
  const hash = createHash("sha256");
  let bytesRead = 0;
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 20 })) {
    const bytes = chunk as Buffer;
    hash.update(bytes);
    bytesRead += bytes.length;
    onProgress?.(bytesRead);
  }
  return hash.digest("hex");
}

/** Size of the file at `path`, or `undefined` when there is no regular file there. */
export async function fileSize(path: string): Promise<number | undefined> {
  try {
    const info = await stat(path);
    return info.isFile() ? info.size : undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT") return undefined;
    throw error;
  }
}

/**
 * Checks that `path` holds exactly the expected model file (size first, then sha256).
 *
 * @throws `CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING` when there is no file,
 *   `CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT` when its size or sha256 differs.
 * @example
 * await assertModelFileIsValid(getDefaultModelPath(), DEFAULT_MODEL);
 */
export async function assertModelFileIsValid(
  path: string,
  expected: ModelFileExpectation,
  onProgress?: (bytesRead: number) => void,
): Promise<void> {
  const size = await fileSize(path);
  if (size === undefined) throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING, { path });
  if (size !== expected.sizeBytes) {
    throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT, {
      path,
      reason: `size is ${size} bytes, expected ${expected.sizeBytes}`,
    });
  }
  const actual = await sha256File(path, onProgress);
  if (actual !== expected.sha256.toLowerCase()) {
    throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__MODEL_CORRUPT, {
      path,
      reason: `sha256 is ${actual}, expected ${expected.sha256}`,
    });
  }
}
