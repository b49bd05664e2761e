/**
 * A short, single-line description of any thrown value and its causes, for error contexts.
 *
 * @example
 * describeCause(new Error("fetch failed", { cause: new Error("ECONNREFUSED") })); // "fetch failed: ECONNREFUSED"
 */
export function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const inner = (cause as Error & { cause?: unknown }).cause;
    const code = (cause as Error & { code?: unknown }).code;
    const own = typeof code === "string" ? `${code}: ${cause.message}` : cause.message;
    return inner === undefined ? own : `${own}: ${describeCause(inner)}`;
  }
  return String(cause);
}
