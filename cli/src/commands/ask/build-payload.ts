/** The prompt payload `ask` and `demo` post. */
import type { PromptPayload } from "@chainference/client";

/**
 * The prompt payload for one user message (and an optional system message).
 *
 * @example
 * buildPayload("Why is the sky blue?", { maxTokens: 128 });
 */
export function buildPayload(
  prompt: string,
  options: { readonly system?: string; readonly maxTokens: number; readonly temperature?: number },
): PromptPayload {
  return {
    v: 1,
    messages: [
      ...(options.system ? [{ role: "system" as const, content: options.system }] : []),
      { role: "user" as const, content: prompt },
    ],
    maxTokens: options.maxTokens,
    ...(options.temperature === undefined ? {} : { temperature: options.temperature }),
  };
}
