import { CHAINFERENCE_ERROR_LAYERS, isChainferenceClientError } from "@chainference/client";
import { CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER, isChainferenceNodeError } from "@chainference/node";

import { USAGE_EXIT_CODE, isCliError } from "./cli-error";

const [FIRST_INPUT_CODE, LAST_INPUT_CODE] = CHAINFERENCE_ERROR_LAYERS.sdk.areas.INPUT;

/**
 * The exit code a failure ends the command with: a {@link CliError}'s own, 2 for bad input (the SDK's input
 * validation codes and an unknown --url), else 1.
 *
 * @example
 * process.exitCode = exitCodeFor(e);
 */
export function exitCodeFor(e: unknown): number {
  if (isCliError(e)) return e.exitCode;
  if (isChainferenceClientError(e) && e.code >= FIRST_INPUT_CODE && e.code <= LAST_INPUT_CODE) return USAGE_EXIT_CODE;
  if (isChainferenceNodeError(e, CHAINFERENCE_ERROR__NODE__UNKNOWN_CLUSTER)) return USAGE_EXIT_CODE;
  return 1;
}
