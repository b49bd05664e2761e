import * as programErrors from "../generated/errors";

const PREFIX = "CHAINFERENCE_ERROR__";

const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(programErrors as Record<string, unknown>).flatMap(([name, code]) =>
    name.startsWith(PREFIX) && typeof code === "number" ? [[code, name.slice(PREFIX.length)] as const] : [],
  ),
);

/**
 * The on-chain error's name for a custom program error code (e.g. 12 → `"PROTOCOL_PAUSED"`), or null
 * for a code the program does not define. Read from the generated constants, so it never drifts.
 *
 * @example
 * getChainferenceProgramErrorName(32); // "REQUEST_NOT_OPEN"
 */
export function getChainferenceProgramErrorName(code: number): string | null {
  return NAMES.get(code) ?? null;
}
