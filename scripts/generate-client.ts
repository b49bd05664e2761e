/**
 * `npm run generate`: reads the program's interface description (program/src/idl.rs, via
 * `cargo run -p chainference --example interface`, kept as `program/interface.json`), rebuilds
 * `program/idl.json` from it (scripts/generate-idl.ts) and the generated tables of
 * `docs/protocol.md` (scripts/protocol-tables.ts), then renders the @solana/kit client into
 * `clients/js/src/generated` with @codama/renderers-js, exactly as `codama.json` says (the same
 * file the `codama run js` CLI reads), and tightens its parsers to the exact account shapes
 * (scripts/enforce-account-shapes.ts).
 */
import { readFileSync } from "node:fs";
import { join, relative, resolve } from "node:path";
import { createFromJson } from "codama";
import { renderVisitor, type RenderOptions } from "@codama/renderers-js";
import { enforceAccountShapes } from "./enforce-account-shapes.ts";
import { INTERFACE_PATH, REPO_ROOT, writeIdl } from "./generate-idl.ts";
import { PROTOCOL_MD, writeProtocolTables } from "./protocol-tables.ts";

type VisitorConfig = { from: string; args?: unknown[] };
type CodamaConfig = { idl: string; before?: unknown[]; scripts: Record<string, VisitorConfig | VisitorConfig[]> };

function fail(message: string): never {
  console.error(`generate-client: ${message}`);
  process.exit(1);
}

async function main() {
  const config = JSON.parse(readFileSync(join(REPO_ROOT, "codama.json"), "utf8")) as CodamaConfig;
  if (config.before && config.before.length > 0) fail('codama.json "before" visitors are not supported by this script');
  const js = config.scripts.js;
  if (!js || Array.isArray(js) || js.from !== "@codama/renderers-js") {
    fail('codama.json must have scripts.js = { from: "@codama/renderers-js", args: [packageFolder, options] }');
  }
  const [packageFolder, options] = (js.args ?? []) as [string | undefined, RenderOptions | undefined];
  if (!packageFolder) fail("codama.json scripts.js.args[0] (the package folder) is missing");

  const iface = writeIdl();
  console.log(
    `generate-client: wrote ${relative(REPO_ROOT, INTERFACE_PATH)} and ${config.idl} (${iface.instructions.length} ` +
      `instructions, ${iface.accounts.length} accounts, ${iface.errors.length} errors, from program/src)`,
  );
  writeProtocolTables(iface);
  console.log(`generate-client: wrote the generated tables of ${relative(REPO_ROOT, PROTOCOL_MD)}`);

  const idlPath = resolve(REPO_ROOT, config.idl);
  const codama = createFromJson(readFileSync(idlPath, "utf8"));
  const packagePath = resolve(REPO_ROOT, packageFolder);
  await codama.accept(renderVisitor(packagePath, options ?? {}));
  const out = join(packagePath, options?.generatedFolder ?? "src/generated");
  const shapes = enforceAccountShapes(iface, join(out, "instructions"));
  console.log(`generate-client: rendered ${relative(REPO_ROOT, out)} (${shapes} parsers check the exact account shape)`);
}

main().catch((error: unknown) => fail(error instanceof Error ? (error.stack ?? error.message) : String(error)));
