/**
 * Makes the generated instruction parsers check the exact account shapes the program enforces
 * (payment-channels' scripts/enforce-fixed-account-shapes.mjs is the anchor).
 *
 * @codama/renderers-js emits `if (instruction.accounts.length < N)` in every `parseXInstruction`:
 * a minimum, while the program takes exactly the named accounts (`TooManyAccounts` otherwise) and,
 * for the two instructions with a list of fee vaults, a bounded number of them. Run by
 * `npm run generate` right after rendering, this rewrites each guard from the program's own
 * description (`program/src/idl.rs`): `!== N` for a fixed shape, `!== N + n` for a list of exactly
 * n, `< N + min || > N + max` for a bounded list. Each rewrite asserts it matched exactly once, so a
 * renderer upgrade that changes the template fails the generation instead of shipping permissive
 * parsers again; `scripts/check-generated` then keeps the committed client in step.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { camelCase } from "codama";
import type { Interface } from "./generate-idl.ts";

function replaceOnce(source: string, file: string, from: string, to: string): string {
  const count = source.split(from).length - 1;
  if (count !== 1) {
    throw new Error(`enforce-account-shapes: ${file}: expected exactly one \`${from}\`, found ${count}`);
  }
  return source.replace(from, to);
}

/** Rewrites the account-count guard of every generated parser under `instructionsDir`. */
export function enforceAccountShapes(iface: Interface, instructionsDir: string): number {
  for (const ix of iface.instructions) {
    const file = join(instructionsDir, `${camelCase(ix.name)}.ts`);
    const named = ix.accounts.length;
    const guard = `if (instruction.accounts.length < ${named}) {`;
    let source = readFileSync(file, "utf8");
    const r = ix.remaining;
    if (!r) {
      source = replaceOnce(source, file, guard, `if (instruction.accounts.length !== ${named}) {`);
    } else {
      const [min, max] = [named + r.min, named + r.max];
      source = replaceOnce(
        source,
        file,
        guard,
        min === max
          ? `if (instruction.accounts.length !== ${min}) {`
          : `if (instruction.accounts.length < ${min} || instruction.accounts.length > ${max}) {`,
      );
      source = replaceOnce(source, file, `expectedAccountMetas: ${named},`, `expectedAccountMetas: ${min},`);
    }
    writeFileSync(file, source);
  }
  return iface.instructions.length;
}
