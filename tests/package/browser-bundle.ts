/** Browser bundles of an installed package, measured as an app ships them (tests/package/consumer.test.ts). */
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

export type BundleSize = { readonly bytes: number; readonly gzipBytes: number };

/**
 * Bundles the module `source` for the browser (esbuild: minified, tree-shaken, packages resolved from
 * `project`'s node_modules with their `browser` conditions) and measures it; throws esbuild's error when a
 * module cannot be bundled for the browser (a Node built-in, a native `.node` file).
 */
export async function measureBrowserBundle(project: string, source: string): Promise<BundleSize> {
  const result = await build({
    stdin: { contents: source, resolveDir: project, loader: "js", sourcefile: "app.js" },
    absWorkingDir: project,
    bundle: true,
    platform: "browser",
    format: "esm",
    target: "es2022",
    minify: true,
    write: false,
    logLevel: "silent",
  });
  const code = result.outputFiles[0]!.contents;
  return { bytes: code.length, gzipBytes: gzipSync(code).length };
}

/** Bytes as kilobytes of 1,000 bytes with one decimal, as budgets are stated: `13_699` → `"13.7 KB"`. */
export function formatKb(bytes: number): string {
  return `${(bytes / 1000).toFixed(1)} KB`;
}
