/**
 * The web app built once per content: the Vite build of web/ (with the SDK sources it imports) lands in
 * target/web-build/<hash of the inputs>, so repeated test runs on unchanged sources reuse it.
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";

export const REPO = fileURLToPath(new URL("../..", import.meta.url));
const INPUTS = ["web/index.html", "web/vite.config.ts", "web/package.json", "web/src", "clients/js/src", "package-lock.json"];

function files(path: string): string[] {
  const full = join(REPO, path);
  if (!statSync(full).isDirectory()) return [full];
  return readdirSync(full, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => join(e.parentPath, e.name))
    .sort();
}

/** sha256 over the paths and contents of every input file. */
export function webSourceHash(): string {
  const hash = createHash("sha256");
  hash.update("production\0");
  for (const file of INPUTS.flatMap(files)) hash.update(relative(REPO, file)).update("\0").update(readFileSync(file)).update("\0");
  return hash.digest("hex").slice(0, 16);
}

/** Builds the app unless this content was built before; returns the directory holding index.html and assets/. */
export function buildWebApp(): string {
  const outDir = join(REPO, "target", "web-build", webSourceHash());
  if (existsSync(join(outDir, "index.html"))) return outDir;
  // A separate process with NODE_ENV=production: under vitest (NODE_ENV=test) Vite would bundle React's development build.
  execFileSync(join(REPO, "node_modules", ".bin", "vite"), ["build", "--logLevel", "warn", "--outDir", outDir, "--emptyOutDir"], {
    cwd: join(REPO, "web"),
    env: { ...process.env, NODE_ENV: "production" },
    stdio: ["ignore", "inherit", "inherit"],
  });
  return outDir;
}
