/** An error the command reports as one line, with the exit code it ends with. */
export class CliError extends Error {
  override readonly name = "CliError";
  constructor(
    message: string,
    readonly exitCode: number = 1,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/** Exit code for bad flags, arguments and input (as commander uses for usage errors). */
export const USAGE_EXIT_CODE = 2;

/**
 * A bad flag or argument: one line saying what to pass instead; exit code 2.
 *
 * @example
 * throw usageError("--stake must be an amount of SOL such as 0.01");
 */
export function usageError(message: string): CliError {
  return new CliError(message, USAGE_EXIT_CODE);
}

/** True when `e` is a {@link CliError} (by name, like the SDK's and the node's guards). */
export function isCliError(e: unknown): e is CliError {
  return e instanceof Error && e.name === "CliError" && typeof (e as { exitCode?: unknown }).exitCode === "number";
}
