import { readFile } from "node:fs/promises";

import { validateModelId } from "@chainference/client";

import { parseServeHours } from "../idle/serve-hours";
import { defaultIdlePolicy, type IdlePolicy } from "../idle/serving-gate";
import { DEFAULT_MODEL } from "../models/default-model";
import { CHAINFERENCE_ERROR__NODE__CONFIG_INVALID, CHAINFERENCE_ERROR__NODE__CONFIG_MISSING, ChainferenceNodeError } from "../node-error";
import { expandHome } from "./home-path";

/** How a model is run: in-process llama.cpp, or any OpenAI-compatible server. */
export type ModelBackendConfig =
  | Readonly<{
      kind: "embedded";
      /** GGUF file; default: the fetch-model cache's default model (sha256-checked). */
      modelPath?: string;
      /** Context window in tokens; default the model's `maxContext`. */
      contextSize?: number;
      /** CPU threads; default every core but one (at least 1, at most 8). */
      threads?: number;
      /** Requests generated at once (parallel sequences); default `concurrency`, at most 8 on a CPU. */
      slots?: number;
      /** Most tokens evaluated in one batched step; default 512. */
      batchSize?: number;
      /** Layers offloaded to the GPU: `auto` (default: what fits), `max`, or a number. */
      gpuLayers?: number | "auto" | "max";
      /** sha256 of the `modelPath` file, checked on load. */
      sha256?: string;
      /** Size of the `modelPath` file in bytes, checked on load. */
      sizeBytes?: number;
    }>
  | Readonly<{
      kind: "openai";
      /** e.g. `http://127.0.0.1:8080` (llama-server), `http://127.0.0.1:11434/v1` (Ollama). */
      baseUrl: string;
      /** The model name as that server knows it. */
      model: string;
      /** Name of the environment variable holding the API key (never the key itself). */
      apiKeyEnv?: string;
    }>;

/** One model the node serves, as published on-chain, and how it runs. */
export type ServedModelConfig = Readonly<{
  /** Hugging Face `org/name`. */
  hfId: string;
  /** The exact revision (commit) of the weights; empty = unspecified. */
  revision: string;
  /** Quantization tag, e.g. `Q4_K_M`. */
  quantization: string;
  /** Lamports per 1,000,000 prompt tokens. */
  priceIn: bigint;
  /** Lamports per 1,000,000 answer tokens. */
  priceOut: bigint;
  /** Context window in tokens (prompt + answer). */
  maxContext: number;
  backend: ModelBackendConfig;
}>;

/** When the node writes buffered answer text to the chain. */
export type FlushPolicy = Readonly<{
  /** Write at least this often while text is buffered (the first chunk goes out as soon as it is ready). */
  intervalMs: number;
  /** Largest chunk plaintext; clamped to what fits one `append_response` transaction. */
  maxChunkBytes: number;
  /**
   * Tokens the first chunk waits for (or the end of the answer, or a full chunk): it shares the lock's
   * transaction, and a first chunk of one 1–3-byte token would tell a reader little.
   */
  firstChunkTokens: number;
}>;

/** Values of the `gpu` setting (`--gpu`). */
export const GPU_CHOICES = ["auto", "cuda", "vulkan", "cpu"] as const;

/** Which llama.cpp build runs embedded models. */
export type GpuChoice = (typeof GPU_CHOICES)[number];

/** The session server (docs/sessions.md §3): off-chain answers paid by vouchers, settled on a schedule. */
export type SessionServeConfig = Readonly<{
  /** TCP port of the session server (0 = any free port); null = sessions off. */
  port: number | null;
  /** Interface to listen on (default 127.0.0.1; 0.0.0.0 to serve the registered endpoint from outside). */
  host: string;
  /** Most unpaid lamports the node streams ahead of vouchers (its exposure per session). */
  creditWindowLamports: bigint;
  /** The node sends a bill once this many lamports are unbilled (0 = after every chunk); always at the end of an answer. */
  billStepLamports: bigint;
  /** Settle once this many vouched lamports are unsettled… */
  settleThresholdLamports: bigint;
  /** …or this long after the first unsettled voucher. */
  settleIntervalMs: number;
  /** Settle regardless once the session's settle deadline is this close (slots). */
  settleMarginSlots: number;
  /** How long a paused answer waits for a voucher before it ends with `payment_timeout`. */
  paymentTimeoutMs: number;
  /** Where the latest voucher of each session is kept; default beside the keyring (`<keyring>.sessions/`). */
  stateDir?: string;
}>;

