import * as programErrors from "../generated/errors";

const PREFIX = "CHAINFERENCE_ERROR__";

const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(programErrors as Record<string, unknown>).flatMap(([name, code]) =>
    name.startsWith(PREFIX) && typeof code === "number" ? [[code, name.slice(PREFIX.length)] as const] : [],
  ),
);

/**
 * The on-chain error's name for a Chainference custom error code (e.g. 0x200c → `"PROTOCOL_PAUSED"`), or null
 * for a code the program does not define. Read from the generated constants, so it never drifts. Only for a
 * code the Chainference program returned: name a failed transaction with {@link describeProgramFailure}.
 *
 * @example
 * getChainferenceProgramErrorName(0x2020); // "REQUEST_NOT_OPEN"
 */
export function getChainferenceProgramErrorName(code: number): string | null {
  return NAMES.get(code) ?? null;
}
