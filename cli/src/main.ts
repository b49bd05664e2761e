/**
 * Entry of the `chainference` command (run through `cli/bin/chainference.js`). Every failure ends
 * as one line on stderr saying what to do, and a non-zero exit; `--verbose` adds the stack and logs.
 */
import { CommanderError } from "commander";
import { buildProgram } from "./program";
import { USAGE_EXIT_CODE } from "./shared/errors/cli-error";

const verbose = process.argv.includes("--verbose");

async function fail(e: unknown): Promise<number> {
  if (e instanceof CommanderError) {
    // Help and version are "errors" that exit 0; commander already printed them.
    if (e.exitCode === 0) return 0;
    const message = e.message.replace(/^error:\s*/i, "").replace(/\s*\n\s*/g, " ");
    const path = (e as CommanderError & { commandPath?: string }).commandPath ?? "chainference";
    process.stderr.write(`chainference: ${message} (see '${path} --help')\n`);
    return USAGE_EXIT_CODE;
  }
  // Loaded on failure only: they read the SDK's error tables, which --help does not need.
  const { describeError, describeErrorDetails } = await import("./shared/errors/describe-error");
  const { exitCodeFor } = await import("./shared/errors/exit-code");
  process.stderr.write(`chainference: ${describeError(e)}\n`);
  if (verbose) process.stderr.write(`${describeErrorDetails(e).join("\n")}\n`);
  return exitCodeFor(e);
}

try {
  await buildProgram().parseAsync(process.argv);
  process.exit(process.exitCode ?? 0);
} catch (e) {
  process.exit(await fail(e));
}