/** The provider node's settings (the JSON config file, with defaults filled in). */
export type NodeConfig = Readonly<{
  models: readonly ServedModelConfig[];
  /** llama.cpp build for embedded models: `auto` (default: a CUDA or Vulkan GPU when one works, else the CPU), or forced. */
  gpu?: GpuChoice;
  /** Optional public URL published on-chain (≤ 128 bytes). */
  endpoint: string;
  /** Most requests locked at once. */
  concurrency: number;
  flush: FlushPolicy;
  /** Largest prompt ciphertext the node takes. */
  maxPromptBytes: number;
  /** Largest response stream the node writes (frames included); the request's own limit also applies. */
  maxResponseBytes: number;
  /** Most tokens generated for one request, whatever the prompt asks. */
  maxOutputTokens: number;
  /** Skip requests whose stake (or deadline) cannot pay for at least this many answer tokens. */
  minOutputTokens: number;
  /** Temperature when the prompt sets none. */
  defaultTemperature: number;
  /** Generation speed assumed before the first answer is measured (tokens per second). */
  estimatedTokensPerSecond: number;
  /** How often open requests are polled (one slot by default). */
  pollIntervalMs: number;
  /** Wall-clock length of a slot, for deadline estimates. */
  slotMs: number;
  /** Slots kept in reserve before a deadline to land the final chunk and `complete_request`. */
  deadlineMarginSlots: number;
  /** Retries of a transaction that failed for a transient reason (fresh blockhash each time). */
  sendRetries: number;
  /**
   * Slots a restarted node waits before appending to a response an earlier run left unfinished: 151 (a
   * blockhash's lifetime) makes sure a chunk the dead process still had in flight can no longer land, so one
   * chunk index is never used for two different plaintexts (chunk nonces derive from the index). 0 where no
   * transaction can be in flight across a restart (the in-process chain).
   */
  recoveryQuietSlots: number;
  /** Prometheus `/metrics` on 127.0.0.1:port; 0 = off. */
  metricsPort: number;
  /** Server keyring file; default `~/.config/chainference/server-keyring-<operator>.json`. */
  keyringPath?: string;
  /** Publish a new X25519 key this often (ms), erasing retired secrets once in-flight work ends; null = only by hand. */
  keyRotationIntervalMs: number | null;
  /**
   * Close sweep: this often (ms) the node closes its completed responses past the Config's grace period, as many
   * per transaction as fit (25), so their rent returns to the operator; also at a drained stop. null = only then.
   */
  closeSweepIntervalMs: number | null;
  /** When the node takes work: load thresholds, serve hours (docs/provider-node.md "Idle-time serving"). */
  idle: IdlePolicy;
  sessions: SessionServeConfig;
}>;

/** Prices of the default model: 1,000,000 / 5,000,000 lamports per million tokens (in / out). */
export const DEFAULT_MODEL_PRICES = Object.freeze({ priceIn: 1_000_000n, priceOut: 5_000_000n });

/**
 * Session defaults: off (port null), a 50,000-lamport credit window (0.00005 SOL: ~20 answers of 500 tokens at the
 * default prices, and room for the largest prompt's reserve), a bill every 1/8 window, settle at 1,000,000 lamports
 * or every 10 minutes, 150 slots before the deadline at the latest, 30 s for a paused answer's voucher.
 *
 * @example
 * const sessions = { ...defaultSessionServeConfig(), port: 8787 };
 */
