/** The compiled program the embedded chains (demo, localnet) deploy. */
import { existsSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { CliError } from "../errors/cli-error";

/**
 * The program shipped in the installed package (`dist/chainference.so`, copied there by the package build; this
 * file is dist/shared/embedded/), else `target/deploy/chainference.so` at the repository root (a checkout, where
 * this file is cli/src/shared/embedded/).
 */
const SHIPPED_PROGRAM_PATH = fileURLToPath(new URL("../../chainference.so", import.meta.url));
export const DEFAULT_PROGRAM_PATH = existsSync(SHIPPED_PROGRAM_PATH)
  ? SHIPPED_PROGRAM_PATH
  : fileURLToPath(new URL("../../../../target/deploy/chainference.so", import.meta.url));

/**
 * The `.so` to deploy: `--program <path>`, else `$CHAINFERENCE_PROGRAM`, else the build output;
 * one line saying how to build it when it is missing.
 *
 * @example
 * const path = resolveProgramPath(flags.program);
 */
export function resolveProgramPath(flag?: string): string {
  const path = flag ?? process.env.CHAINFERENCE_PROGRAM ?? DEFAULT_PROGRAM_PATH;
  if (!existsSync(path))
    throw new CliError(
      flag || process.env.CHAINFERENCE_PROGRAM
        ? `program file ${path} does not exist: check --program`
        : `the program is not built (${path} is missing): run 'bash scripts/build-program' (or 'bash scripts/setup')`,
    );
  return path;
}
