import type { ChatMessage, InferenceBackend } from "../backends/inference-backend";

const utf8Length = (text: string): number => new TextEncoder().encode(text).length;

/**
 * Prompt tokens as the backend counts them for `messages` (chat template included): a one-token generation,
 * whose usage reports the prompt. Used when a run was cut short and its own usage is lost. Falls back to
 * ⌈bytes / 4⌉ when the backend fails.
 *
 * @example
 * const tokensIn = await countPromptTokens(backend, payload.messages);
 */
export async function countPromptTokens(backend: InferenceBackend, messages: readonly ChatMessage[]): Promise<number> {
  try {
    const { usage } = await backend.streamChat({ messages, maxTokens: 1, temperature: 0 }).result;
    return usage.promptTokens;
  } catch {
    return Math.ceil(messages.reduce((sum, m) => sum + utf8Length(m.content), 0) / 4);
  }
}

/**
 * Answer tokens of `text`: the model's tokenizer when the backend has one, else the number of streamed text
 * pieces (one per token for OpenAI-compatible servers), never more than the bytes.
 *
 * @example
 * const tokensOut = await countAnswerTokens(backend, text, piecesReceived);
 */
export async function countAnswerTokens(backend: InferenceBackend, text: string, pieces: number): Promise<number> {
  if (text.length === 0) return 0;
  if (backend.countTokens) {
    try {
      return await backend.countTokens(text);
    } catch {
      // fall through to the piece count
    }
  }
  return Math.min(Math.max(1, pieces), utf8Length(text));
}

/** The token counts `complete_request` accepts: honest counts capped at the program's bounds. */
export type BillableTokens = Readonly<{ tokensIn: number; tokensOut: number }>;

/**
 * `tokens_in ≤ prompt ciphertext bytes` and `tokens_out ≤ answer plaintext bytes` are what the program can
 * check; the node bills the backend's counts within them.
 *
 * @example
 * billableTokens({ promptTokens: 120, completionTokens: 40, promptBytes: 300, plaintextBytes: 35 }); // { tokensIn: 120, tokensOut: 35 }
 */
export function billableTokens(input: {
  promptTokens: number;
  completionTokens: number;
  promptBytes: number;
  plaintextBytes: number;
}): BillableTokens {
  const clamp = (n: number, max: number) => Math.max(0, Math.min(Math.floor(n), max, 0xffff_ffff));
  return { tokensIn: clamp(input.promptTokens, input.promptBytes), tokensOut: clamp(input.completionTokens, input.plaintextBytes) };
}
