/** The request terms flags `ask`, `demo` and `gateway` share (definitions only; parsing is in ./parse-terms). */
import type { Command } from "commander";

export const DEFAULT_STAKE = "0.01";

export type TermsFlags = {
  model?: string;
  revision?: string;
  server?: string[];
  stake: string;
  timeout?: string;
  minCompleted?: string;
  minSuccess?: string;
  minRating?: string;
  maxPrice?: string;
  fanOut?: string;
  handOffWait?: string;
};

/** What `--fan-out` costs in privacy, said wherever the flag is. */
export const FAN_OUT_HELP =
  "name n servers at once (1-8, default 1). Every named server can read the prompt, even those that never lock it; " +
  "with 1 only the best eligible server can, and if it does not lock within --hand-off-wait the request is handed to the next " +
  "(you must stay online for that: use a fan-out for fire-and-forget requests)";

/** Adds the terms flags to a command (`model: false` leaves out --model and --revision). */
export function addTermsOptions(command: Command, options: { readonly stake?: string; readonly model?: boolean } = {}): Command {
  if (options.model ?? true)
    command
      .option("--model <hf-id>", "Hugging Face model id, org/name (default: the embedded model)")
      .option("--revision <rev>", "pin a model revision (git sha, branch or tag)");
  return command
    .option("--server <address...>", "allow only these server accounts, best first (up to 8; default: every eligible server)")
    .option("--fan-out <n>", FAN_OUT_HELP)
    .option("--hand-off-wait <duration>", "how long a named server has to lock before the request is handed to the next (default 5s)")
    .option("--stake <sol>", "the most the request may cost, escrowed until settlement", options.stake ?? DEFAULT_STAKE)
    .option("--timeout <duration>", "time the locking server has to answer, e.g. 90s or 5m (default: the protocol's, 5m)")
    .option("--min-completed <n>", "only servers with at least n completed inferences")
    .option("--min-success <percent>", "only servers whose success rate is at least this (0-100)")
    .option("--min-rating <stars>", "only servers rated at least this on average (1-5)")
    .option("--max-price <sol-per-1m>", "only servers charging at most this, SOL per 1M tokens (default: any; the stake caps the cost)");
}
