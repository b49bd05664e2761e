import { open } from "node:fs/promises";

import {
  CHAINFERENCE_ERROR__BACKEND__MODEL_MISMATCH,
  CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING,
  CHAINFERENCE_ERROR__BACKEND__MODEL_NOT_GGUF,
  ChainferenceBackendError,
} from "../backends/backend-error";
import { fileSize, sha256File } from "./model-cache";

/** What the operator says a model file is; each given field is checked on load. */
export type ModelFileCheck = Readonly<{
  /** sha256 of the file (hex, any case); hashing reads the whole file (~3 s per GB). */
  sha256?: string;
  /** Size in bytes (checked before hashing, so a wrong file fails at once). */
  sizeBytes?: number;
}>;

/** GGUF files start with these four bytes (`GGUF`, llama.cpp's model format). */
const GGUF_MAGIC = "GGUF";

/**
 * Checks a model file given by path before llama.cpp opens it: it exists, starts with the GGUF magic, and
 * has the configured size and sha256 (when configured). Returns its size.
 *
 * @throws `CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING` (no file at `path`), `..._MODEL_NOT_GGUF` (other magic
 *   bytes), `..._MODEL_MISMATCH` (size or sha256 differ from `expected`).
 * @example
 * const { sizeBytes } = await assertIsGgufModelFile("/models/qwen2.5-7b-instruct-q4_k_m.gguf", { sha256: "65b8…" });
 */
export async function assertIsGgufModelFile(
  path: string,
  expected: ModelFileCheck = {},
  onProgress?: (bytesRead: number, sizeBytes: number) => void,
): Promise<{ sizeBytes: number }> {
  const size = await fileSize(path);
  if (size === undefined)
    throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__MODEL_MISSING, {
      path,
      hint: "Check backend.modelPath in the node config (a GGUF file on this machine).",
    });
  const magic = await readMagic(path);
  if (magic !== GGUF_MAGIC)
    throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__MODEL_NOT_GGUF, { path, magic: JSON.stringify(magic) });
  if (expected.sizeBytes !== undefined && size !== expected.sizeBytes)
    throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__MODEL_MISMATCH, {
      path,
      what: "size",
      actual: `${size} bytes`,
      expected: `${expected.sizeBytes} bytes`,
    });
  if (expected.sha256 !== undefined) {
    const actual = await sha256File(path, (bytes) => onProgress?.(bytes, size));
    if (actual !== expected.sha256.toLowerCase())
      throw new ChainferenceBackendError(CHAINFERENCE_ERROR__BACKEND__MODEL_MISMATCH, {
        path,
        what: "sha256",
        actual,
        expected: expected.sha256,
      });
  }
  return { sizeBytes: size };
}

async function readMagic(path: string): Promise<string> {
  const file = await open(path, "r");
  try {
    const { buffer, bytesRead } = await file.read({ buffer: Buffer.alloc(4), position: 0 });
    return buffer.subarray(0, bytesRead).toString("latin1");
  } finally {
    await file.close();
  }
}
