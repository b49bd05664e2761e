/** The parts of OpenAI's chat completions API the gateway speaks, and their validation. */
import type { PromptMessage } from "@chainference/client";

/** An OpenAI-style error response body (`{ error: { message, type, code } }`) with its HTTP status. */
export class GatewayError extends Error {
  override readonly name = "GatewayError";
  constructor(
    readonly status: number,
    message: string,
    readonly type: "invalid_request_error" | "not_found_error" | "server_error" | "api_error",
    readonly code: string | null = null,
    readonly param: string | null = null,
  ) {
    super(message);
  }
}

/** 404 `model_not_found` (OpenAI's shape: clients do not retry it, so no second paid request follows). */
export const modelNotFound = (message: string): GatewayError =>
  new GatewayError(404, message, "invalid_request_error", "model_not_found", "model");

/** True when `e` is a {@link GatewayError} (by name, like the SDK's and the node's guards). */
export function isGatewayError(e: unknown): e is GatewayError {
  return e instanceof Error && e.name === "GatewayError" && typeof (e as { status?: unknown }).status === "number";
}

/** What `POST /v1/chat/completions` accepts, validated. */
export type ChatCompletionRequest = {
  readonly model: string;
  readonly messages: readonly PromptMessage[];
  readonly stream: boolean;
  readonly includeUsage: boolean;
  readonly maxTokens: number | null;
  readonly temperature: number | null;
};

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

const invalid = (message: string, param: string | null = null) => new GatewayError(400, message, "invalid_request_error", null, param);

/** A message's content as text: a string, or the text parts of a content array. */
function contentText(content: unknown, where: string): string {
  if (typeof content === "string") return content;
  if (Array.isArray(content)) {
    return content
      .map((part, i) => {
        if (isObject(part) && part.type === "text" && typeof part.text === "string") return part.text;
        throw invalid(`${where}[${i}] is not a text part: only text content is supported`, where);
      })
      .join("");
  }
  if (content === null || content === undefined) return "";
  throw invalid(`${where} must be a string or an array of text parts`, where);
}

/**
 * Validates a chat completions body: roles system/developer, user and assistant with text content;
 * `n` must be 1; tools are not supported.
 *
 * @example
 * parseChatCompletionRequest({ model: "org/name", messages: [{ role: "user", content: "Hi" }] });
 */
export function parseChatCompletionRequest(body: unknown): ChatCompletionRequest {
  if (!isObject(body)) throw invalid("the request body must be a JSON object");
  if (typeof body.model !== "string" || body.model === "") throw invalid("'model' is required", "model");
  if (!Array.isArray(body.messages) || body.messages.length === 0) throw invalid("'messages' must be a non-empty array", "messages");
  const messages = body.messages.map((m: unknown, i): PromptMessage => {
    const where = `messages[${i}]`;
    if (!isObject(m)) throw invalid(`${where} must be an object`, where);
    const role = m.role === "developer" ? "system" : m.role;
    if (role !== "system" && role !== "user" && role !== "assistant")
      throw invalid(`${where}.role '${String(m.role)}' is not supported: use system, developer, user or assistant`, `${where}.role`);
    return { role, content: contentText(m.content, `${where}.content`) };
  });
  if (body.n !== undefined && body.n !== null && body.n !== 1) throw invalid("only n = 1 is supported", "n");
  if (body.tools !== undefined && Array.isArray(body.tools) && body.tools.length > 0) throw invalid("tools are not supported", "tools");
  const rawMax = body.max_completion_tokens ?? body.max_tokens;
  if (rawMax !== undefined && rawMax !== null && !(Number.isInteger(rawMax) && (rawMax as number) >= 1))
    throw invalid("'max_tokens' must be a positive integer", "max_tokens");
  const temperature = body.temperature;
  if (temperature !== undefined && temperature !== null && !(typeof temperature === "number" && temperature >= 0 && temperature <= 2))
    throw invalid("'temperature' must be a number from 0 to 2", "temperature");
  const streamOptions = isObject(body.stream_options) ? body.stream_options : {};
  return {
    model: body.model,
    messages,
    stream: body.stream === true,
    includeUsage: streamOptions.include_usage === true,
    maxTokens: (rawMax as number | undefined | null) ?? null,
    temperature: (temperature as number | undefined | null) ?? null,
  };
}
