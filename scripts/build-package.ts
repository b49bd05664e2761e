/**
 * Builds one workspace package into `dist/`, one output file per source file (bundlers then tree-shake per
 * module), in three steps:
 * 1. `tsc -p <package>/tsconfig.build.json` type-checks and writes the declarations (`.d.ts`) only;
 * 2. esbuild transpiles each `.ts` file under `src/` to ESM JavaScript, file by file (no bundling). As in
 *    @solana/kit (tsup for the JavaScript, tsc for the declarations): the output is what tsx and vitest run
 *    in development, and TypeScript enums become expressions annotated `@__PURE__` that a bundler drops when
 *    unused (tsc's enum IIFEs stay in every bundle: about 250 bytes gzipped per instruction builder);
 * 3. every relative import gets an explicit file: `./chain` becomes `./chain/index.js`, `../programs`
 *    becomes `../programs.js`. The sources (and the Codama output in `src/generated`, never edited by hand)
 *    import without extensions, which bundlers and `moduleResolution: bundler` accept but Node's ESM loader
 *    and TypeScript's `nodenext` do not. Each specifier is checked against the emitted files: one that names
 *    no file fails the build rather than shipping a broken import.
 *
 * Usage: `tsx scripts/build-package.ts clients/js` (what `npm run build` does per package).
 */
import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");

/** `from "./x"`, `export … from "./x"`, `import "./x"` and `import("./x")`: the relative specifier is group 3. */
const RELATIVE_SPECIFIER = /(\bfrom\s*|\bimport\s*\(\s*|\bimport\s+)(["'])(\.{1,2}(?:\/[^"'\n]*)?)\2/g;

/**
 * The specifier Node resolves to the emitted module `specifier` means, or `null` when none exists.
 * `isFile` says whether a path (relative to the importing file's folder, like the specifier) is an emitted file.
 *
 * @example
 * withJsExtension("./chain", (p) => p === "./chain/index.js"); // "./chain/index.js"
 * withJsExtension("../programs", (p) => p === "../programs.js"); // "../programs.js"
 */
export function withJsExtension(specifier: string, isFile: (path: string) => boolean): string | null {
  if (specifier.endsWith(".js") && isFile(specifier)) return specifier;
  const bare = specifier.replace(/\/$/, "");
  if (bare !== "." && bare !== ".." && isFile(`${bare}.js`)) return `${bare}.js`;
  if (isFile(`${bare}/index.js`)) return `${bare}/index.js`;
  return null;
}

/** A line of a comment (JSDoc examples quote imports that are not the file's own). */
const COMMENT_LINE = /^\s*(\*|\/\*|\/\/)/;

/**
 * Rewrites every relative import and re-export specifier of an emitted `.js` or `.d.ts` file with
 * {@link withJsExtension}, comment lines aside; throws naming the first specifier that resolves to no
 * emitted file.
 *
 * @example
 * rewriteRelativeSpecifiers('export * from "./generated";', (p) => p === "./generated/index.js");
 * // 'export * from "./generated/index.js";'
 */
export function rewriteRelativeSpecifiers(code: string, isFile: (path: string) => boolean): string {
  const rewriteLine = (line: string) =>
    COMMENT_LINE.test(line)
      ? line
      : line.replace(RELATIVE_SPECIFIER, (match, lead: string, quote: string, specifier: string) => {
          const resolved = withJsExtension(specifier, isFile);
          if (resolved === null) throw new Error(`no emitted module for "${specifier}" (${match})`);
          return `${lead}${quote}${resolved}${quote}`;
        });
  return code.split("\n").map(rewriteLine).join("\n");
}

/** Every file under `folder` whose name matches `pattern`, as paths joined to `folder`. */
function filesUnder(folder: string, pattern: RegExp): string[] {
  return readdirSync(folder, { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return filesUnder(path, pattern);
    return pattern.test(entry.name) ? [path] : [];
  });
}

async function buildPackage(packageFolder: string): Promise<void> {
  const started = Date.now();
  const src = join(packageFolder, "src");
  const dist = join(packageFolder, "dist");
  const tsconfig = join(packageFolder, "tsconfig.build.json");
  rmSync(dist, { recursive: true, force: true });
  execFileSync(join(REPO_ROOT, "node_modules", ".bin", "tsc"), ["-p", tsconfig], { stdio: "inherit" });
  await build({
    entryPoints: filesUnder(src, /(?<!\.d)\.ts$/),
    outbase: src,
    outdir: dist,
    bundle: false,
    format: "esm",
    platform: "neutral",
    target: "es2022",
    tsconfig,
    logLevel: "warning",
  });
  const files = filesUnder(dist, /\.(js|d\.ts)$/);
  for (const file of files) {
    const folder = dirname(file);
    const isFile = (path: string) => {
      const target = join(folder, path);
      return existsSync(target) && statSync(target).isFile();
    };
    const code = readFileSync(file, "utf8");
    try {
      const rewritten = rewriteRelativeSpecifiers(code, isFile);
      if (rewritten !== code) writeFileSync(file, rewritten);
    } catch (error) {
      throw new Error(`${relative(REPO_ROOT, file)}: ${(error as Error).message}`);
    }
  }
  const name = (JSON.parse(readFileSync(join(packageFolder, "package.json"), "utf8")) as { name: string }).name;
  console.log(`build-package: ${name} -> ${relative(REPO_ROOT, dist)} (${files.length} files, ${Date.now() - started} ms)`);
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const folders = process.argv.slice(2);
  if (folders.length === 0) {
    console.error("usage: tsx scripts/build-package.ts <package folder>...");
    process.exit(2);
  }
  try {
    for (const folder of folders) await buildPackage(resolve(folder));
  } catch (error) {
    console.error(`build-package: ${(error as Error).message}`);
    process.exit(1);
  }
}
