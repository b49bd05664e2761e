/** `chainference ask "prompt"`: preview eligibility, post, stream the answer, print the settlement. */
import { readFileSync } from "node:fs";
import type { Command } from "commander";
import { DEFAULT_MODEL } from "@chainference/node";
import { createCommandContext } from "../../shared/context/command-context";
import { runAsk } from "./run-ask";
import { runSessionAsk } from "./run-session-ask";
import { usageError } from "../../shared/errors/cli-error";
import type { AskFlags } from "./definition";
import { buildPayload } from "./build-payload";
import { parseGeneration, parseTerms } from "./parse-terms";
import { durationToSlots, parseDuration, parseSol } from "../../shared/output/units";

/** The program's shortest grace window (docs/sessions.md). */
const MIN_GRACE_SLOTS = 150n;

/** Reads the prompt argument; "-" reads standard input. */
function readPrompt(argument: string): string {
  const prompt = argument === "-" ? readFileSync(0, "utf8") : argument;
  if (prompt.trim() === "")
    throw usageError("the prompt is empty: pass the question as the first argument, or '-' to read it from standard input");
  return prompt;
}

/** Runs `chainference ask`. */
export async function askAction(promptArgument: string, flags: AskFlags, cmd: Command): Promise<void> {
  const ctx = await createCommandContext(cmd);
  const prompt = readPrompt(promptArgument);
  const terms = parseTerms(flags, DEFAULT_MODEL.hfId);
  if (!flags.session && flags.grace !== undefined) throw usageError("--grace applies to --session only");
  if (flags.session && !flags.wait) throw usageError("--no-wait applies to the per-request path only: a session answer streams at once");
  const generation = parseGeneration(flags);
  const payload = buildPayload(prompt, { ...generation, ...(flags.system ? { system: flags.system } : {}) });
  const wallet = await ctx.wallet();
  const session = ctx.session();
  const stop = new AbortController();
  const onSignal = () => {
    if (stop.signal.aborted) process.exit(130);
    ctx.out.progress("\nStopping: an open request is cancelled and its stake refunded (Ctrl-C again to quit at once)…");
    stop.abort();
  };
  process.on("SIGINT", onSignal);
  try {
    if (flags.session) {
      const deposit = parseSol(flags.deposit, "--deposit");
      if (deposit === 0n) throw usageError("--deposit must be more than 0 SOL");
      const graceSlots = flags.grace === undefined ? undefined : durationToSlots(parseDuration(flags.grace, "--grace"));
      if (graceSlots !== undefined && graceSlots < MIN_GRACE_SLOTS) throw usageError("--grace must be at least 1m (150 slots)");
      await runSessionAsk(session, wallet, { ...terms, stake: deposit }, payload, {
        signal: stop.signal,
        ...(graceSlots === undefined ? {} : { graceSlots }),
      });
      return;
    }
    await runAsk(session, wallet, terms, payload, { wait: flags.wait, signal: stop.signal });
  } finally {
    process.off("SIGINT", onSignal);
  }
}
