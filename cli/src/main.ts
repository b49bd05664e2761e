/**
 * Entry of the `chainference` command (run through `cli/bin/chainference.js`). Every failure ends
 * as one line on stderr saying what to do, and a non-zero exit; `--verbose` adds the stack and logs.
 */
import { CommanderError } from "commander";
import { buildProgram } from "./program";
import { USAGE_EXIT_CODE } from "./shared/errors/cli-error";

const verbose = process.argv.includes("--verbose");
const json = process.argv.includes("--json");

/** With `--json`, the failure as a JSON document on stdout too (unless the command already printed one). */
async function printJsonError(message: string, code: string, exitCode: number): Promise<void> {
  if (!json) return;
  const { jsonDocumentPrinted, toJson } = await import("./shared/output/output");
  const { jsonErrorDocument } = await import("./shared/errors/json-error");
  if (!jsonDocumentPrinted()) process.stdout.write(`${toJson(jsonErrorDocument(message, code, exitCode))}\n`);
}

async function fail(e: unknown): Promise<number> {
  if (e instanceof CommanderError) {
    // Help and version are "errors" that exit 0; commander already printed them.
    if (e.exitCode === 0) return 0;
    const message = e.message.replace(/^error:\s*/i, "").replace(/\s*\n\s*/g, " ");
    const path = (e as CommanderError & { commandPath?: string }).commandPath ?? "chainference";
    const line = `${message} (see '${path} --help')`;
    process.stderr.write(`chainference: ${line}\n`);
    await printJsonError(line, "USAGE", USAGE_EXIT_CODE);
    return USAGE_EXIT_CODE;
  }
  // Loaded on failure only: they read the SDK's error tables, which --help does not need.
  const { describeError, describeErrorDetails } = await import("./shared/errors/describe-error");
  const { exitCodeFor } = await import("./shared/errors/exit-code");
  const { errorCode } = await import("./shared/errors/json-error");
  const message = describeError(e);
  process.stderr.write(`chainference: ${message}\n`);
  if (verbose) process.stderr.write(`${describeErrorDetails(e).join("\n")}\n`);
  await printJsonError(message, errorCode(e), exitCodeFor(e));
  return exitCodeFor(e);
}

try {
  await buildProgram().parseAsync(process.argv);
  process.exit(process.exitCode ?? 0);
} catch (e) {
  process.exit(await fail(e));
}