export function defaultSessionServeConfig(): SessionServeConfig {
  return {
    port: null,
    host: "127.0.0.1",
    creditWindowLamports: 50_000n,
    billStepLamports: 6_250n,
    // A settle costs 10,000 lamports: settling by amount (0.003 SOL) and at most daily keeps a session's chain
    // fees under $0.01 per 1M tokens at 1,000 answers (docs/benchmarks.md § 8); the deadline margin still applies.
    settleThresholdLamports: 3_000_000n,
    settleIntervalMs: 86_400_000,
    settleMarginSlots: 150,
    paymentTimeoutMs: 30_000,
  };
}

/** The embedded default model as a served model. */
export function defaultServedModel(): ServedModelConfig {
  return {
    hfId: DEFAULT_MODEL.hfId,
    revision: DEFAULT_MODEL.revision,
    quantization: DEFAULT_MODEL.quantization,
    ...DEFAULT_MODEL_PRICES,
    maxContext: 2048,
    backend: { kind: "embedded" },
  };
}

/**
 * Settings used when the config file leaves them out: the embedded default model, 4 concurrent requests,
 * a chunk every 400 ms (first at once) of at most 900 bytes, 16 KiB answers, 512 tokens.
 *
 * @example
 * const config = defaultNodeConfig();
 */
export function defaultNodeConfig(): NodeConfig {
  return {
    models: [defaultServedModel()],
    gpu: "auto",
    endpoint: "",
    concurrency: 4,
    flush: { intervalMs: 400, maxChunkBytes: 900, firstChunkTokens: 4 },
    maxPromptBytes: 16 * 1024,
    maxResponseBytes: 16 * 1024,
    maxOutputTokens: 512,
    minOutputTokens: 16,
    defaultTemperature: 0,
    estimatedTokensPerSecond: 10,
    pollIntervalMs: 400,
    slotMs: 400,
    deadlineMarginSlots: 8,
    sendRetries: 3,
    recoveryQuietSlots: 151,
    metricsPort: 0,
    keyRotationIntervalMs: null,
    closeSweepIntervalMs: 3_600_000,
    idle: defaultIdlePolicy(),
    sessions: defaultSessionServeConfig(),
  };
}

function parseIdle(value: unknown, fail: Fail): IdlePolicy {
  const defaults = defaultIdlePolicy();
  if (value === undefined) return defaults;
  if (!isObject(value)) fail("idle must be an object");
  const doc = value as Record<string, unknown>;
  checkKeys(doc, ["cpuBelowPercent", "gpuBelowPercent", "serveHours", "sampleIntervalMs", "resumeAfterMs"], "idle", fail);
  const share = (key: string): number | null => {
    const v = doc[key];
    if (v === undefined || v === null) return null;
    if (typeof v !== "number" || !(v > 0 && v <= 100)) fail(`idle.${key} must be a percentage above 0 and at most 100`);
    return v as number;
  };
  let serveHours = defaults.serveHours;
  if (doc.serveHours !== undefined && doc.serveHours !== null) {
    if (typeof doc.serveHours !== "string") fail('idle.serveHours must be a string like "22:00-07:00"');
    try {
      serveHours = parseServeHours(doc.serveHours as string);
    } catch (error) {
      fail(`idle.${(error as Error).message}`);
    }
  }
  return {
    cpuBelowPercent: share("cpuBelowPercent"),
    gpuBelowPercent: share("gpuBelowPercent"),
    serveHours,
    sampleIntervalMs:
      doc.sampleIntervalMs === undefined
        ? defaults.sampleIntervalMs
        : integer(doc.sampleIntervalMs, "idle.sampleIntervalMs", 50, 600_000, fail),
    resumeAfterMs:
      doc.resumeAfterMs === undefined ? defaults.resumeAfterMs : integer(doc.resumeAfterMs, "idle.resumeAfterMs", 0, 86_400_000, fail),
  };
}

type Fail = (reason: string) => never;

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function checkKeys(value: Record<string, unknown>, allowed: readonly string[], where: string, fail: Fail): void {
  for (const key of Object.keys(value)) if (!allowed.includes(key)) fail(`unknown field "${key}" in ${where}`);
}

