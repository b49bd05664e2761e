/** The prompt plaintext: a small versioned JSON document. */
import {
  CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD,
  CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION,
  ChainferenceClientError,
} from "../errors";
import { bytesEqual, MAX_U32, toBytes, utf8, type BytesLike } from "./bytes";
import { PROMPT_PAYLOAD_VERSION } from "./constants";

/** Who said a chat message. */
export type PromptRole = "system" | "user" | "assistant";

/** One chat message. */
export type PromptMessage = Readonly<{ role: PromptRole; content: string }>;

/**
 * What the server receives, encrypted: the chat so far and the generation limits.
 * JSON: `{"v":1,"messages":[{"role":...,"content":...}],"maxTokens":n,"temperature"?:t}`.
 */
export type PromptPayload = Readonly<{
  v: 1;
  messages: readonly PromptMessage[];
  /** Upper bound on generated tokens, 1..=2^32-1. */
  maxTokens: number;
  /** Sampling temperature, 0..=2; absent = the server's default. */
  temperature?: number;
}>;

const ROLES: ReadonlySet<string> = new Set<PromptRole>(["system", "user", "assistant"]);
const PAYLOAD_KEYS: ReadonlySet<string> = new Set(["v", "messages", "maxTokens", "temperature"]);
const MESSAGE_KEYS: ReadonlySet<string> = new Set(["role", "content"]);
const MAX_TEMPERATURE = 2;
/** In `u` mode a surrogate pair is one code point, so this matches only unpaired surrogates. */
const LONE_SURROGATE = /\p{Cs}/u;

function invalid(reason: string): never {
  throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD, { reason });
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function checkKeys(value: Record<string, unknown>, allowed: ReadonlySet<string>, where: string): void {
  for (const key of Object.keys(value)) if (!allowed.has(key)) invalid(`unknown field '${key}' in ${where}`);
}

/**
 * Throws `CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD` (or `..._UNSUPPORTED_VERSION` for a
 * `v` other than 1, checked before anything else) unless `value` is a well-formed v1 payload. Unknown fields
 * and contents with lone surrogates are rejected.
 *
 * @example
 * ```ts
 * const value: unknown = JSON.parse(text);
 * assertIsPromptPayload(value);
 * value.messages[0].content;
 * ```
 */
export function assertIsPromptPayload(value: unknown): asserts value is PromptPayload {
  if (!isPlainObject(value)) invalid("not a JSON object");
  // `v` first: a payload of a later version reports its version, not the fields this one does not know.
  if (value.v !== PROMPT_PAYLOAD_VERSION) {
    if (value.v === undefined) invalid("missing 'v'");
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__UNSUPPORTED_VERSION, {
      kind: "prompt-payload",
      version: value.v,
      supported: PROMPT_PAYLOAD_VERSION,
    });
  }
  checkKeys(value, PAYLOAD_KEYS, "payload");
  const { messages, maxTokens, temperature } = value;
  if (!Array.isArray(messages) || messages.length === 0) invalid("'messages' must be a non-empty array");
  messages.forEach((message: unknown, i) => {
    if (!isPlainObject(message)) invalid(`messages[${i}] is not an object`);
    checkKeys(message, MESSAGE_KEYS, `messages[${i}]`);
    if (typeof message.role !== "string" || !ROLES.has(message.role)) {
      invalid(`messages[${i}].role must be "system", "user" or "assistant"`);
    }
    if (typeof message.content !== "string") invalid(`messages[${i}].content must be a string`);
    if (LONE_SURROGATE.test(message.content)) invalid(`messages[${i}].content has a lone UTF-16 surrogate (not Unicode text)`);
  });
  if (typeof maxTokens !== "number" || !Number.isInteger(maxTokens) || maxTokens < 1 || maxTokens > MAX_U32) {
    invalid("'maxTokens' must be an integer in 1..=4294967295");
  }
  if (
    temperature !== undefined &&
    (typeof temperature !== "number" || !Number.isFinite(temperature) || temperature < 0 || temperature > MAX_TEMPERATURE)
  ) {
    invalid("'temperature' must be a number in 0..=2");
  }
}

/**
 * True when `value` is a well-formed v1 payload.
 *
 * @example
 * ```ts
 * isPromptPayload({ v: 1, messages: [{ role: "user", content: "hi" }], maxTokens: 64 }); // true
 * ```
 */
export function isPromptPayload(value: unknown): value is PromptPayload {
  try {
    assertIsPromptPayload(value);
    return true;
  } catch {
    return false;
  }
}

/**
 * Validates and serializes a payload to UTF-8 JSON with a fixed field order
 * (`v, messages[role, content], maxTokens, temperature?`), so equal payloads give equal bytes.
 *
 * @example
 * ```ts
 * const bytes = encodePromptPayload({ v: 1, messages: [{ role: "user", content: "Hello" }], maxTokens: 128 });
 * // utf8('{"v":1,"messages":[{"role":"user","content":"Hello"}],"maxTokens":128}')
 * ```
 */
export function encodePromptPayload(payload: PromptPayload): Uint8Array {
  assertIsPromptPayload(payload);
  const canonical = {
    v: payload.v,
    messages: payload.messages.map(({ role, content }) => ({ role, content })),
    maxTokens: payload.maxTokens,
    ...(payload.temperature === undefined ? {} : { temperature: payload.temperature }),
  };
  return utf8(JSON.stringify(canonical));
}

/**
 * Parses and validates UTF-8 JSON bytes into a payload. Only the canonical encoding is accepted (the bytes
 * must equal {@link encodePromptPayload} of the result), so `64.0`, duplicate keys, whitespace or other escapes
 * have one answer: rejected. Invalid UTF-8, invalid JSON, a non-canonical encoding or a malformed payload throw
 * `CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD`; a `v` other than 1, `..._UNSUPPORTED_VERSION`.
 *
 * @example
 * ```ts
 * const payload = decodePromptPayload(plaintextBytes);
 * payload.maxTokens;
 * ```
 */
export function decodePromptPayload(bytes: BytesLike): PromptPayload {
  let value: unknown;
  try {
    value = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(toBytes(bytes)));
  } catch (cause) {
    throw new ChainferenceClientError(CHAINFERENCE_ERROR__CRYPTO__INVALID_PROMPT_PAYLOAD, { reason: "not UTF-8 JSON" }, { cause });
  }
  assertIsPromptPayload(value);
  if (!bytesEqual(encodePromptPayload(value), bytes)) {
    invalid("not the canonical encoding (field order, no whitespace, JSON.stringify escapes and numbers)");
  }
  return value;
}
