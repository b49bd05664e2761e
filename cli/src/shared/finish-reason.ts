/** Why an answer ended, as the chain shows it (OpenAI's `finish_reason` names). */

/** `length`: the server produced the `maxTokens` the request allowed, so the answer was cut; `stop`: it ended on its own. */
export type FinishReason = "stop" | "length";

/**
 * The finish reason of a settled answer, from the tokens the server billed and the prompt's `maxTokens`.
 *
 * @example
 * finishReason(24, 24); // "length"
 * finishReason(9, 24); // "stop"
 */
export function finishReason(tokensOut: number, maxTokens: number): FinishReason {
  return tokensOut >= maxTokens ? "length" : "stop";
}