function integer(value: unknown, where: string, min: number, max: number, fail: Fail): number {
  if (typeof value !== "number" || !Number.isInteger(value) || value < min || value > max)
    fail(`${where} must be an integer in ${min}..=${max}`);
  return value;
}

function lamportsPerMillion(value: unknown, where: string, fail: Fail): bigint {
  const ok =
    (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) || (typeof value === "string" && /^\d{1,13}$/.test(value));
  if (!ok) fail(`${where} must be a non-negative integer (lamports per 1,000,000 tokens; a number or a decimal string)`);
  const price = BigInt(value as number | string);
  if (price > 1_000_000_000_000n) fail(`${where} is above the protocol's maximum price 10^12`);
  return price;
}

function text(value: unknown, where: string, pattern: RegExp, maxBytes: number, fail: Fail): string {
  if (typeof value !== "string" || new TextEncoder().encode(value).length > maxBytes || !pattern.test(value))
    fail(`${where} must be a string of at most ${maxBytes} bytes matching ${pattern}`);
  return value;
}

function lamports(value: unknown, where: string, fail: Fail): bigint {
  const ok =
    (typeof value === "number" && Number.isSafeInteger(value) && value >= 0) || (typeof value === "string" && /^\d{1,19}$/.test(value));
  if (!ok) fail(`${where} must be a non-negative integer of lamports (a number or a decimal string)`);
  return BigInt(value as number | string);
}

function parseSessions(value: unknown, fail: Fail): SessionServeConfig {
  const defaults = defaultSessionServeConfig();
  if (value === undefined) return defaults;
  if (!isObject(value)) fail("sessions must be an object");
  const doc = value as Record<string, unknown>;
  const keys = [
    "port",
    "host",
    "creditWindowLamports",
    "billStepLamports",
    "settleThresholdLamports",
    "settleIntervalMs",
    "settleMarginSlots",
    "paymentTimeoutMs",
    "stateDir",
  ];
  checkKeys(doc, keys, "sessions", fail);
  const int = (key: string, min: number, max: number, fallback: number) =>
    doc[key] === undefined ? fallback : integer(doc[key], `sessions.${key}`, min, max, fail);
  const lam = (key: string, fallback: bigint) => (doc[key] === undefined ? fallback : lamports(doc[key], `sessions.${key}`, fail));
  if (doc.host !== undefined && (typeof doc.host !== "string" || doc.host === "")) fail("sessions.host must be an interface address");
  if (doc.stateDir !== undefined && (typeof doc.stateDir !== "string" || doc.stateDir === "")) fail("sessions.stateDir must be a path");
  const creditWindowLamports = lam("creditWindowLamports", defaults.creditWindowLamports);
  if (creditWindowLamports === 0n) fail("sessions.creditWindowLamports must be positive");
  return {
    port: doc.port === null || doc.port === undefined ? defaults.port : integer(doc.port, "sessions.port", 0, 65_535, fail),
    host: (doc.host as string | undefined) ?? defaults.host,
    creditWindowLamports,
    billStepLamports: lam(
      "billStepLamports",
      doc.creditWindowLamports === undefined ? defaults.billStepLamports : creditWindowLamports / 8n,
    ),
    settleThresholdLamports: lam("settleThresholdLamports", defaults.settleThresholdLamports),
    settleIntervalMs: int("settleIntervalMs", 100, 86_400_000, defaults.settleIntervalMs),
    settleMarginSlots: int("settleMarginSlots", 1, 1_000_000, defaults.settleMarginSlots),
    paymentTimeoutMs: int("paymentTimeoutMs", 100, 3_600_000, defaults.paymentTimeoutMs),
    ...(doc.stateDir === undefined ? {} : { stateDir: expandHome(doc.stateDir as string) }),
  };
}

