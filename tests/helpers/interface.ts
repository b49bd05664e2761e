/**
 * The program's interface description (`program/src/idl.rs`, kept as `program/interface.json` by
 * `npm run generate`): the account list of each instruction with its flags and, for the two
 * instructions that take a list of fee vaults, the list's bounds. The generated negative tests
 * (`attacks.ts`) and the account-count tests read the shapes from here, so they follow the Rust.
 */
import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Instruction as InstructionSpec, Interface } from "../../scripts/generate-idl";
import { REPO_ROOT } from "./svm";

export type { InstructionSpec };

export const INTERFACE = JSON.parse(readFileSync(join(REPO_ROOT, "program", "interface.json"), "utf8")) as Interface;

/** The description of instruction `name` (snake_case, as in the program). */
export function instructionSpec(name: string): InstructionSpec {
  const spec = INTERFACE.instructions.find((ix) => ix.name === name);
  if (!spec) throw new Error(`program/interface.json has no instruction ${name}`);
  return spec;
}

/** Fewest accounts the instruction takes. */
export const minAccounts = (spec: InstructionSpec): number => spec.accounts.length + (spec.remaining?.min ?? 0);

/** Most accounts the instruction takes. */
export const maxAccounts = (spec: InstructionSpec): number => spec.accounts.length + (spec.remaining?.max ?? 0);