function parseBackend(value: unknown, where: string, fail: Fail): ModelBackendConfig {
  if (value === undefined) return { kind: "embedded" };
  if (!isObject(value)) fail(`${where} must be an object`);
  if (value.kind === "embedded") {
    checkKeys(
      value,
      ["kind", "modelPath", "contextSize", "threads", "slots", "batchSize", "gpuLayers", "sha256", "sizeBytes"],
      where,
      fail,
    );
    if (value.modelPath !== undefined && typeof value.modelPath !== "string") fail(`${where}.modelPath must be a path`);
    if (value.sha256 !== undefined && (typeof value.sha256 !== "string" || !/^[0-9a-fA-F]{64}$/.test(value.sha256)))
      fail(`${where}.sha256 must be 64 hex digits`);
    if ((value.sha256 !== undefined || value.sizeBytes !== undefined) && value.modelPath === undefined)
      fail(`${where}.sha256 and sizeBytes check a modelPath file (the default model's are built in)`);
    const gpuLayers = value.gpuLayers;
    if (gpuLayers !== undefined && gpuLayers !== "auto" && gpuLayers !== "max")
      integer(gpuLayers, `${where}.gpuLayers ("auto", "max" or)`, 0, 10_000, fail);
    return {
      kind: "embedded",
      ...(value.modelPath === undefined ? {} : { modelPath: expandHome(value.modelPath as string) }),
      ...(value.contextSize === undefined ? {} : { contextSize: integer(value.contextSize, `${where}.contextSize`, 256, 1 << 20, fail) }),
      ...(value.threads === undefined ? {} : { threads: integer(value.threads, `${where}.threads`, 1, 256, fail) }),
      ...(value.slots === undefined ? {} : { slots: integer(value.slots, `${where}.slots`, 1, 256, fail) }),
      ...(value.batchSize === undefined ? {} : { batchSize: integer(value.batchSize, `${where}.batchSize`, 1, 1 << 16, fail) }),
      ...(gpuLayers === undefined ? {} : { gpuLayers: gpuLayers as number | "auto" | "max" }),
      ...(value.sha256 === undefined ? {} : { sha256: (value.sha256 as string).toLowerCase() }),
      ...(value.sizeBytes === undefined
        ? {}
        : { sizeBytes: integer(value.sizeBytes, `${where}.sizeBytes`, 1, Number.MAX_SAFE_INTEGER, fail) }),
    };
  }
  if (value.kind === "openai") {
    checkKeys(value, ["kind", "baseUrl", "model", "apiKeyEnv"], where, fail);
    if (typeof value.baseUrl !== "string" || !/^https?:\/\//.test(value.baseUrl)) fail(`${where}.baseUrl must be an http(s) URL`);
    if (typeof value.model !== "string" || value.model === "") fail(`${where}.model must name the served model`);
    if (value.apiKeyEnv !== undefined && (typeof value.apiKeyEnv !== "string" || !/^[A-Za-z_][A-Za-z0-9_]*$/.test(value.apiKeyEnv)))
      fail(`${where}.apiKeyEnv must be an environment variable name`);
    return {
      kind: "openai",
      baseUrl: value.baseUrl as string,
      model: value.model as string,
      ...(value.apiKeyEnv === undefined ? {} : { apiKeyEnv: value.apiKeyEnv as string }),
    };
  }
  return fail(`${where}.kind must be "embedded" or "openai"`);
}

function parseModel(value: unknown, where: string, fail: Fail): ServedModelConfig {
  if (!isObject(value)) fail(`${where} must be an object`);
  checkKeys(value, ["hfId", "revision", "quantization", "priceIn", "priceOut", "maxContext", "backend"], where, fail);
  if (typeof value.hfId !== "string") fail(`${where}.hfId must be a Hugging Face id (org/name)`);
  const problem = validateModelId(value.hfId as string);
  if (problem) fail(`${where}.hfId "${String(value.hfId)}": ${problem}`);
  return {
    hfId: value.hfId as string,
    revision: text(value.revision ?? "", `${where}.revision`, /^[A-Za-z0-9._/-]*$/, 40, fail),
    quantization: text(value.quantization ?? "", `${where}.quantization`, /^[A-Za-z0-9._-]*$/, 16, fail),
    priceIn: lamportsPerMillion(value.priceIn, `${where}.priceIn`, fail),
    priceOut: lamportsPerMillion(value.priceOut, `${where}.priceOut`, fail),
    maxContext: integer(value.maxContext ?? 2048, `${where}.maxContext`, 64, 0xffff_ffff, fail),
    backend: parseBackend(value.backend, `${where}.backend`, fail),
  };
}

const TOP_LEVEL = [
  "models",
  "gpu",
  "endpoint",
  "concurrency",
  "flush",
  "maxPromptBytes",
  "maxResponseBytes",
  "maxOutputTokens",
  "minOutputTokens",
  "defaultTemperature",
  "estimatedTokensPerSecond",
  "pollIntervalMs",
  "slotMs",
  "deadlineMarginSlots",
  "sendRetries",
  "recoveryQuietSlots",
  "metricsPort",
  "keyringPath",
  "keyRotationIntervalMs",
  "closeSweepIntervalMs",
  "idle",
  "sessions",
] as const;

/**
 * Validates a parsed config document and fills in {@link defaultNodeConfig}'s values for what it leaves out.
 * Unknown fields are rejected (a typo must not silently fall back to a default). Prices may be numbers or
 * decimal strings (JSON numbers lose precision above 2^53).
 *
 * @throws `CHAINFERENCE_ERROR__NODE__CONFIG_INVALID` naming the field.
 * @example
 * const config = parseNodeConfig({ concurrency: 2, models: [{ hfId: "org/model", priceIn: 0, priceOut: "5000000",
 *   backend: { kind: "openai", baseUrl: "http://127.0.0.1:8080", model: "m" } }] }, "node.json");
 */
export function parseNodeConfig(document: unknown, source = "config"): NodeConfig {
  const fail: Fail = (reason) => {
    throw new ChainferenceNodeError(CHAINFERENCE_ERROR__NODE__CONFIG_INVALID, { source, reason });
  };
  if (!isObject(document)) fail("the top level must be a JSON object");
  const doc = document as Record<string, unknown>;
  checkKeys(doc, TOP_LEVEL, "the top level", fail);
  const defaults = defaultNodeConfig();
  const models =
    doc.models === undefined
      ? defaults.models
      : Array.isArray(doc.models) && doc.models.length >= 1 && doc.models.length <= 16
        ? doc.models.map((m, i) => parseModel(m, `models[${i}]`, fail))
        : fail("models must be an array of 1 to 16 models");
  const seen = new Set<string>();
  for (const m of models) {
    const key = `${m.hfId}\u0000${m.revision}\u0000${m.quantization}`;
    if (seen.has(key)) fail(`models lists ${m.hfId}@${m.revision || "(any)"} ${m.quantization} twice`);
    seen.add(key);
  }
  const gpu = doc.gpu ?? defaults.gpu;
  if (!GPU_CHOICES.includes(gpu as GpuChoice)) fail(`gpu must be one of ${GPU_CHOICES.join(", ")}`);
  let flush = defaults.flush;
  if (doc.flush !== undefined) {
    if (!isObject(doc.flush)) fail("flush must be an object");
    const f = doc.flush as Record<string, unknown>;
    checkKeys(f, ["intervalMs", "maxChunkBytes", "firstChunkTokens"], "flush", fail);
    flush = {
      intervalMs: f.intervalMs === undefined ? flush.intervalMs : integer(f.intervalMs, "flush.intervalMs", 10, 60_000, fail),
      maxChunkBytes:
        f.maxChunkBytes === undefined ? flush.maxChunkBytes : integer(f.maxChunkBytes, "flush.maxChunkBytes", 16, 10_240, fail),
      firstChunkTokens:
        f.firstChunkTokens === undefined ? flush.firstChunkTokens : integer(f.firstChunkTokens, "flush.firstChunkTokens", 1, 64, fail),
    };
  }
  const pick = (key: (typeof TOP_LEVEL)[number], min: number, max: number, fallback: number) =>
    doc[key] === undefined ? fallback : integer(doc[key], key, min, max, fail);
  const defaultTemperature = doc.defaultTemperature ?? defaults.defaultTemperature;
  if (typeof defaultTemperature !== "number" || !(defaultTemperature >= 0 && defaultTemperature <= 2))
    fail("defaultTemperature must be a number in 0..=2");
  const estimated = doc.estimatedTokensPerSecond ?? defaults.estimatedTokensPerSecond;
  if (typeof estimated !== "number" || !(estimated > 0 && estimated < 1e6)) fail("estimatedTokensPerSecond must be a positive number");
  if (doc.keyringPath !== undefined && (typeof doc.keyringPath !== "string" || doc.keyringPath === "")) fail("keyringPath must be a path");
  const config: NodeConfig = {
    models,
    gpu: gpu as GpuChoice,
    endpoint: doc.endpoint === undefined ? defaults.endpoint : text(doc.endpoint, "endpoint", /^\S*$/, 128, fail),
    concurrency: pick("concurrency", 1, 256, defaults.concurrency),
    flush,
    maxPromptBytes: pick("maxPromptBytes", 64, 1 << 24, defaults.maxPromptBytes),
    maxResponseBytes: pick("maxResponseBytes", 64, 1 << 24, defaults.maxResponseBytes),
    maxOutputTokens: pick("maxOutputTokens", 1, 1 << 20, defaults.maxOutputTokens),
    minOutputTokens: pick("minOutputTokens", 1, 1 << 20, defaults.minOutputTokens),
    defaultTemperature: defaultTemperature as number,
    estimatedTokensPerSecond: estimated as number,
    pollIntervalMs: pick("pollIntervalMs", 50, 60_000, defaults.pollIntervalMs),
    slotMs: pick("slotMs", 1, 60_000, defaults.slotMs),
    deadlineMarginSlots: pick("deadlineMarginSlots", 1, 10_000, defaults.deadlineMarginSlots),
    sendRetries: pick("sendRetries", 0, 100, defaults.sendRetries),
    recoveryQuietSlots: pick("recoveryQuietSlots", 0, 100_000, defaults.recoveryQuietSlots),
    metricsPort: pick("metricsPort", 0, 65_535, defaults.metricsPort),
    ...(doc.keyringPath === undefined ? {} : { keyringPath: expandHome(doc.keyringPath as string) }),
    keyRotationIntervalMs:
      doc.keyRotationIntervalMs === undefined || doc.keyRotationIntervalMs === null
        ? defaults.keyRotationIntervalMs
        : integer(doc.keyRotationIntervalMs, "keyRotationIntervalMs", 1_000, Number.MAX_SAFE_INTEGER, fail),
    closeSweepIntervalMs:
      doc.closeSweepIntervalMs === undefined
        ? defaults.closeSweepIntervalMs
        : doc.closeSweepIntervalMs === null
          ? null
          : integer(doc.closeSweepIntervalMs, "closeSweepIntervalMs", 1_000, Number.MAX_SAFE_INTEGER, fail),
    idle: parseIdle(doc.idle, fail),
    sessions: parseSessions(doc.sessions, fail),
  };
  if (config.minOutputTokens > config.maxOutputTokens) fail("minOutputTokens must not exceed maxOutputTokens");
  return config;
}

/**
 * Reads and validates a JSON config file; without a path, the defaults (the embedded model).
 *
 * @throws `CHAINFERENCE_ERROR__NODE__CONFIG_MISSING` for a path with no file, `..._CONFIG_INVALID` for bad content.
 * @example
 * const config = await loadNodeConfig("~/.config/chainference/node.json");
 */
export async function loadNodeConfig(path?: string): Promise<NodeConfig> {
  if (path === undefined) return defaultNodeConfig();
  const resolved = expandHome(path);
  let raw: string;
  try {
    raw = await readFile(resolved, "utf8");
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === "ENOENT")
      throw new ChainferenceNodeError(CHAINFERENCE_ERROR__NODE__CONFIG_MISSING, { path: resolved });
    throw error;
  }
  let document: unknown;
  try {
    document = JSON.parse(raw);
  } catch (error) {
    throw new ChainferenceNodeError(CHAINFERENCE_ERROR__NODE__CONFIG_INVALID, {
      source: resolved,
      reason: `not JSON (${(error as Error).message})`,
    });
  }
  return parseNodeConfig(document, resolved);
}
